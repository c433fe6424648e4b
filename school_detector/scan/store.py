"""Scan results keyed by tile, committed batch by batch in SQLite transactions.

One GeoPackage holds everything: ``tile_scores`` (every tile scanned: its score, where the
model placed the school in it, or why it had no score), ``candidates`` (a point per tile at or
above the threshold, on the school as the model locates it, with the review fields) and
``candidate_footprints`` (the tiles as polygons). A batch is one transaction, so a scan killed
at any moment (even ``kill -9``) leaves whole batches only; ``--resume`` skips scored tiles and
a re-run is idempotent. Review decisions already in the file are never overwritten by a rescan.

Where the point falls decides what the candidate is (``PlaceRules``): on a school the mapper
already knows, it is ``known`` (set aside from the review queue); outside the region's
polygons, it is no candidate at all (the score stays in ``tile_scores``). The verdict is kept
per tile, so lowering the threshold later reaches the same verdicts without the lists.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.gpkg import GeoPackage, decode_geometry, encode_geometry
from ..core.places import MODEL, TILE_CENTRE, KnownSchools, Region, centre, chip_point
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
KNOWN, OUTSIDE = "known", "outside region"
#: tile_scores columns added since the first release (older files gain them when opened)
SCORE_COLUMNS = (("px", "REAL"), ("py", "REAL"), ("location", "TEXT"), ("place", "TEXT"))
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


@dataclass
class PlaceRules:
    """What a candidate's point is checked against: the schools already known, and the
    region's polygons (a district scan lists only what lies in the district)."""

    known: KnownSchools | None = None
    region: Region | None = None

    def verdict(self, point: tuple[float, float]) -> str | None:
        if self.region is not None and not self.region.contains(point):
            return OUTSIDE
        if self.known is not None and self.known.match(point):
            return KNOWN
        return None


class ResultStore:
    def __init__(self, path: Path, model_id: str, threshold: float, places: PlaceRules | None = None) -> None:
        self.path = Path(path)
        self.model_id = model_id
        self.threshold = threshold
        self.places = places or PlaceRules()
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
        """An existing scan's results (to lower its threshold, or merge into), refused clearly
        when the file is not one; its threshold is the scan's own."""
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
            description="Candidate schools to review (points where the model places the school)",
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
                "scanned_at TEXT, note TEXT" + "".join(f", {n} {t}" for n, t in SCORE_COLUMNS) + ")"
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
            self._add_missing_columns(SCORES_TABLE, SCORE_COLUMNS)
            self._add_missing_columns(CANDIDATES_TABLE, [(f.name, f.sql_type) for f in CANDIDATE_FIELDS])
            g.conn.execute(f'CREATE UNIQUE INDEX IF NOT EXISTS "{CANDIDATES_TABLE}_tile" ON "{CANDIDATES_TABLE}"(tile)')
            g.conn.execute(f'CREATE UNIQUE INDEX IF NOT EXISTS "{FOOTPRINTS_TABLE}_tile" ON "{FOOTPRINTS_TABLE}"(tile)')

    def _add_missing_columns(self, table: str, columns: Sequence[tuple[str, str]]) -> None:
        """A results file from an older version gains the columns this one writes."""
        have = {r[1] for r in self.gpkg.conn.execute(f'PRAGMA table_info("{table}")')}
        for name, sql_type in columns:
            if name not in have:
                self.gpkg.conn.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {sql_type}')

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
            return self._commit([(t, as_prediction(p)) for t, p in scored], list(skipped))
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

    def locate(self, tile: Tile, p: Prediction) -> tuple[tuple[float, float], str]:
        """The candidate's point (EPSG:3857) and how it was found: the model's location in the
        chip, or the tile centre when the model gives none."""
        b = bounds_3857(tile)
        if p.fx is None or p.fy is None:
            return centre(b), TILE_CENTRE
        return chip_point(b, p.fx, p.fy), MODEL

    def _commit(self, scored: list[tuple[Tile, Prediction]], skipped: list[tuple[Tile, str]]) -> int:
        stamp = now()
        conn = self.gpkg.conn
        rows = []
        for tile, p in scored:
            point, location = self.locate(tile, p)
            rows.append((tile, p.score, point, location, self.places.verdict(point)))
        candidates = 0
        with conn:
            conn.executemany(
                f'INSERT INTO "{SCORES_TABLE}" (tile, z, x, y, score, model, scanned_at, note, px, py, location, '
                "place) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?) ON CONFLICT(tile) DO UPDATE SET "
                "score=excluded.score, model=excluded.model, scanned_at=excluded.scanned_at, note=NULL, "
                "px=excluded.px, py=excluded.py, location=excluded.location, place=excluded.place",
                [
                    (t.id, t.z, t.x, t.y, float(s), self.model_id, stamp, pt[0], pt[1], loc, place)
                    for t, s, pt, loc, place in rows
                ],
            )
            conn.executemany(
                f'INSERT INTO "{SCORES_TABLE}" (tile, z, x, y, score, model, scanned_at, note) '
                "VALUES (?, ?, ?, ?, NULL, ?, ?, ?) ON CONFLICT(tile) DO NOTHING",
                [(t.id, t.z, t.x, t.y, self.model_id, stamp, why) for t, why in skipped],
            )
            hits = [r for r in rows if r[1] >= self.threshold and r[4] != OUTSIDE]
            for tile, score, point, location, place in hits:
                self._insert_candidate(tile, score, self.model_id, stamp, point, location, place == KNOWN)
            candidates = len(hits)
            self._grow_extents([r[0] for r in hits])
        return candidates

    def _insert_candidate(
        self, tile: Tile, score: float, model: str, stamp: str, point: tuple[float, float], location: str, known: bool
    ) -> None:
        """A candidate point and its footprint; a re-scan updates the score and the point,
        never a decision."""
        b = bounds_3857(tile)
        ring = [(b.west, b.south), (b.east, b.south), (b.east, b.north), (b.west, b.north), (b.west, b.south)]
        status = (ReviewStatus.KNOWN if known else ReviewStatus.UNREVIEWED).value
        conn = self.gpkg.conn
        conn.execute(
            f'INSERT INTO "{CANDIDATES_TABLE}" (geom, tile, z, x, y, score, model, scanned_at, status, location) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(tile) DO UPDATE SET score=excluded.score, "
            "model=excluded.model, scanned_at=excluded.scanned_at, geom=excluded.geom, location=excluded.location",
            (
                encode_geometry(point, "POINT", 3857),
                tile.id,
                tile.z,
                tile.x,
                tile.y,
                score,
                model,
                stamp,
                status,
                location,
            ),
        )
        conn.execute(
            f'INSERT INTO "{FOOTPRINTS_TABLE}" (geom, tile, score, model, status) VALUES (?, ?, ?, ?, ?) '
            "ON CONFLICT(tile) DO UPDATE SET score=excluded.score, model=excluded.model",
            (encode_geometry([ring], "POLYGON", 3857), tile.id, score, model, status),
        )

    def candidate_floor(self) -> float:
        """The lowest score the candidates layer holds every tile for (the scan's threshold,
        or lower after :meth:`lower_threshold`)."""
        return candidate_floor(self.info(), self.threshold)

    def lower_threshold(self, threshold: float) -> int:
        """Make candidates of every scored tile at or above ``threshold`` from the kept scores
        and points: the threshold goes down without a rescan. Returns how many were added."""
        if threshold >= self.candidate_floor():
            return 0
        conn = self.gpkg.conn
        rows = conn.execute(
            f"SELECT s.z, s.x, s.y, s.score, s.model, s.scanned_at, s.px, s.py, s.location, s.place "
            f'FROM "{SCORES_TABLE}" AS s LEFT JOIN "{CANDIDATES_TABLE}" AS c ON c.tile = s.tile '
            "WHERE s.score IS NOT NULL AND s.score >= ? AND c.tile IS NULL AND COALESCE(s.place, '') != ?",
            (threshold, OUTSIDE),
        ).fetchall()
        with conn:
            for z, x, y, score, model, stamp, px, py, location, place in rows:
                tile = Tile(x, y, z)
                point = (px, py) if px is not None and py is not None else centre(bounds_3857(tile))
                self._insert_candidate(tile, score, model, stamp, point, location or TILE_CENTRE, place == KNOWN)
            conn.execute(
                f'INSERT OR REPLACE INTO "{INFO_TABLE}" (key, value) VALUES (?, ?)',
                ("candidate_floor", json.dumps(threshold)),
            )
        self.set_aside_known_places()
        self.recompute_extents()
        return len(rows)

    def _grow_extents(self, tiles: list[Tile]) -> None:
        if not tiles:
            return
        hits = [bounds_3857(t) for t in tiles]
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

        def one(sql: str, *args: Any) -> int:
            return int(c.execute(sql, args).fetchone()[0])

        return {
            "tiles": one(f'SELECT COUNT(*) FROM "{SCORES_TABLE}"'),
            "scored": one(f'SELECT COUNT(*) FROM "{SCORES_TABLE}" WHERE score IS NOT NULL'),
            "candidates": one(f'SELECT COUNT(*) FROM "{CANDIDATES_TABLE}"'),
            "known": one(f'SELECT COUNT(*) FROM "{CANDIDATES_TABLE}" WHERE status = ?', ReviewStatus.KNOWN.value),
            "outside_region": one(
                f'SELECT COUNT(*) FROM "{SCORES_TABLE}" WHERE place = ? AND score >= ?', OUTSIDE, self.threshold
            ),
        }

    def _items(self, where: str = "1", args: tuple[Any, ...] = ()) -> list[Any]:
        """Candidates as review-queue items (points only where the model placed them)."""
        from ..core.review_queue import Item

        items = []
        rows = self.gpkg.conn.execute(
            f'SELECT fid, geom, z, x, y, score, location FROM "{CANDIDATES_TABLE}" WHERE {where}', args
        )
        for fid, blob, z, x, y, score, location in rows:
            px, py = decode_geometry(blob)[1] if blob is not None and location == MODEL else (None, None)
            items.append(Item(fid, z, x, y, float(score or 0.0), px, py))
        return items

    def set_aside_known_places(self) -> int:
        """A place with a candidate on a known school is that school: its other candidates
        (neighbouring tiles that placed it on another part of the compound) are known too.
        Returns how many candidates this sets aside."""
        from ..core.review_queue import sites

        statuses = dict(self.gpkg.conn.execute(f'SELECT fid, COALESCE(status, ?) FROM "{CANDIDATES_TABLE}"', ("",)))
        known = ReviewStatus.KNOWN.value
        if known not in statuses.values():  # no known school among the candidates: no place to set aside
            return 0
        open_ = ("", ReviewStatus.UNREVIEWED.value)
        fids = [
            m.key
            for place in sites(self._items())
            if any(statuses[m.key] == known for m in place)
            for m in place
            if statuses[m.key] in open_
        ]
        with self.gpkg.conn:
            self.gpkg.conn.executemany(
                f'UPDATE "{CANDIDATES_TABLE}" SET status = ? WHERE fid = ?', [(known, f) for f in fids]
            )
        return len(fids)

    def review_counts(self) -> dict[str, int]:
        """What the scan leaves a mapper: candidates to review, the places they make (one school
        seen from neighbouring tiles is one place), and what was set aside."""
        from ..core.review_queue import sites

        items = self._items("COALESCE(status, 'unreviewed') = 'unreviewed'")
        counts = self.counts()
        return {
            "to_review": len(items),
            "places": len(sites(items)),
            "known": counts["known"],
            "outside_region": counts["outside_region"],
        }

    def scores(self) -> dict[str, float]:
        return {
            t: s for t, s in self.gpkg.conn.execute(f'SELECT tile, score FROM "{SCORES_TABLE}" WHERE score IS NOT NULL')
        }

    def close(self) -> None:
        self.gpkg.close()


_REVIEWED = "COALESCE({a}.status, 'unreviewed') != 'unreviewed'"


def _shared_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """The columns of ``table`` in both the merged file and the attached ``src`` (a file from
    an older version lacks the newer ones)."""
    ours = [r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")') if r[1] != "fid"]
    theirs = {r[1] for r in conn.execute(f'PRAGMA src.table_info("{table}")')}
    return [f'"{c}"' for c in ours if c in theirs]


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
                    cols = ", ".join(_shared_columns(conn, SCORES_TABLE))
                    conn.execute(
                        f'INSERT OR IGNORE INTO "{SCORES_TABLE}" ({cols}) SELECT {cols} FROM src."{SCORES_TABLE}"'
                    )
                    names = ", ".join(_shared_columns(conn, CANDIDATES_TABLE))
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
