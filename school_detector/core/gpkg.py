"""A small, standard-conforming GeoPackage writer and reader on the stdlib's sqlite3.

The ML runtime has no GDAL/OGR (its numpy 2 world can't share QGIS's bindings), yet it
must write what QGIS opens natively: sample labels, scan results. GeoPackage is SQLite
with a few metadata tables and a binary geometry header (OGC 12-128r18), so a few hundred
lines give us a writer with transactions, which is also what makes results crash-safe.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import InputError

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10200  # GeoPackage 1.2

WKT_4326 = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AUTHORITY["EPSG","4326"]]'
)
WKT_3857 = (
    'PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",'
    '6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AUTHORITY["EPSG","4326"]],PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],'
    'PARAMETER["scale_factor",1],PARAMETER["false_easting",0],PARAMETER["false_northing",0],'
    'UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],'
    'EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 '
    '+units=m +nadgrids=@null +wktext +no_defs"],AUTHORITY["EPSG","3857"]]'
)
SRS = {
    4326: ("WGS 84 geodetic", "EPSG", 4326, WKT_4326),
    3857: ("WGS 84 / Pseudo-Mercator", "EPSG", 3857, WKT_3857),
}
GEOMETRY_TYPES = {"POINT": 1, "POLYGON": 3}

Coords = Any  # (x, y) for points, [[(x, y), ...], ...] rings for polygons


def quoted(identifier: str) -> str:
    """An SQL identifier (a table or column name, from a file or a person) quoted for SQLite:
    in double quotes, each double quote in it doubled, so no name can end the identifier early."""
    return '"' + identifier.replace('"', '""') + '"'


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def _envelope(coords: Coords, geometry_type: str) -> tuple[float, float, float, float]:
    if geometry_type == "POINT":
        x, y = coords
        return x, x, y, y
    xs = [p[0] for ring in coords for p in ring]
    ys = [p[1] for ring in coords for p in ring]
    return min(xs), max(xs), min(ys), max(ys)


def encode_geometry(coords: Coords, geometry_type: str, srs_id: int) -> bytes:
    """GeoPackage binary: 'GP' header (+ envelope for polygons) then little-endian WKB."""
    if geometry_type == "POINT":
        x, y = coords
        header = b"GP" + struct.pack("<BBi", 0, 0b00000001, srs_id)  # no envelope, LE
        return header + struct.pack("<BIdd", 1, 1, float(x), float(y))
    if geometry_type == "POLYGON":
        minx, maxx, miny, maxy = _envelope(coords, geometry_type)
        header = b"GP" + struct.pack("<BBi", 0, 0b00000011, srs_id) + struct.pack("<dddd", minx, maxx, miny, maxy)
        body = struct.pack("<BII", 1, 3, len(coords))
        for ring in coords:
            pts = list(ring)
            if pts[0] != pts[-1]:
                pts.append(pts[0])
            body += struct.pack("<I", len(pts)) + b"".join(struct.pack("<dd", float(x), float(y)) for x, y in pts)
        return header + body
    raise InputError(f"Geometry type {geometry_type} is not supported here.")


def _dims(gtype: int) -> tuple[int, int]:
    """(base type, coordinates per point) from an ISO WKB type (Z, M and ZM variants)."""
    base, flavour = gtype % 1000, gtype // 1000
    return base, {0: 2, 1: 3, 2: 3, 3: 4}.get(flavour, 2)


def _read_polygon(wkb: bytes, off: int, order: str, ncoord: int) -> tuple[list[list[tuple[float, float]]], int]:
    (nrings,) = struct.unpack(order + "I", wkb[off : off + 4])
    off += 4
    rings = []
    step = 8 * ncoord
    for _ in range(nrings):
        (npts,) = struct.unpack(order + "I", wkb[off : off + 4])
        off += 4
        rings.append([struct.unpack(order + "dd", wkb[off + step * i : off + step * i + 16]) for i in range(npts)])
        off += step * npts
    return rings, off


def decode_polygons(blob: bytes) -> list[list[list[tuple[float, float]]]]:
    """Every polygon of a Polygon or MultiPolygon blob (regions need all their parts)."""
    if blob[:2] != b"GP":
        raise InputError("Not a GeoPackage geometry blob.")
    env_len = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((blob[3] >> 1) & 0b111, 0)
    wkb = blob[8 + env_len :]
    order = "<" if wkb[0] == 1 else ">"
    base, ncoord = _dims(struct.unpack(order + "I", wkb[1:5])[0])
    if base == 3:
        return [_read_polygon(wkb, 5, order, ncoord)[0]]
    if base != 6:
        raise InputError(f"WKB geometry type {base} is not a polygon.")
    (count,) = struct.unpack(order + "I", wkb[5:9])
    off, polys = 9, []
    for _ in range(count):
        order = "<" if wkb[off] == 1 else ">"
        _, ncoord = _dims(struct.unpack(order + "I", wkb[off + 1 : off + 5])[0])
        poly, off = _read_polygon(wkb, off + 5, order, ncoord)
        polys.append(poly)
    return polys


def decode_geometry(blob: bytes) -> tuple[str, Coords]:
    """Point or polygon coordinates from a GeoPackage blob (any byte order, Z/M dropped).

    Multi-geometries give their first member: labels are one place each.
    """
    if blob[:2] != b"GP":
        raise InputError("Not a GeoPackage geometry blob.")
    flags = blob[3]
    env_len = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((flags >> 1) & 0b111, 0)
    wkb = blob[8 + env_len :]
    order = "<" if wkb[0] == 1 else ">"
    base, ncoord = _dims(struct.unpack(order + "I", wkb[1:5])[0])
    if base in (4, 6) and len(wkb) > 9:  # MultiPoint / MultiPolygon: first member's WKB follows
        inner = wkb[9:]
        order = "<" if inner[0] == 1 else ">"
        base, ncoord = _dims(struct.unpack(order + "I", inner[1:5])[0])
        wkb = inner
    if base == 1:
        x, y = struct.unpack(order + "dd", wkb[5:21])
        return "POINT", (x, y)
    if base == 3:
        return "POLYGON", _read_polygon(wkb, 5, order, ncoord)[0]
    raise InputError(f"WKB geometry type {base} is not supported here; use points or polygons.")


class GeoPackage:
    """An open GeoPackage; use as a context manager. Writes are transactional."""

    def __init__(self, path: Path | str, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise InputError(f"{self.path} does not exist.")
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=30)
        except sqlite3.Error as exc:
            raise InputError(f"Cannot open {self.path} as a GeoPackage: {exc}.") from exc
        if create:
            self._init_metadata()

    def __enter__(self) -> GeoPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def _init_metadata(self) -> None:
        c = self.conn
        c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        c.execute(f"PRAGMA user_version = {USER_VERSION}")
        c.executescript(
            """
            CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
              srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
              organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
              definition TEXT NOT NULL, description TEXT);
            CREATE TABLE IF NOT EXISTS gpkg_contents (
              table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
              identifier TEXT UNIQUE, description TEXT DEFAULT '',
              last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
              min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
              CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
            CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
              table_name TEXT NOT NULL, column_name TEXT NOT NULL,
              geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
              z TINYINT NOT NULL, m TINYINT NOT NULL,
              CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
              CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
              CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
            """
        )
        rows = [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
        ] + [(name, srs, org, code, wkt, name) for srs, (name, org, code, wkt) in SRS.items()]
        c.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", rows)
        c.commit()

    def tables(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")]

    def create_feature_table(
        self,
        name: str,
        geometry_type: str,
        srs_id: int,
        fields: Sequence[tuple[str, str]],
        description: str = "",
    ) -> None:
        """Create a feature table (idempotent). ``fields`` are (name, SQL type) pairs."""
        if geometry_type not in GEOMETRY_TYPES:
            raise InputError(f"Geometry type {geometry_type} is not supported here.")
        if srs_id not in SRS:
            raise InputError(f"SRS {srs_id} is not registered; use one of {sorted(SRS)}.")
        cols = ", ".join(f'"{f}" {t}' for f, t in fields)
        with self.conn:
            self.conn.execute(
                f'CREATE TABLE IF NOT EXISTS "{name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {geometry_type}'
                + (f", {cols}" if cols else "")
                + ")"
            )
            self.conn.execute(
                "INSERT OR IGNORE INTO gpkg_contents"
                " (table_name, data_type, identifier, description, last_change, srs_id)"
                " VALUES (?, 'features', ?, ?, ?, ?)",
                (name, name, description, _now(), srs_id),
            )
            self.conn.execute(
                "INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
                (name, geometry_type, srs_id),
            )

    def _table_info(self, name: str) -> tuple[str, int, list[str]]:
        row = self.conn.execute(
            "SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (name,)
        ).fetchone()
        if row is None:
            raise InputError(
                f"{self.path} has no feature table {name!r}; it has: {', '.join(self.tables()) or 'none'}."
            )
        cols = [r[1] for r in self.conn.execute(f"PRAGMA table_info({quoted(name)})") if r[1] not in ("fid", "geom")]
        return row[0], row[1], cols

    def insert_features(self, name: str, features: Iterable[tuple[Coords, dict[str, Any]]]) -> int:
        """Insert ``(coords, attributes)`` in one transaction and grow the layer extent."""
        gtype, srs_id, cols = self._table_info(name)
        count = 0
        bounds = [float("inf"), float("inf"), float("-inf"), float("-inf")]
        with self.conn:
            for coords, attrs in features:
                unknown = set(attrs) - set(cols)
                if unknown:
                    raise InputError(f"Table {name!r} has no fields {sorted(unknown)}.")
                minx, maxx, miny, maxy = _envelope(coords, gtype)
                bounds = [min(bounds[0], minx), min(bounds[1], miny), max(bounds[2], maxx), max(bounds[3], maxy)]
                keys = list(attrs)
                self.conn.execute(
                    f'INSERT INTO "{name}" (geom'
                    + "".join(f', "{k}"' for k in keys)
                    + ") VALUES (?"
                    + ", ?" * len(keys)
                    + ")",
                    [encode_geometry(coords, gtype, srs_id), *(attrs[k] for k in keys)],
                )
                count += 1
            if count:
                old = self.conn.execute(
                    "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = ?", (name,)
                ).fetchone()
                if old and old[0] is not None:
                    bounds = [
                        min(bounds[0], old[0]),
                        min(bounds[1], old[1]),
                        max(bounds[2], old[2]),
                        max(bounds[3], old[3]),
                    ]
                self.conn.execute(
                    "UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?, last_change=? WHERE table_name=?",
                    (*bounds, _now(), name),
                )
        return count

    def features(self, name: str) -> Iterator[tuple[int, Coords, dict[str, Any]]]:
        """Yield ``(fid, coords, attributes)`` in fid order."""
        _, _, cols = self._table_info(name)
        select = ", ".join(["fid", "geom", *(quoted(c) for c in cols)])
        # identifiers quoted, the table checked to exist (_table_info)
        for row in self.conn.execute(f"SELECT {select} FROM {quoted(name)} ORDER BY fid"):  # nosec B608
            coords = decode_geometry(row[1])[1] if row[1] is not None else None
            yield row[0], coords, dict(zip(cols, row[2:]))
