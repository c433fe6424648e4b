"""Scan results keyed by tile, committed batch by batch in SQLite transactions.

One GeoPackage holds everything: ``tile_scores`` (every tile scanned: its score, where the
model placed the school in it, or why it had no score), ``candidates`` (a point per tile at or
above the threshold, on the school as the model locates it, with the review fields) and
``candidate_footprints`` (the tiles as polygons). A batch is one transaction, so a scan killed
at any moment (even ``kill -9``) leaves whole batches only; ``--resume`` skips scored tiles and
a re-run is idempotent. Review decisions already in the file are never overwritten by a rescan.

Where the point falls decides what the candidate is (``PlaceRules``): on a school the mapper
already knows (its own point within the known distance, or inside a known polygon), it is
``known`` (set aside from the review queue); near one but not on it, it stays in the queue with
its distance (``known_m``: "82 m from a mapped school"); outside the region's polygons, it is no
candidate at all (the score stays in ``tile_scores``). The verdict is kept per tile, so lowering
the threshold later reaches the same verdicts without the lists, and it is judged again at the
end of every run (:meth:`ResultStore.reconcile`) against every region scanned into the file
(``scan_regions``) and the run's known list: a school on the edge of one map-extent scan is not
lost when the next one covers it.

One file holds one scan: the record in ``scan_info`` (model, chip geometry, imagery) is compared
before a scan resumes into a file or shards merge (:func:`record_differences`).

Every statement here names its tables by this module's constants and its columns by our own
schema (never by input), and passes values as parameters: the ``# nosec B608`` marks say so to
Bandit, which flags any SQL built with an f-string.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core.cover import Polygon
from ..core.distances import KNOWN_DISTANCE_M
from ..core.errors import InputError
from ..core.gpkg import GeoPackage, decode_geometry, encode_geometry, quoted
from ..core.imagery import imagery_identity
from ..core.places import MODEL, TILE_CENTRE, KnownSchools, Region, centre, chip_point
from ..core.results import (
    CANDIDATE_FIELDS,
    CANDIDATES_TABLE,
    FOOTPRINTS_TABLE,
    SCORES_TABLE,
    Prediction,
    ReviewStatus,
    SkipReason,
    as_prediction,
)
from ..core.tiles import Tile, bounds_3857

INFO_TABLE = "scan_info"
REGIONS_TABLE = "scan_regions"
#: every known school given to a scan of this file (EPSG:3857 point, or polygon rings as JSON):
#: a resume or a merge judges the points against them without being given the list again
KNOWN_TABLE = "known_schools"
KNOWN, OUTSIDE = "known", "outside region"
#: tile_scores columns added since the first release (older files gain them when opened)
SCORE_COLUMNS = (("px", "REAL"), ("py", "REAL"), ("location", "TEXT"), ("place", "TEXT"), ("known_m", "REAL"))
#: what one scan's record holds that another scan resuming into its file (or a shard merged
#: with it) must share: the same model, chips cut the same way, from the same imagery
RECORD_KEYS = ("model", "zoom", "supertile", "tile_size", "chip_px", "imagery")
log = logging.getLogger(__name__)


def _info(conn: sqlite3.Connection) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in conn.execute(f'SELECT key, value FROM "{INFO_TABLE}"')}  # nosec B608


def _read(path: Path, what: Callable[[sqlite3.Connection, set[str]], Any], default: Any) -> Any:
    """``what(connection, tables)`` on a results file opened read-only by pragma, by its plain
    path (SQLite refuses the URI of a network share, ``file://server/…``); ``default`` for a
    file that isn't there or can't be read (logged)."""
    path = Path(path)
    if not path.is_file():
        return default
    conn = None
    try:
        conn = sqlite3.connect(str(path), timeout=10)
        conn.execute("PRAGMA query_only = ON")
        return what(conn, {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")})
    except (sqlite3.Error, ValueError, OSError) as exc:
        log.warning("Could not read %s: %s", path, exc)
        return default
    finally:
        if conn is not None:
            conn.close()


def read_info(path: Path) -> dict[str, Any]:
    """A results file's scan settings, read without writing anything ({} for a file that is
    not a scan's: no kept scores, or no settings)."""
    return _read(path, lambda conn, tables: _info(conn) if {SCORES_TABLE, INFO_TABLE} <= tables else {}, {})


def scored_tiles(path: Path) -> int:
    """How many tiles a results file holds (scored or skipped)."""
    return int(_read(path, lambda conn, _: conn.execute(f'SELECT COUNT(*) FROM "{SCORES_TABLE}"').fetchone()[0], 0))  # nosec B608


def is_results_file(path: Path) -> bool:
    """A scan's results (tile scores and candidates), made by this version or an older one."""
    return bool(_read(path, lambda _, tables: {SCORES_TABLE, CANDIDATES_TABLE} <= tables, False))


def record_differences(earlier: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between two scans' records, in words ("the model (schools:1 there,
    schools:2 here)"); [] when one file may hold both."""
    said = {
        "model": "the model",
        "zoom": "the zoom",
        "supertile": "supertiles",
        "tile_size": "the tile size",
        "chip_px": "the chip size",
        "imagery": "the imagery",
    }
    found = []
    for key in RECORD_KEYS:
        a, b = earlier.get(key), now.get(key)
        if key == "imagery":
            a, b = imagery_identity(a), imagery_identity(b)
        if a != b:
            found.append(f"{said[key]} ({a} there, {b} here)")
    return found


def candidate_floor(info: dict[str, Any], default: float) -> float:
    """The lowest score the candidates layer holds every tile for: the scan's threshold, or
    lower after :meth:`ResultStore.lower_threshold`."""
    return float(info.get("candidate_floor", info.get("threshold", default)))


def _kept_point(tile: Tile, px: float | None, py: float | None) -> tuple[float, float]:
    """A scored tile's kept point (EPSG:3857), or its centre where a file from an older version
    kept none."""
    return (px, py) if px is not None and py is not None else centre(bounds_3857(tile))


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class PlaceRules:
    """What a candidate's point is checked against: the schools already known, and the
    region's polygons (a district scan lists only what lies in the district)."""

    known: KnownSchools | None = None
    region: Region | None = None

    def verdict(self, point: tuple[float, float]) -> tuple[str | None, float | None]:
        """(``outside region``, ``known`` or None; ground metres to the nearest known school
        when one is within reach: core.distances.NEAR_KNOWN_M)."""
        if self.region is not None and not self.region.contains(point):
            return OUTSIDE, None
        if self.known is None:
            return None, None
        metres = self.known.distance(point)
        return (KNOWN if metres is not None and metres <= self.known.distance_m else None), metres


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
        g.create_feature_table(
            REGIONS_TABLE,
            "POLYGON",
            3857,
            [("region", "TEXT"), ("scanned_at", "TEXT")],
            description="The regions scanned into this file, one polygon per row",
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
            g.conn.execute(
                f'CREATE TABLE IF NOT EXISTS "{KNOWN_TABLE}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
                "x REAL, y REAL, polygon TEXT, UNIQUE (x, y, polygon))"
            )
            for table, text in (
                (SCORES_TABLE, "Score of every scanned tile"),
                (INFO_TABLE, "Scan settings"),
                (KNOWN_TABLE, "Known schools the scans were given (EPSG:3857)"),
            ):
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

    # -- the regions scanned into this file -------------------------------------------------
    def add_region(self, polygons: Sequence[Polygon], text: str) -> None:
        """Record a run's region (EPSG:3857 polygons), once: a resume over the same region adds nothing."""
        have = {bytes(b) for (b,) in self.gpkg.conn.execute(f'SELECT geom FROM "{REGIONS_TABLE}"')}  # nosec B608
        new = [p for p in polygons if p and p[0] and encode_geometry(p, "POLYGON", 3857) not in have]
        if new:
            with self.gpkg.conn:
                self.gpkg.insert_features(REGIONS_TABLE, [(p, {"region": text, "scanned_at": now()}) for p in new])

    def regions(self) -> list[Polygon]:
        return [rings for _, rings, _ in self.gpkg.features(REGIONS_TABLE)]

    # -- the schools known to this file ------------------------------------------------------
    def add_known(self, known: KnownSchools) -> None:
        """Keep a run's known schools with the results (once each)."""
        rows = [(x, y, "") for x, y in known.points] + [(0.0, 0.0, json.dumps(p)) for p in known.polygons]
        with self.gpkg.conn:
            self.gpkg.conn.executemany(f'INSERT OR IGNORE INTO "{KNOWN_TABLE}" (x, y, polygon) VALUES (?, ?, ?)', rows)

    def known_schools(self, distance_m: float) -> KnownSchools | None:
        """Every known school given to a scan of this file, matched within ``distance_m``."""
        points, polygons = [], []
        for x, y, polygon in self.gpkg.conn.execute(f'SELECT x, y, polygon FROM "{KNOWN_TABLE}" ORDER BY fid'):  # nosec B608
            if polygon:
                polygons.append([[tuple(v) for v in ring] for ring in json.loads(polygon)])
            else:
                points.append((x, y))
        return KnownSchools(points, polygons, distance_m) if points or polygons else None

    # -- writing ------------------------------------------------------------------------------
    def scored(self, tiles: Sequence[Tile], retry: Sequence[str] = ()) -> set[str]:
        """Which of these tiles a resumed scan skips: those with a score, or skipped for good
        (``retry``: the skip reasons worth another try, core.results.SkipReason)."""
        ids = [t.id for t in tiles]
        again = list(retry)
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = self.gpkg.conn.execute(
                f'SELECT tile FROM "{SCORES_TABLE}" WHERE tile IN ({",".join("?" * len(chunk))}) AND NOT '  # nosec B608
                f"(score IS NULL AND COALESCE(note, '') IN ({','.join('?' * len(again)) or 'NULL'}))",
                [*chunk, *again],
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
            place, known_m = self.places.verdict(point)
            rows.append((tile, p.score, point, location, place, known_m))
        with conn:
            conn.executemany(
                f'INSERT INTO "{SCORES_TABLE}" (tile, z, x, y, score, model, scanned_at, note, px, py, location, '  # nosec B608
                "place, known_m) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?) ON CONFLICT(tile) DO UPDATE SET "
                "score=excluded.score, model=excluded.model, scanned_at=excluded.scanned_at, note=NULL, "
                "px=excluded.px, py=excluded.py, location=excluded.location, place=excluded.place, "
                "known_m=excluded.known_m",
                [
                    (t.id, t.z, t.x, t.y, float(s), self.model_id, stamp, pt[0], pt[1], loc, place, metres)
                    for t, s, pt, loc, place, metres in rows
                ],
            )
            conn.executemany(  # a skip never replaces a score; a retried skip gets its new reason
                f'INSERT INTO "{SCORES_TABLE}" (tile, z, x, y, score, model, scanned_at, note) '  # nosec B608
                "VALUES (?, ?, ?, ?, NULL, ?, ?, ?) ON CONFLICT(tile) DO UPDATE SET note=excluded.note, "
                "scanned_at=excluded.scanned_at WHERE score IS NULL",
                [(t.id, t.z, t.x, t.y, self.model_id, stamp, SkipReason(why).value) for t, why in skipped],
            )
            hits = [r for r in rows if r[1] >= self.threshold and r[4] != OUTSIDE]
            for tile, score, point, location, place, metres in hits:
                self._insert_candidate(tile, score, self.model_id, stamp, point, location, place == KNOWN, metres)
            self._grow_extents([r[0] for r in hits])
        return len(hits)

    def _insert_candidate(
        self,
        tile: Tile,
        score: float,
        model: str,
        stamp: str,
        point: tuple[float, float],
        location: str,
        known: bool,
        known_m: float | None,
    ) -> None:
        """A candidate point and its footprint; a re-scan updates the score, the point and the
        known-school verdict, never a mapper's decision."""
        b = bounds_3857(tile)
        ring = [(b.west, b.south), (b.east, b.south), (b.east, b.north), (b.west, b.north), (b.west, b.south)]
        status = (ReviewStatus.KNOWN if known else ReviewStatus.UNREVIEWED).value
        conn = self.gpkg.conn
        conn.execute(
            f'INSERT INTO "{CANDIDATES_TABLE}" (geom, tile, z, x, y, score, model, scanned_at, status, location, '  # nosec B608
            "known_m) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(tile) DO UPDATE SET score=excluded.score, "
            "model=excluded.model, scanned_at=excluded.scanned_at, geom=excluded.geom, location=excluded.location, "
            "known_m=excluded.known_m, status=CASE WHEN COALESCE(status, 'unreviewed') IN ('unreviewed', 'known') "
            "THEN excluded.status ELSE status END",
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
                None if known_m is None else round(known_m, 1),
            ),
        )
        conn.execute(
            f'INSERT INTO "{FOOTPRINTS_TABLE}" (geom, tile, score, model, status) VALUES (?, ?, ?, ?, ?) '  # nosec B608
            "ON CONFLICT(tile) DO UPDATE SET score=excluded.score, model=excluded.model",
            (encode_geometry([ring], "POLYGON", 3857), tile.id, score, model, status),
        )

    def candidate_floor(self) -> float:
        """The lowest score the candidates layer holds every tile for (the scan's threshold,
        or lower after :meth:`lower_threshold`)."""
        return candidate_floor(self.info(), self.threshold)

    def lower_threshold(self, threshold: float) -> int:
        """Make candidates of every scored tile at or above ``threshold`` from the kept scores,
        points and verdicts: the threshold goes down without a rescan. Returns how many were added."""
        if threshold >= self.candidate_floor():
            return 0
        conn = self.gpkg.conn
        rows = conn.execute(
            f"SELECT s.z, s.x, s.y, s.score, s.model, s.scanned_at, s.px, s.py, s.location, s.place, s.known_m "  # nosec B608
            f'FROM "{SCORES_TABLE}" AS s LEFT JOIN "{CANDIDATES_TABLE}" AS c ON c.tile = s.tile '
            "WHERE s.score IS NOT NULL AND s.score >= ? AND c.tile IS NULL AND COALESCE(s.place, '') != ?",
            (threshold, OUTSIDE),
        ).fetchall()
        with conn:
            for z, x, y, score, model, stamp, px, py, location, place, metres in rows:
                tile = Tile(x, y, z)
                point = _kept_point(tile, px, py)
                self._insert_candidate(
                    tile, score, model, stamp, point, location or TILE_CENTRE, place == KNOWN, metres
                )
            conn.execute(
                f'INSERT OR REPLACE INTO "{INFO_TABLE}" (key, value) VALUES (?, ?)',
                ("candidate_floor", json.dumps(threshold)),
            )
        self.threshold = min(self.threshold, threshold)
        self.recompute_extents()
        return len(rows)

    def reconcile(self, known: KnownSchools | None) -> dict[str, int]:
        """Judge the kept points again, at the end of a run, against every region scanned into
        this file and ``known`` (this run's list; None: keep the verdicts the file has): a tile
        once outside a map-extent scan is in when a later scan's region covers it, and a changed
        known list re-judges every point. Candidates follow (a decided one keeps its decision).
        Returns how many tiles changed verdict."""
        info = self.info()
        fingerprint = known.fingerprint() if known is not None else info.get("known_fingerprint")
        again = known is not None and info.get("known_fingerprint") != fingerprint
        regions = self.regions()
        rules = PlaceRules(known, Region(regions) if regions else None)
        where = "score IS NOT NULL" if again else f"score IS NOT NULL AND place = '{OUTSIDE}'"
        rows = self.gpkg.conn.execute(
            f'SELECT tile, z, x, y, score, model, scanned_at, px, py, location, place, known_m FROM "{SCORES_TABLE}" '  # nosec B608
            f"WHERE {where}"
        ).fetchall()
        floor = self.candidate_floor()
        changed = 0
        with self.gpkg.conn:
            for tile_id, z, x, y, score, model, stamp, px, py, location, place, metres in rows:
                tile = Tile(x, y, z)
                point = _kept_point(tile, px, py)
                if rules.region is None and place == OUTSIDE:
                    continue  # no region recorded (a file from an older version): what was outside stays out
                if known is None:  # the region only: the kept known verdict stands
                    new_place = OUTSIDE if rules.region is not None and not rules.region.contains(point) else None
                    new_place = new_place or (KNOWN if place == KNOWN else None)
                    new_m = metres
                else:
                    new_place, new_m = rules.verdict(point)
                if new_place == place and new_m == metres:
                    continue
                changed += 1
                verdict = f'UPDATE "{SCORES_TABLE}" SET place = ?, known_m = ? WHERE tile = ?'  # nosec B608
                self.gpkg.conn.execute(verdict, (new_place, new_m, tile_id))
                if new_place != OUTSIDE and score >= floor:
                    self._insert_candidate(
                        tile, score, model, stamp, point, location or TILE_CENTRE, new_place == KNOWN, new_m
                    )
            if fingerprint is not None:
                self.set_info({"known_fingerprint": fingerprint})
        if changed:
            self.recompute_extents()
        return {"changed": changed}

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
        tiles = [Tile(x, y, z) for z, x, y in self.gpkg.conn.execute(f'SELECT z, x, y FROM "{CANDIDATES_TABLE}"')]  # nosec B608
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

    # -- reading ------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        c = self.gpkg.conn

        def one(sql: str, *args: Any) -> int:
            return int(c.execute(sql, args).fetchone()[0])

        return {
            "tiles": one(f'SELECT COUNT(*) FROM "{SCORES_TABLE}"'),  # nosec B608
            "scored": one(f'SELECT COUNT(*) FROM "{SCORES_TABLE}" WHERE score IS NOT NULL'),  # nosec B608
            "candidates": one(f'SELECT COUNT(*) FROM "{CANDIDATES_TABLE}"'),  # nosec B608
            "known": one(f'SELECT COUNT(*) FROM "{CANDIDATES_TABLE}" WHERE status = ?', ReviewStatus.KNOWN.value),  # nosec B608
            "outside_region": one(
                f'SELECT COUNT(*) FROM "{SCORES_TABLE}" WHERE place = ? AND score >= ?',  # nosec B608
                OUTSIDE,
                self.threshold,
            ),
        }

    def _items(self, where: str = "1", args: tuple[Any, ...] = ()) -> list[Any]:
        """Candidates as review-queue items (points only where the model placed them)."""
        from ..core.review_queue import Item

        items = []
        # ``where`` is one of this class's own conditions; its values come as ``args``
        rows = self.gpkg.conn.execute(
            f'SELECT fid, geom, z, x, y, score, location FROM "{CANDIDATES_TABLE}" WHERE {where}',  # nosec B608
            args,
        )
        for fid, blob, z, x, y, score, location in rows:
            px, py = decode_geometry(blob)[1] if blob is not None and location == MODEL else (None, None)
            items.append(Item(fid, z, x, y, float(score or 0.0), px, py))
        return items

    def review_counts(self) -> dict[str, int]:
        """What the scan leaves a mapper: candidates to review, the places they make (one school
        seen from neighbouring tiles is one place), those near a known school (queued, with the
        distance), and what was set aside."""
        from ..core.review_queue import places

        items = self._items("COALESCE(status, 'unreviewed') = 'unreviewed'")
        near = self.gpkg.conn.execute(
            f"SELECT COUNT(*) FROM \"{CANDIDATES_TABLE}\" WHERE COALESCE(status, 'unreviewed') = 'unreviewed' "  # nosec B608
            "AND known_m IS NOT NULL"
        ).fetchone()[0]
        counts = self.counts()
        return {
            "to_review": len(items),
            "places": len(places(items)),
            "near_known": int(near),
            "known": counts["known"],
            "outside_region": counts["outside_region"],
        }

    def scores(self) -> dict[str, float]:
        return {
            t: s
            for t, s in self.gpkg.conn.execute(f'SELECT tile, score FROM "{SCORES_TABLE}" WHERE score IS NOT NULL')  # nosec B608
        }

    def close(self) -> None:
        self.gpkg.close()


_REVIEWED = "COALESCE({a}.status, 'unreviewed') != 'unreviewed'"


def _shared_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """The columns of ``table`` in both the merged file and the attached ``src`` (a file from
    an older version lacks the newer ones)."""
    ours = [r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")') if r[1] != "fid"]
    theirs = {r[1] for r in conn.execute(f'PRAGMA src.table_info("{table}")')}
    return [quoted(c) for c in ours if c in theirs]


def merged_record(sources: Sequence[Path]) -> dict[str, Any]:
    """The record of the scan the files hold together: the first file's, once every other
    file's agrees (shards of one scan, or mappers' copies of it); refused, naming the files
    and what differs, when they are different scans."""
    records = []
    for src in sources:
        if not Path(src).is_file():
            raise InputError(f"{src} does not exist.")
        if not is_results_file(src):
            raise InputError(f"{Path(src).name} is not the results file of a school_detector scan.")
        records.append((Path(src), read_info(src)))
    recorded = [(src, info) for src, info in records if info]  # files of older versions have no record
    if not recorded:
        return {}
    (first_src, first), others = recorded[0], recorded[1:]
    for src, info in others:
        differs = record_differences(first, info)
        if differs:
            named = [
                d.replace(" there,", f" in {first_src.name},").replace(" here)", f" in {src.name})") for d in differs
            ]
            raise InputError(
                f"{src.name} holds another scan than {first_src.name}: "
                + "; ".join(named)
                + ". Merge only the shards (or reviewed copies) of one scan."
            )
    infos = [first] + [info for _, info in others]
    shards = sorted({str(i.get("shard", "")) for i in infos})
    floor = max(candidate_floor(i, 0.5) for i in infos)  # every file has its candidates down to the highest floor
    return {**first, "shard": "merged " + ", ".join(shards), "candidate_floor": floor}


def merge(target: Path, sources: Sequence[Path]) -> dict[str, int]:
    """Merge result files into one: scan shards (disjoint tiles: the first file with a tile
    wins) and mappers' reviewed copies of one scan. The scan's record and regions come along
    (the review panel reads the imagery and chip size from them), and the place verdicts are
    judged again over the whole region. A review decision is taken from whichever file
    reviewed the tile (the latest ``reviewed_at`` when several did); tiles that two mappers
    decided differently are counted as ``conflicts`` (none when they split the queue with the
    review panel's shares)."""
    record = merged_record(sources)
    first = ResultStore(target, str(record.get("model", "")), 1.0)  # each row keeps its own model
    stats = {"decisions_merged": 0, "conflicts": 0}
    try:
        conn = first.gpkg.conn
        for src in sources:
            conn.execute("ATTACH DATABASE ? AS src", (str(src),))
            try:
                with conn:
                    _merge_one(conn, stats)
            finally:
                conn.execute("DETACH DATABASE src")
        if record:
            first.set_info(record)
            first.threshold = candidate_floor(record, 0.5)
        distance = float((record.get("known_schools") or {}).get("distance_m") or KNOWN_DISTANCE_M)
        first.reconcile(first.known_schools(distance))
        first.recompute_extents()
        return {**first.counts(), **first.review_counts(), **stats}
    finally:
        first.close()


def _merge_one(conn: sqlite3.Connection, stats: dict[str, int]) -> None:
    """One attached file (``src``) into the merged one, in the caller's transaction."""
    cols = ", ".join(_shared_columns(conn, SCORES_TABLE))
    conn.execute(f'INSERT OR IGNORE INTO "{SCORES_TABLE}" ({cols}) SELECT {cols} FROM src."{SCORES_TABLE}"')  # nosec B608
    names = ", ".join(_shared_columns(conn, CANDIDATES_TABLE))
    conn.execute(f'INSERT OR IGNORE INTO "{CANDIDATES_TABLE}" ({names}) SELECT {names} FROM src."{CANDIDATES_TABLE}"')  # nosec B608
    conn.execute(
        f'INSERT OR IGNORE INTO "{FOOTPRINTS_TABLE}" (geom, tile, score, model, status) '  # nosec B608
        f'SELECT geom, tile, score, model, status FROM src."{FOOTPRINTS_TABLE}"'
    )
    if conn.execute("SELECT 1 FROM src.sqlite_master WHERE name = ?", (KNOWN_TABLE,)).fetchone():
        conn.execute(
            f'INSERT OR IGNORE INTO "{KNOWN_TABLE}" (x, y, polygon) SELECT x, y, polygon FROM src."{KNOWN_TABLE}"'  # nosec B608
        )
    if conn.execute("SELECT 1 FROM src.sqlite_master WHERE name = ?", (REGIONS_TABLE,)).fetchone():
        conn.execute(
            f'INSERT INTO "{REGIONS_TABLE}" (geom, region, scanned_at) SELECT geom, region, scanned_at '  # nosec B608
            f'FROM src."{REGIONS_TABLE}" WHERE geom NOT IN (SELECT geom FROM "{REGIONS_TABLE}")'
        )
    stats["conflicts"] += conn.execute(
        f'SELECT COUNT(*) FROM "{CANDIDATES_TABLE}" AS t JOIN src."{CANDIDATES_TABLE}" AS s '  # nosec B608
        f"ON s.tile = t.tile WHERE {_REVIEWED.format(a='s')} AND {_REVIEWED.format(a='t')} "
        "AND s.status != t.status"
    ).fetchone()[0]
    stats["decisions_merged"] += conn.execute(
        f'UPDATE "{CANDIDATES_TABLE}" AS t SET status = s.status, reviewer = s.reviewer, '  # nosec B608
        f'reviewed_at = s.reviewed_at, note = s.note FROM src."{CANDIDATES_TABLE}" AS s '
        f"WHERE s.tile = t.tile AND {_REVIEWED.format(a='s')} AND (NOT {_REVIEWED.format(a='t')} "
        "OR COALESCE(s.reviewed_at, '') > COALESCE(t.reviewed_at, ''))"
    ).rowcount
