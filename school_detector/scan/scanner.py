"""The scan loop, shared by every front end through scan.job: cover -> read chips -> batch ->
predict -> commit.

Reads run in a thread pool, predictions in another (several requests in flight for REST),
and results commit in order, a batch per transaction. Memory stays flat however large the
region: tiles are generated lazily from the cover's row spans, batches in flight are capped,
and a long stretch of skipped tiles (a buildings mask over empty land) is committed every
``SKIP_FLUSH`` tiles, with its progress, rather than held until the next scored batch. Tiles a
``skip`` rule rules out (no building there) are recorded with the reason and never read; a
resumed scan tries again the tiles whose skip may not last (core.results.SkipReason).
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..core.chip_plan import ChipGeometry
from ..core.cover import Polygon, count_cover, iter_cover
from ..core.errors import InputError, JobCancelled
from ..core.progress import Reporter
from ..core.results import Prediction, SkipReason, as_prediction, retryable_reasons
from ..core.tiles import Bounds, Tile, bounds_3857
from .store import ResultStore

#: skipped tiles committed at once when no scored tile comes along
SKIP_FLUSH = 2048


class Predictor(Protocol):
    wants_bytes: bool  # encoded PNG chips (REST) or uint8 arrays (in-process)
    concurrency: int  # batches in flight

    def predict(self, chips: list[Any]) -> list[Prediction] | list[float]: ...

    def describe(self) -> dict[str, Any]: ...


@dataclass
class ScanSettings:
    geometry: ChipGeometry = field(default_factory=ChipGeometry)  # the model's: how chips are cut
    threshold: float = 0.5
    batch_size: int = 32
    workers: int = 4
    min_valid: float = 0.5
    shard: tuple[int, int] = (0, 1)

    @property
    def key_zoom(self) -> int:
        return self.geometry.key_zoom

    @property
    def chip_px(self) -> int:
        return self.geometry.chip_px


def parse_shard(text: str) -> tuple[int, int]:
    try:
        i, n = (int(v) for v in text.split("/"))
    except ValueError:
        raise InputError(f"--shard {text!r} must look like 0/4 (this shard, number of shards).") from None
    if n < 1 or not 0 <= i < n:
        raise InputError(f"--shard {text!r}: the shard index must be from 0 to {n - 1}.")
    return i, n


def shard_count(total: int, shard: tuple[int, int]) -> int:
    i, n = shard
    return max(0, math.ceil((total - i) / n))


def shard_tiles(polygons: Sequence[Polygon], zoom: int, shard: tuple[int, int]) -> Iterator[Tile]:
    """Every N-th tile of the row-major cover: shards are disjoint and together exact."""
    i, n = shard
    for k, tile in enumerate(iter_cover(polygons, zoom)):
        if k % n == i:
            yield tile


def _overlaps(b: Bounds, e: Bounds) -> bool:
    return b.west < e.east and b.east > e.west and b.south < e.north and b.north > e.south


def check_overlap(polygons: Sequence[Polygon], zoom: int, extent: Bounds | None, limit: int = 200_000) -> None:
    """Refuse a region that misses its imagery (a CRS mix-up, usually). The first ``limit``
    tiles are checked; a huge region that passes the cap is assumed to touch its imagery."""
    if extent is None:
        return
    for k, tile in enumerate(iter_cover(polygons, zoom)):
        if k >= limit or _overlaps(bounds_3857(tile), extent):
            return
    raise InputError(
        "The region and the imagery do not overlap: there is no imagery to scan there. Check the "
        "region's CRS and the imagery layer."
    )


Batch = tuple[list[Tile], list[tuple[Tile, str]], "Future[list[Any]]"]


def _done(value: list[Any]) -> Future[list[Any]]:
    future: Future[list[Any]] = Future()
    future.set_result(value)
    return future


class ScanRun:
    """One pass over a region: a reader (imagery, in a pool), a batcher (predictions in flight,
    in a second pool) and a committer (batches written in order, one transaction each)."""

    def __init__(
        self,
        source: Any,
        predictor: Predictor,
        store: ResultStore,
        polygons: Sequence[Polygon],
        settings: ScanSettings,
        reporter: Reporter | None = None,
        cancelled: Callable[[], bool] = lambda: False,
        encode: Callable[[Any], bytes] | None = None,
        resume: bool = True,
        skip: Callable[[Tile], str | None] | None = None,
    ) -> None:
        self.source, self.predictor, self.store = source, predictor, store
        self.polygons, self.settings = polygons, settings
        self.reporter = reporter or Reporter("text")
        self.cancelled, self.encode, self.resume, self.skip = cancelled, encode, resume, skip
        self.stats: Counter[str] = Counter()
        self.done = 0
        self.total = shard_count(count_cover(polygons, settings.key_zoom), settings.shard)
        self.extent = source.extent_3857()
        self.pending: deque[Batch] = deque()

    # -- reader -------------------------------------------------------------------------------
    def read(self, tile: Tile) -> tuple[Tile, Any, str | None]:
        """(tile, chip payload, None), or (tile, None, why it has no score)."""
        reason = self.skip(tile) if self.skip is not None else None
        if reason is not None:
            return tile, None, reason
        b = bounds_3857(tile)
        if self.extent is not None and not _overlaps(b, self.extent):
            return tile, None, SkipReason.OUTSIDE_IMAGERY.value
        try:
            chip = self.source.read(b, self.settings.chip_px)
        except Exception as exc:
            from ..imagery.xyz import TileFetchError

            if isinstance(exc, TileFetchError):
                return tile, None, SkipReason.FETCH_FAILED.value
            raise
        if chip.valid_fraction < self.settings.min_valid:
            blank = SkipReason.NO_IMAGERY if chip.valid_fraction == 0 else SkipReason.MOSTLY_NO_DATA
            return tile, None, blank.value
        wants_bytes = self.encode is not None and self.predictor.wants_bytes
        return tile, self.encode(chip.rgb) if wants_bytes else chip.rgb, None  # type: ignore[misc]

    def chunks(self) -> Iterator[list[Tile]]:
        """The region's tiles in chunks, without those a resumed scan already holds (a tile
        skipped for a reason that may not last is tried again: a failed fetch; a blank chip
        from web imagery, which has no extent of its own)."""
        tiles = shard_tiles(self.polygons, self.settings.key_zoom, self.settings.shard)
        size = self.settings.batch_size * max(2, self.settings.workers)
        retry = retryable_reasons(web=self.extent is None)
        while True:
            chunk = [t for _, t in zip(range(size), tiles)]
            if not chunk:
                return
            if self.resume:
                seen = self.store.scored(chunk, retry)
                if seen:
                    self.stats["resumed"] += len(seen)
                    self.done += len(seen)
                    chunk = [t for t in chunk if t.id not in seen]
            yield chunk

    # -- committer ----------------------------------------------------------------------------
    def drain(self, limit: int) -> None:
        """Commit finished batches, in order, until at most ``limit`` are in flight."""
        while len(self.pending) > limit:
            tiles, skipped, fut = self.pending.popleft()
            predictions = [as_prediction(v) for v in fut.result()]
            self.stats["candidates"] += self.store.commit(zip(tiles, predictions), skipped)
            self.stats["scored"] += len(tiles)
            self.done += len(tiles) + len(skipped)
            self.reporter.progress(self.done, self.total, unit="tile", message="Scanning")

    def keep_finished(self) -> None:
        """After a failure or a cancel: commit the batches that completed, in order; drop the rest."""
        while self.pending and self.pending[0][2].done() and self.pending[0][2].exception() is None:
            self.drain(len(self.pending) - 1)
        for *_, fut in self.pending:
            fut.cancel()

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        if self.total == 0:
            raise InputError("The region is empty: it covers no tile. Check the extent or the polygons and their CRS.")
        check_overlap(self.polygons, self.settings.key_zoom, self.extent)
        start = time.perf_counter()
        self.reporter.progress(0, self.total, unit="tile", message="Scanning", force=True)
        with (
            ThreadPoolExecutor(max(1, self.settings.workers)) as readers,
            ThreadPoolExecutor(max(1, self.predictor.concurrency)) as predictors,
        ):
            try:
                self._batches(readers, predictors)
            except BaseException:
                self.keep_finished()
                raise
        elapsed = time.perf_counter() - start
        self.reporter.progress(self.total, self.total, unit="tile", message="Scanning", force=True)
        return self.summary(elapsed)

    def _batches(self, readers: ThreadPoolExecutor, predictors: ThreadPoolExecutor) -> None:
        tiles: list[Tile] = []
        chips: list[Any] = []
        skipped: list[tuple[Tile, str]] = []
        for chunk in self.chunks():
            for tile, payload, reason in readers.map(self.read, chunk):
                if reason is not None:
                    self.stats[reason] += 1
                    skipped.append((tile, reason))
                else:
                    tiles.append(tile)
                    chips.append(payload)
                if len(tiles) >= self.settings.batch_size:
                    self.pending.append((tiles, skipped, predictors.submit(self.predictor.predict, chips)))
                    tiles, chips, skipped = [], [], []
                    self.drain(self.predictor.concurrency)
                elif len(skipped) >= SKIP_FLUSH and not tiles:  # empty land: commit it and move the progress on
                    self.pending.append(([], skipped, _done([])))
                    skipped = []
                    self.drain(self.predictor.concurrency)
            if self.cancelled():
                raise JobCancelled("Scan cancelled; every finished batch is saved. Scan again with resume to continue.")
        if tiles or skipped:
            self.pending.append((tiles, skipped, predictors.submit(self.predictor.predict, chips)))
        self.drain(0)

    def summary(self, elapsed: float) -> dict[str, Any]:
        counts = self.store.counts()
        scored = self.stats["scored"]
        return {
            "tiles": self.total,
            "scored_now": scored,
            "resumed": self.stats["resumed"],
            "skipped": {k: v for k, v in self.stats.items() if k not in ("scored", "resumed", "candidates") and v},
            "candidates": counts["candidates"],
            "candidates_now": self.stats["candidates"],
            "seconds": round(elapsed, 2),
            "tiles_per_s": round(scored / elapsed, 1) if elapsed > 0 and scored else None,
            "shard": list(self.settings.shard),
            "threshold": self.settings.threshold,
            "results": str(self.store.path),
            "predictor": self.predictor.describe(),
        }


def scan(
    source: Any,
    predictor: Predictor,
    store: ResultStore,
    polygons: Sequence[Polygon],
    settings: ScanSettings,
    reporter: Reporter | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    encode: Callable[[Any], bytes] | None = None,
    resume: bool = True,
    skip: Callable[[Tile], str | None] | None = None,
) -> dict[str, Any]:
    """Scan ``polygons`` tile by tile into ``store``; returns the scan's summary."""
    return ScanRun(source, predictor, store, polygons, settings, reporter, cancelled, encode, resume, skip).run()
