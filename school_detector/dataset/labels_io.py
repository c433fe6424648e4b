"""Read labeled points from GeoPackage, GeoJSON or CSV into lon/lat ``LabeledPoint``s.

Used by the CLI (the QGIS dialog reads QGIS layers itself). Polygons count by their
centroid, and keep their outline for what needs it (known schools). Coordinates in other CRSs
are projected with rasterio when it is available.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.chip_plan import NOT_SCHOOL, SCHOOL, LabeledPoint
from ..core.errors import InputError
from ..core.gpkg import GeoPackage, decode_geometry, decode_polygons, quoted
from ..core.tiles import xy_to_lonlat


@dataclass
class LabelMapping:
    """Which field values mean school; others mean not-school unless ``negative_values`` is set."""

    field: str = "label"
    positive_values: Sequence[str] = (SCHOOL,)
    negative_values: Sequence[str] | None = None

    def classify(self, value: Any) -> str | None:
        if value is None:
            return None
        text = str(value).strip().lower()
        if text in {v.strip().lower() for v in self.positive_values}:
            return SCHOOL
        if self.negative_values is None or text in {v.strip().lower() for v in self.negative_values}:
            return NOT_SCHOOL
        return None


def ring_centroid(ring: Sequence[Sequence[float]]) -> tuple[float, float]:
    """Area centroid of a polygon ring (vertex mean for degenerate rings)."""
    area = cx = cy = 0.0
    pts = list(ring)
    for i in range(len(pts) - 1):
        x0, y0 = pts[i][0], pts[i][1]
        x1, y1 = pts[i + 1][0], pts[i + 1][1]
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-18:
        return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    return cx / (3 * area), cy / (3 * area)


def _point_of(geometry: dict[str, Any]) -> tuple[float, float] | None:
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if not coords:
        return None
    if kind == "Point":
        return float(coords[0]), float(coords[1])
    if kind == "MultiPoint":
        return float(coords[0][0]), float(coords[0][1])
    if kind == "Polygon":
        return ring_centroid(coords[0])
    if kind == "MultiPolygon":
        return ring_centroid(coords[0][0])
    return None


def _shapes_of(geometry: dict[str, Any]) -> list[Any]:
    """A GeoJSON polygon's (or multipolygon's) polygons, in the file's CRS; [] for points."""
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon" and coords:
        return [coords]
    if kind == "MultiPolygon" and coords:
        return list(coords)
    return []


def _to_lonlat(xs: list[float], ys: list[float], crs: str) -> tuple[list[float], list[float]]:
    if crs in ("EPSG:4326", "OGC:CRS84"):
        return xs, ys
    if crs == "EPSG:3857":
        pts = [xy_to_lonlat(x, y) for x, y in zip(xs, ys)]
        return [p[0] for p in pts], [p[1] for p in pts]
    try:
        from rasterio.crs import CRS
        from rasterio.warp import transform
    except ImportError as exc:  # pragma: no cover - rasterio is in the runtime
        raise InputError(f"Labels in {crs} need rasterio to reproject; save them in EPSG:4326.") from exc
    lon, lat = transform(CRS.from_user_input(crs), "EPSG:4326", xs, ys)
    return list(lon), list(lat)


def _finish(
    rows: Iterable[tuple[Any, ...]], crs: str, mapping: LabelMapping | None, fixed_label: str | None
) -> tuple[list[LabeledPoint], int]:
    """Rows ``(id, x, y, class value[, polygons])`` in ``crs`` -> lon/lat LabeledPoints."""
    rows = list(rows)
    lon, lat = _to_lonlat([r[1] for r in rows], [r[2] for r in rows], crs)
    vertices = [v for r in rows if len(r) > 4 for poly in r[4] for ring in poly for v in ring]
    vx, vy = _to_lonlat([float(v[0]) for v in vertices], [float(v[1]) for v in vertices], crs) if vertices else ([], [])
    moved = iter(zip(vx, vy))
    points, unlabeled = [], 0
    for row, x, y in zip(rows, lon, lat):
        pid, value = row[0], row[3]
        shapes = tuple([[next(moved) for _ in ring] for ring in poly] for poly in (row[4] if len(row) > 4 else ()))
        label = fixed_label or (mapping.classify(value) if mapping else None)
        if label is None:
            unlabeled += 1
            continue
        points.append(LabeledPoint(pid, float(x), float(y), label, shapes))
    return points, unlabeled


def read_labels(
    path: str | Path, mapping: LabelMapping | None = None, fixed_label: str | None = None, layer: str | None = None
) -> tuple[list[LabeledPoint], int]:
    """Points and the count of features skipped for having no mapped label."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Labels file {path} does not exist.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, mapping, fixed_label)
    if suffix in (".geojson", ".json"):
        return _read_geojson(path, mapping, fixed_label)
    if suffix == ".gpkg":
        return _read_gpkg(path, mapping, fixed_label, layer)
    raise InputError(f"{path.name}: labels must be a GeoPackage (.gpkg), GeoJSON (.geojson) or CSV (lon,lat,label).")


def _need_field(fields: Iterable[str], mapping: LabelMapping | None, fixed_label: str | None, name: str) -> None:
    if fixed_label is None and mapping is not None and mapping.field not in set(fields):
        raise InputError(
            f"{name} has no field {mapping.field!r}; it has: {', '.join(sorted(fields)) or 'none'}. "
            "Choose the class field with --label-field."
        )


def _read_csv(path: Path, mapping: LabelMapping | None, fixed_label: str | None) -> tuple[list[LabeledPoint], int]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames or []
        lower = {c.lower(): c for c in fields}
        lon_key = next((lower[k] for k in ("lon", "longitude", "lng", "x") if k in lower), None)
        lat_key = next((lower[k] for k in ("lat", "latitude", "y") if k in lower), None)
        if lon_key is None or lat_key is None:
            raise InputError(f"{path.name} needs lon and lat columns (WGS84 degrees); it has {', '.join(fields)}.")
        _need_field(fields, mapping, fixed_label, path.name)
        rows = []
        for i, row in enumerate(reader, start=1):
            try:
                rows.append(
                    (
                        row.get("id") or str(i),
                        float(row[lon_key]),
                        float(row[lat_key]),
                        row.get(mapping.field) if mapping else None,
                    )
                )
            except (TypeError, ValueError):
                raise InputError(f"{path.name} row {i}: lon/lat must be numbers.") from None
            _, x, y, _ = rows[-1]
            if not (-180 <= x <= 180 and -90 <= y <= 90):
                raise InputError(
                    f"{path.name} row {i}: {lon_key}={x:g}, {lat_key}={y:g} is not a longitude/latitude in degrees "
                    "(projected x/y in metres?). A CSV must hold WGS84 lon/lat (EPSG:4326): export it so from QGIS, "
                    "or give a GeoPackage or GeoJSON, which carry their CRS."
                )
    return _finish(rows, "EPSG:4326", mapping, fixed_label)


def _read_geojson(path: Path, mapping: LabelMapping | None, fixed_label: str | None) -> tuple[list[LabeledPoint], int]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path.name} is not valid GeoJSON: {exc}.") from exc
    features = data.get("features", []) if isinstance(data, dict) else []
    crs = "EPSG:4326"
    name = (data.get("crs") or {}).get("properties", {}).get("name", "") if isinstance(data, dict) else ""
    if "3857" in name or "900913" in name:
        crs = "EPSG:3857"
    elif name and "CRS84" not in name and "4326" not in name:
        crs = name.replace("urn:ogc:def:crs:", "").replace("::", ":")
    fields: set[str] = set()
    for f in features:
        fields |= set((f.get("properties") or {}).keys())
    if features:
        _need_field(fields, mapping, fixed_label, path.name)
    rows = []
    for i, f in enumerate(features, start=1):
        pt = _point_of(f.get("geometry") or {})
        if pt is None:
            continue
        props = f.get("properties") or {}
        value = props.get(mapping.field) if mapping else None
        rows.append(
            (str(f.get("id") or props.get("id") or i), pt[0], pt[1], value, _shapes_of(f.get("geometry") or {}))
        )
    _need_locations(rows, len(features), path.name)
    return _finish(rows, crs, mapping, fixed_label)


def _need_locations(rows: list[Any], features: int, name: str) -> None:
    if features and not rows:
        raise InputError(
            f"{name}: none of its {features} features has a location (no geometry, or not a point or polygon). "
            "Labels need points (or polygons, whose centroid is used)."
        )


def _read_gpkg(
    path: Path, mapping: LabelMapping | None, fixed_label: str | None, layer: str | None
) -> tuple[list[LabeledPoint], int]:
    try:
        g = GeoPackage(path, create=False)
    except InputError:
        raise
    with g:
        try:
            tables = [r[0] for r in g.conn.execute("SELECT table_name FROM gpkg_geometry_columns ORDER BY table_name")]
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{path.name} is not a GeoPackage: {exc}.") from exc
        if not tables:
            raise InputError(f"{path.name} has no vector layer.")
        table = layer or ("labels" if "labels" in tables else tables[0])
        if table not in tables:
            raise InputError(f"{path.name} has no layer {table!r}; it has {', '.join(tables)}.")
        srs_id = g.conn.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name=?", (table,)).fetchone()[0]
        org = g.conn.execute(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id=?",
            (srs_id,),
        ).fetchone()
        crs = f"{org[0].upper()}:{org[1]}" if org and org[0] and org[0].upper() == "EPSG" else (org[2] if org else "")
        cols = [r[1] for r in g.conn.execute(f"PRAGMA table_info({quoted(table)})")]
        _need_field(cols, mapping, fixed_label, f"{path.name} layer {table}")
        geom_col = g.conn.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name=?", (table,)
        ).fetchone()[0]
        field_sql = f", {quoted(mapping.field)}" if mapping and fixed_label is None else ", NULL"
        rows = []
        features = 0
        # identifiers quoted, each checked against the file's own schema above
        for fid, blob, value in g.conn.execute(f"SELECT fid, {quoted(geom_col)}{field_sql} FROM {quoted(table)}"):  # nosec B608
            features += 1
            if blob is None:
                continue
            kind, coords = decode_geometry(blob)
            pt = coords if kind == "POINT" else ring_centroid(coords[0])
            rows.append((str(fid), pt[0], pt[1], value, [] if kind == "POINT" else decode_polygons(blob)))
    _need_locations(rows, features, f"{path.name} layer {table}")
    return _finish(rows, crs, mapping, fixed_label)


def field_names(path: str | Path, layer: str | None = None) -> set[str]:
    """The attribute fields of a labels file (CSV columns, GeoJSON properties, GeoPackage
    columns), to decide how to read it before reading it."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as f:
            return set(csv.DictReader(f).fieldnames or [])
    if suffix in (".geojson", ".json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path.name} is not valid GeoJSON: {exc}.") from exc
        features = data.get("features", []) if isinstance(data, dict) else []
        return {k for f in features for k in (f.get("properties") or {})}
    with GeoPackage(path, create=False) as g:
        try:
            tables = [r[0] for r in g.conn.execute("SELECT table_name FROM gpkg_geometry_columns ORDER BY table_name")]
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{path.name} is not a GeoPackage: {exc}.") from exc
        table = layer or ("labels" if "labels" in tables else (tables[0] if tables else ""))
        return {r[1] for r in g.conn.execute(f"PRAGMA table_info({quoted(table)})")} if table else set()
