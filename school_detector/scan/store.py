"""Scan results keyed by tile, committed batch by batch in SQLite transactions.

One GeoPackage holds everything: ``tile_scores`` (every tile scanned, its score or why it had
none), ``candidates`` (a point per tile at or above the threshold, with the review fields) and
``candidate_footprints`` (the tiles as polygons). A batch is one transaction, so a scan killed
at any moment (even ``kill -9``) leaves whole batches only; ``--resume`` skips scored tiles and
a re-run is idempotent. Review decisions already in the file are never overwritten by a rescan.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.gpkg import GeoPackage, encode_geometry
from ..core.results import (
    CANDIDATE_FIELDS,
    CANDIDATES_TABLE,
    FOOTPRINTS_TABLE,
    SCORES_TABLE,
    Prediction,
    ReviewStatus,
    as_prediction,
)
from ..core.tiles import Tile, bounds_3857

INFO_TABLE = "scan_info"
log = logging.getLogger(__name__)


def _info(conn: sqlite3.Connection) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in conn.execute(f'SELECT key, value FROM "{INFO_TABLE}"')}


def read_info(path: Path) -> dict[str, Any]:
    """A results file's scan settings, read without writing anything ({} for a file that is
    not a scan's: no kept scores, or no settings; a file that can't be read is logged)."""
    conn = None
    try:
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return _info(conn) if {SCORES_TABLE, INFO_TABLE} <= tables else {}
    except (sqlite3.Error, ValueError, OSError) as exc:
        log.warning("Could not read the scan settings of %s: %s", path, exc)
        return {}
    finally:
        if conn is not None:
            conn.close()


def candidate_floor(info: dict[str, Any], default: float) -> float:
    """The lowest score the candidates layer holds every tile for: the scan's threshold, or
    lower after :meth:`ResultStore.lower_threshold`."""
    return float(info.get("candidate_floor", info.get("threshold", default)))


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ResultStore:
    def __init__(self, path: Path, model_id: str, threshold: float) -> None:
        self.path = Path(path)
        self.model_id = model_id
        self.threshold = threshold
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.gpkg = GeoPackage(self.path)
            self._create()
            floor = self.info().get("candidate_floor")
            if floor is not None and float(floor) < threshold:  # lowered in review: keep it so
                self.threshold = float(floor)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"Cannot write the results GeoPackage {self.path}: {exc}.") from exc

    @classmethod
    def open(cls, path: Path) -> ResultStore:
        """An existing scan's results (to lower its threshold), refused clearly when the file
        is not one; its model and threshold are the scan's own."""
        info = read_info(path)
        if not info:
            raise InputError(f"{Path(path).name} is not the results file of a school_detector scan.")
        return cls(path, str(info.get("model", "")), candidate_floor(info, 0.5))

    def _create(self) -> None:
        g = self.gpkg
        g.create_feature_table(
            CANDIDATES_TABLE,
            "POINT",
            3857,
            [(f.name, f.sql_type) for f in CANDIDATE_FIELDS],
            description="Candidate schools (tile centres) to review",
        )
        g.create_feature_table(
            FOOTPRINTS_TABLE,
            "POLYGON",
            3857,
            [("tile", "TEXT"), ("score", "REAL"), ("model", "TEXT"), ("status", "TEXT")],
            description="Candidate tiles as polygons",
        )
        with g.conn:
            g.conn.execute(
                f'CREATE TABLE IF NOT EXISTS "{SCORES_TABLE}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
                "tile TEXT NOT NULL UNIQUE, z INTEGER, x INTEGER, y INTEGER, score REAL, model TEXT, "
                "scanned_at TEXT, note TEXT)"
            )
            g.conn.execute(
                f'CREATE TABLE IF NOT EXISTS "{INFO_TABLE}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
                "key TEXT NOT NULL UNIQUE, value TEXT)"
            )
            for table, text in ((SCORES_TABLE, "Score of every scanned tile"), (INFO_TABLE, "Scan settings")):
                g.conn.execute(
                    "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
                    "last_change) VALUES (?, 'attributes', ?, ?, ?)",
                    (table, table, text, now()),
                )
            g.conn.execute(f'CREATE UNIQUE INDEX IF NOT EXISTS "{CANDIDATES_TABLE}_tile" ON "{CANDIDATES_TABLE}"(tile)')
            g.conn.execute(f'CREATE UNIQUE INDEX IF NOT EXISTS "{FOOTPRINTS_TABLE}_tile" ON "{FOOTPRINTS_TABLE}"(tile)')

    def set_info(self, info: dict[str, Any]) -> None:
        with self.gpkg.conn:
            self.gpkg.conn.executemany(
                f'INSERT OR REPLACE INTO "{INFO_TABLE}" (key, value) VALUES (?, ?)',
                [(k, json.dumps(v, default=str)) for k, v in info.items()],
            )

    def info(self) -> dict[str, Any]:
        return _info(self.gpkg.conn)

    def scored(self, tiles: Sequence[Tile]) -> set[str]:
        """Which of these tiles already have a row (scored or skipped): the resume check."""
        ids = [t.id for t in tiles]
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = self.gpkg.conn.execute(
                f'SELECT tile FROM "{SCORES_TABLE}" WHERE tile IN ({",".join("?" * len(chunk))})', chunk
            )
            found.update(r[0] for r in rows)
        return found

    def commit(
        self, scored: Iterable[tuple[Tile, Prediction | float]], skipped: Iterable[tuple[Tile, str]] = ()
    ) -> int:
        """One transaction: scores, and candidates for tiles at or above the threshold. A failed
        write (disk full) rolls the whole batch back and says so; earlier batches stay."""
        try:
            return self._commit([(t, as_prediction(p).score) for t, p in scored], skipped)
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if "full" in text or "disk" in text or "i/o" in text:
                raise InputError(
                    f"Out of disk space (or the disk failed) writing {self.path}; every batch before "
                    "this one is saved. Free space and scan again with resume.",
                    str(exc),
                ) from exc
            raise InputError(
                f"Could not write {self.path}: {exc}. Is it open and locked by another program?", str(exc)
            ) from exc

    def _commit(self, scored: Iterable[tuple[Tile, float]], skipped: Iterable[tuple[Tile, str]]) -> int:
        stamp = now()
        scored = list(scored)
        conn = self.gpkg.conn
        candidates = 0
        with conn:
            conn.executemany(
                f'INSERT INTO "{SCORES_TABLE}" (tile, z, x, y, score, model, scanned_at, note) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL) ON CONFLICT(tile) DO UPDATE SET score=excluded.score, "
                "model=excluded.model, scanned_at=excluded.scanned_at, note=NULL",
                [(t.id, t.z, t.x, t.y, float(s), self.model_id, stamp) for t, s in scored],
            )
            conn.executemany(
                f'INSERT INTO "{SCORES_TABLE}" (tile, z, x, y, score, model, scanned_at, note) '
                "VALUES (?, ?, ?, ?, NULL, ?, ?, ?) ON CONFLICT(tile) DO NOTHING",
                [(t.id, t.z, t.x, t.y, self.model_id, stamp, why) for t, why in skipped],
            )
            for tile, score in scored:
                if score >= self.threshold:
                    candidates += 1
                    self._insert_candidate(tile, float(score), self.model_id, stamp)
            self._grow_extents(scored)
        return candidates

    def _insert_candidate(self, tile: Tile, score: float, model: str, stamp: str) -> None:
        """A candidate point and its footprint; a re-scan updates the score, never a decision."""
        b = bounds_3857(tile)
        centre = ((b.west + b.east) / 2, (b.south + b.north) / 2)
        ring = [(b.west, b.south), (b.east, b.south), (b.east, b.north), (b.west, b.north), (b.west, b.south)]
        conn = self.gpkg.conn
        conn.execute(
            f'INSERT INTO "{CANDIDATES_TABLE}" (geom, tile, z, x, y, score, model, scanned_at, status) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(tile) DO UPDATE SET score=excluded.score, "
            "model=excluded.model, scanned_at=excluded.scanned_at",
            (
                encode_geometry(centre, "POINT", 3857),
                tile.id,
                tile.z,
                tile.x,
                tile.y,
                score,
                model,
                stamp,
                ReviewStatus.UNREVIEWED.value,
            ),
        )
        conn.execute(
            f'INSERT INTO "{FOOTPRINTS_TABLE}" (geom, tile, score, model, status) VALUES (?, ?, ?, ?, ?) '
            "ON CONFLICT(tile) DO UPDATE SET score=excluded.score, model=excluded.model",
            (encode_geometry([ring], "POLYGON", 3857), tile.id, score, model, ReviewStatus.UNREVIEWED.value),
        )

    def candidate_floor(self) -> float:
        """The lowest score the candidates layer holds every tile for (the scan's threshold,
        or lower after :meth:`lower_threshold`)."""
        return candidate_floor(self.info(), self.threshold)

    def lower_threshold(self, threshold: float) -> int:
        """Make candidates of every scored tile at or above ``threshold`` from the kept scores:
        the threshold goes down without a rescan. Returns how many candidates were added."""
        if threshold >= self.candidate_floor():
            return 0
        conn = self.gpkg.conn
        rows = conn.execute(
            f'SELECT s.z, s.x, s.y, s.score, s.model, s.scanned_at FROM "{SCORES_TABLE}" AS s '
            f'LEFT JOIN "{CANDIDATES_TABLE}" AS c ON c.tile = s.tile '
            "WHERE s.score IS NOT NULL AND s.score >= ? AND c.tile IS NULL",
            (threshold,),
        ).fetchall()
        with conn:
            for z, x, y, score, model, stamp in rows:
                self._insert_candidate(Tile(x, y, z), score, model, stamp)
            conn.execute(
                f'INSERT OR REPLACE INTO "{INFO_TABLE}" (key, value) VALUES (?, ?)',
                ("candidate_floor", json.dumps(threshold)),
            )
        self.recompute_extents()
        return len(rows)

    def _grow_extents(self, scored: list[tuple[Tile, float]]) -> None:
        hits = [bounds_3857(t) for t, s in scored if s >= self.threshold]
        if not hits:
            return
        w, s = min(b.west for b in hits), min(b.south for b in hits)
        e, n = max(b.east for b in hits), max(b.north for b in hits)
        for table in (CANDIDATES_TABLE, FOOTPRINTS_TABLE):
            self.gpkg.conn.execute(
                "UPDATE gpkg_contents SET min_x = MIN(COALESCE(min_x, ?), ?), min_y = MIN(COALESCE(min_y, ?), ?), "
                "max_x = MAX(COALESCE(max_x, ?), ?), max_y = MAX(COALESCE(max_y, ?), ?), last_change = ? "
                "WHERE table_name = ?",
                (w, w, s, s, e, e, n, n, now(), table),
            )

    def recompute_extents(self) -> None:
        """Layer extents from the candidates' tile columns (after a merge)."""
        tiles = [Tile(x, y, z) for z, x, y in self.gpkg.conn.execute(f'SELECT z, x, y FROM "{CANDIDATES_TABLE}"')]
        if not tiles:
            return
        bounds = [bounds_3857(t) for t in tiles]
        box = (
            min(b.west for b in bounds),
            min(b.south for b in bounds),
            max(b.east for b in bounds),
            max(b.north for b in bounds),
        )
        with self.gpkg.conn:
            for table in (CANDIDATES_TABLE, FOOTPRINTS_TABLE):
                self.gpkg.conn.execute(
                    "UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?, last_change=? WHERE table_name=?",
                    (*box, now(), table),
                )

    def counts(self) -> dict[str, int]:
        c = self.gpkg.conn
        return {
            "tiles": c.execute(f'SELECT COUNT(*) FROM "{SCORES_TABLE}"').fetchone()[0],
            "scored": c.execute(f'SELECT COUNT(*) FROM "{SCORES_TABLE}" WHERE score IS NOT NULL').fetchone()[0],
            "candidates": c.execute(f'SELECT COUNT(*) FROM "{CANDIDATES_TABLE}"').fetchone()[0],
        }

    def scores(self) -> dict[str, float]:
        return {
            t: s for t, s in self.gpkg.conn.execute(f'SELECT tile, score FROM "{SCORES_TABLE}" WHERE score IS NOT NULL')
        }

    def close(self) -> None:
        self.gpkg.close()


_REVIEWED = "COALESCE({a}.status, 'unreviewed') != 'unreviewed'"


def merge(target: Path, sources: Sequence[Path]) -> dict[str, int]:
    """Merge result files into one: scan shards (disjoint tiles: the first file with a tile
    wins) and mappers' reviewed copies of one scan. A review decision is taken from whichever
    file reviewed the tile (the latest ``reviewed_at`` when several did); tiles that two
    mappers decided differently are counted as ``conflicts`` (none when they split the queue
    with the review panel's shares)."""
    first = ResultStore(target, "", 1.0)  # a new file: the merged scans' rows keep their own models
    stats = {"decisions_merged": 0, "conflicts": 0}
    try:
        conn = first.gpkg.conn
        for src in sources:
            if not Path(src).is_file():
                raise InputError(f"{src} does not exist.")
            conn.execute("ATTACH DATABASE ? AS src", (str(src),))
            try:
                with conn:
                    cols = "tile, z, x, y, score, model, scanned_at, note"
                    conn.execute(
                        f'INSERT OR IGNORE INTO "{SCORES_TABLE}" ({cols}) SELECT {cols} FROM src."{SCORES_TABLE}"'
                    )
                    names = ", ".join(["geom"] + [f.name for f in CANDIDATE_FIELDS])
                    conn.execute(
                        f'INSERT OR IGNORE INTO "{CANDIDATES_TABLE}" ({names}) '
                        f'SELECT {names} FROM src."{CANDIDATES_TABLE}"'
                    )
                    conn.execute(
                        f'INSERT OR IGNORE INTO "{FOOTPRINTS_TABLE}" (geom, tile, score, model, status) '
                        f'SELECT geom, tile, score, model, status FROM src."{FOOTPRINTS_TABLE}"'
                    )
                    stats["conflicts"] += conn.execute(
                        f'SELECT COUNT(*) FROM "{CANDIDATES_TABLE}" AS t JOIN src."{CANDIDATES_TABLE}" AS s '
                        f"ON s.tile = t.tile WHERE {_REVIEWED.format(a='s')} AND {_REVIEWED.format(a='t')} "
                        "AND s.status != t.status"
                    ).fetchone()[0]
                    stats["decisions_merged"] += conn.execute(
                        f'UPDATE "{CANDIDATES_TABLE}" AS t SET status = s.status, reviewer = s.reviewer, '
                        f'reviewed_at = s.reviewed_at, note = s.note FROM src."{CANDIDATES_TABLE}" AS s '
                        f"WHERE s.tile = t.tile AND {_REVIEWED.format(a='s')} AND (NOT {_REVIEWED.format(a='t')} "
                        "OR COALESCE(s.reviewed_at, '') > COALESCE(t.reviewed_at, ''))"
                    ).rowcount
            finally:
                conn.execute("DETACH DATABASE src")
        first.recompute_extents()
        return {**first.counts(), **stats}
    finally:
        first.close()
