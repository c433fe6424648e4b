"""The scan loop, shared by the CLI (in-process TF or REST) and the plugin (QGIS rendering +
REST to the local server): cover -> read chips -> batch -> predict -> commit.

Reads run in a thread pool, predictions in another (several requests in flight for REST),
and results commit in order, a batch per transaction. Everything is bounded, so memory stays
flat however large the region: tiles are generated lazily from the cover's row spans.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from ..core.cover import Polygon, count_cover, iter_cover
from ..core.errors import InputError, JobCancelled
from ..core.progress import Reporter
from ..core.tiles import Bounds, Tile, bounds_3857
from .store import ResultStore


class Predictor(Protocol):
    wants_bytes: bool  # encoded PNG chips (REST) or uint8 arrays (in-process)
    concurrency: int  # batches in flight

    def predict(self, chips: list[Any]) -> list[float]: ...

    def describe(self) -> dict[str, Any]: ...


@dataclass
class ScanSettings:
    zoom: int = 18
    supertile: bool = False
    tile_size: int = 256
    threshold: float = 0.5
    batch_size: int = 32
    workers: int = 4
    min_valid: float = 0.5
    shard: tuple[int, int] = (0, 1)

    @property
    def key_zoom(self) -> int:
        return self.zoom - 1 if self.supertile else self.zoom

    @property
    def chip_px(self) -> int:
        return self.tile_size * (2 if self.supertile else 1)


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


def _first_tiles(polygons: Sequence[Polygon], settings: ScanSettings, limit: int = 200_000) -> Iterator[Tile]:
    """The region's tiles (capped) for the overlap check; a huge region that passes the cap is
    assumed to touch its imagery."""
    for k, tile in enumerate(iter_cover(polygons, settings.key_zoom)):
        if k >= limit:
            return
        yield tile


def _overlaps(b: Bounds, e: Bounds) -> bool:
    return b.west < e.east and b.east > e.west and b.south < e.north and b.north > e.south


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
) -> dict[str, Any]:
    reporter = reporter or Reporter("text")
    total = shard_count(count_cover(polygons, settings.key_zoom), settings.shard)
    if total == 0:
        raise InputError("The region is empty: it covers no tile. Check the extent or the polygons and their CRS.")
    extent = source.extent_3857()
    if extent is not None and not any(_overlaps(bounds_3857(t), extent) for t in _first_tiles(polygons, settings)):
        raise InputError(
            "The region and the imagery do not overlap: there is no imagery to scan there. Check the "
            "region's CRS and the imagery layer."
        )
    stats: Counter[str] = Counter()
    done = 0
    start = time.perf_counter()
    reporter.progress(0, total, unit="tile", message="Scanning", force=True)

    def read(tile: Tile) -> tuple[Tile, Any, str | None]:
        b = bounds_3857(tile)
        if extent is not None and not _overlaps(b, extent):
            return tile, None, "outside imagery"
        try:
            chip = source.read(b, settings.chip_px)
        except Exception as exc:
            from ..imagery.xyz import TileFetchError

            if isinstance(exc, TileFetchError):
                return tile, None, "fetch failed"
            raise
        if chip.valid_fraction < settings.min_valid:
            return tile, None, "no imagery" if chip.valid_fraction == 0 else "mostly no-data"
        payload = encode(chip.rgb) if encode is not None and predictor.wants_bytes else chip.rgb
        return tile, payload, None

    pending: deque[tuple[list[Tile], list[tuple[Tile, str]], Future[list[float]]]] = deque()

    def drain(limit: int) -> None:
        nonlocal done
        while len(pending) > limit:
            tiles, skipped, fut = pending.popleft()
            scores = fut.result()
            stats["candidates"] += store.commit(zip(tiles, scores), skipped)
            stats["scored"] += len(tiles)
            done += len(tiles) + len(skipped)
            reporter.progress(done, total, unit="tile", message="Scanning")

    with (
        ThreadPoolExecutor(max(1, settings.workers)) as readers,
        ThreadPoolExecutor(max(1, predictor.concurrency)) as predictors,
    ):
        tiles_iter = shard_tiles(polygons, settings.key_zoom, settings.shard)
        batch_tiles: list[Tile] = []
        batch_chips: list[Any] = []
        batch_skipped: list[tuple[Tile, str]] = []
        chunk_size = settings.batch_size * max(2, settings.workers)
        try:
            while True:
                chunk = [t for _, t in zip(range(chunk_size), tiles_iter)]
                if not chunk:
                    break
                if resume:
                    seen = store.scored(chunk)
                    if seen:
                        stats["resumed"] += len(seen)
                        done += len(seen)
                        chunk = [t for t in chunk if t.id not in seen]
                for tile, payload, reason in readers.map(read, chunk):
                    if reason is not None:
                        stats[reason] += 1
                        batch_skipped.append((tile, reason))
                    else:
                        batch_tiles.append(tile)
                        batch_chips.append(payload)
                    if len(batch_tiles) >= settings.batch_size:
                        pending.append((batch_tiles, batch_skipped, predictors.submit(predictor.predict, batch_chips)))
                        batch_tiles, batch_chips, batch_skipped = [], [], []
                        drain(predictor.concurrency)
                if cancelled():
                    raise JobCancelled(
                        "Scan cancelled; every finished batch is saved. Scan again with resume to continue."
                    )
            if batch_tiles or batch_skipped:
                pending.append((batch_tiles, batch_skipped, predictors.submit(predictor.predict, batch_chips)))
            drain(0)
        except BaseException:
            # keep what finished: commit completed batches in order, drop the rest unsaved
            while pending and pending[0][2].done() and pending[0][2].exception() is None:
                drain(len(pending) - 1)
            for *_, fut in pending:
                fut.cancel()
            raise
    elapsed = time.perf_counter() - start
    reporter.progress(total, total, unit="tile", message="Scanning", force=True)
    counts = store.counts()
    return {
        "tiles": total,
        "scored_now": stats["scored"],
        "resumed": stats["resumed"],
        "skipped": {k: v for k, v in stats.items() if k not in ("scored", "resumed", "candidates") and v},
        "candidates": counts["candidates"],
        "candidates_now": stats["candidates"],
        "seconds": round(elapsed, 2),
        "tiles_per_s": round(stats["scored"] / elapsed, 1) if elapsed > 0 and stats["scored"] else None,
        "shard": list(settings.shard),
        "threshold": settings.threshold,
        "results": str(store.path),
        "predictor": predictor.describe(),
    }
