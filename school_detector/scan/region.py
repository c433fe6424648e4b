"""Regions to scan, from what a CLI user gives: a bounding box in some CRS, or a polygon file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.cover import Polygon, bbox_polygon, clip_to_box, polygons_to_3857
from ..core.errors import InputError
from ..core.gpkg import GeoPackage, decode_polygons, quoted
from ..core.tiles import Bounds, lonlat_to_xy


def to_3857_fn(crs: str) -> Any:
    if crs.upper() == "EPSG:3857":
        return lambda xs, ys: (list(xs), list(ys))
    if crs.upper() in ("EPSG:4326", "OGC:CRS84"):

        def f(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
            pts = [lonlat_to_xy(x, max(-85.05, min(85.05, y))) for x, y in zip(xs, ys)]
            return [p[0] for p in pts], [p[1] for p in pts]

        return f
    from rasterio.crs import CRS
    from rasterio.errors import CRSError
    from rasterio.warp import transform

    try:
        src = CRS.from_user_input(crs)
    except CRSError as exc:
        raise InputError(f"Unknown CRS {crs!r}.") from exc
    return lambda xs, ys: transform(src, "EPSG:3857", list(xs), list(ys))


def parse_bbox(text: str, crs: str = "EPSG:4326") -> list[Polygon]:
    try:
        w, s, e, n = (float(v) for v in text.split(","))
    except ValueError:
        raise InputError(f"--bbox {text!r} must be four numbers W,S,E,N.") from None
    if crs.upper() == "EPSG:4326" and not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InputError(f"--bbox {text!r} is not a valid lon/lat box (W,S,E,N with W<E and S<N).")
    return list(polygons_to_3857([bbox_polygon(w, s, e, n)], to_3857_fn(crs)))


def extent_polygon(extent: Bounds) -> list[Polygon]:
    return [bbox_polygon(extent.west, extent.south, extent.east, extent.north)]


def clip_to_extent(polygons: list[Polygon], extent: Bounds | None, imagery: str = "") -> list[Polygon]:
    """The region clipped to the imagery's extent (None: web imagery, the region as given): a
    map zoomed out over a continent plans only the tiles that have imagery. ``imagery``: its
    name, for the message."""
    if extent is None:
        return polygons
    clipped = clip_to_box(polygons, extent.west, extent.south, extent.east, extent.north)
    if not clipped:
        named = f" '{imagery}'" if imagery else ""
        raise InputError(
            f"The region and the imagery{named} do not overlap: there is no imagery to scan there. Check the "
            "region's CRS, or choose the imagery layer that covers it."
        )
    return clipped


def imagery_name(description: dict[str, Any]) -> str:
    """A chip source's name for messages: its QGIS layer's name, or its file's."""
    if description.get("layer"):
        return str(description["layer"])
    return Path(str(description.get("path") or description.get("template") or "")).name


def read_region(path: Path, layer: str | None = None) -> list[Polygon]:
    """Polygons of a GeoJSON or GeoPackage file, in EPSG:3857."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Region file {path} does not exist.")
    polygons: list[Polygon] = []
    crs = "EPSG:4326"
    if path.suffix.lower() in (".geojson", ".json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        name = (data.get("crs") or {}).get("properties", {}).get("name", "")
        if name and "CRS84" not in name and "4326" not in name:
            crs = name.replace("urn:ogc:def:crs:", "").replace("::", ":")
        for f in data.get("features", []):
            g = f.get("geometry") or {}
            if g.get("type") == "Polygon":
                polygons.append(g["coordinates"])
            elif g.get("type") == "MultiPolygon":
                polygons.extend(g["coordinates"])
    elif path.suffix.lower() == ".gpkg":
        with GeoPackage(path, create=False) as g:
            try:
                rows = g.conn.execute(
                    "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns WHERE "
                    "geometry_type_name IN ('POLYGON', 'MULTIPOLYGON')"
                ).fetchall()
            except sqlite3.DatabaseError as exc:
                raise InputError(f"{path.name} is not a GeoPackage: {exc}.") from exc
            if layer:
                rows = [r for r in rows if r[0] == layer]
            if not rows:
                raise InputError(f"{path.name} has no polygon layer{f' {layer!r}' if layer else ''}.")
            table, column, srs = rows[0]
            org = g.conn.execute(
                "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id=?",
                (srs,),
            ).fetchone()
            crs = f"EPSG:{org[1]}" if org and str(org[0]).upper() == "EPSG" else (org[2] if org else crs)
            # identifiers quoted, both from the file's own gpkg_geometry_columns
            for (blob,) in g.conn.execute(f"SELECT {quoted(column)} FROM {quoted(table)}"):  # nosec B608
                if blob:
                    polygons.extend(decode_polygons(blob))
    else:
        raise InputError(f"{path.name}: a region must be a GeoJSON or GeoPackage file of polygons.")
    if not polygons:
        raise InputError(f"{path.name} holds no polygons.")
    return list(polygons_to_3857(polygons, to_3857_fn(crs)))
