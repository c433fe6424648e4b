"""Which tiles have buildings: tiles without any are never fetched nor scored (a school is a
building; fields, forest and water hold none). Giga's pipeline filters its tiles the same way
with Microsoft / Google Open Buildings and GHSL before it downloads imagery.

Two kinds of input:

* a buildings layer (footprint polygons or points: Microsoft, Google, Overture, OSM), where a
  building counts in the tile that holds its centre;
* a built-up raster (e.g. GHSL built-up surface), where any non-zero cell is built.

Either becomes a set of inhabited tiles at the scan's tile zoom.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.cover import Polygon, iter_cover, polygons_bounds
from ..core.errors import InputError
from ..core.tiles import TILE_SIZE, Tile, bounds_3857, lonlat_to_xy, pixel_size_3857, tile_for_xy

RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".jp2")


class Buildings:
    """The set of tiles (at ``zoom``) that hold at least one building."""

    def __init__(self, tiles: Iterable[Tile], zoom: int, source: str = "") -> None:
        self.zoom = zoom
        self.tiles = {(t.x, t.y) for t in tiles if t.z == zoom}
        self.source = source

    def inhabited(self, tile: Tile) -> bool:
        return (tile.x, tile.y) in self.tiles

    def __len__(self) -> int:
        return len(self.tiles)

    def tiles_in(self, region: Sequence[Polygon]) -> Iterator[Tile]:
        """The region's tiles that hold a building (for the estimate before a scan)."""
        return (t for t in iter_cover(region, self.zoom) if (t.x, t.y) in self.tiles)

    def describe(self) -> dict[str, Any]:
        return {"source": self.source, "zoom": self.zoom, "inhabited_tiles": len(self.tiles)}

    @classmethod
    def from_points_3857(cls, points: Iterable[tuple[float, float]], zoom: int, source: str = "") -> Buildings:
        return cls((tile_for_xy(x, y, zoom) for x, y in points), zoom, source)

    @classmethod
    def from_lonlat(cls, points: Iterable[tuple[float, float]], zoom: int, source: str = "") -> Buildings:
        return cls.from_points_3857((lonlat_to_xy(lon, lat) for lon, lat in points), zoom, source)


@dataclass
class BuildingsSource:
    """Where the buildings come from: a file (the CLI; a raster or vector layer's file in QGIS),
    or building points already read (lon/lat: a QGIS vector layer read on the main thread).
    :meth:`load` turns it into inhabited tiles at the scan's zoom."""

    path: Path | None = None
    layer: str | None = None
    points: list[tuple[float, float]] = field(default_factory=list)
    name: str = ""

    def load(self, zoom: int, region: Sequence[Polygon]) -> Buildings:
        if self.path is not None:
            return read_buildings(self.path, zoom, region, self.layer)
        if not self.points:
            raise InputError(f"The buildings layer {self.name!r} holds no building (no feature with a location).")
        return Buildings.from_lonlat(self.points, zoom, self.name)


def read_buildings(path: Path, zoom: int, region: Sequence[Polygon], layer: str | None = None) -> Buildings:
    """Buildings from a vector file (GeoPackage, GeoJSON, CSV lon/lat; points or polygons, any
    CRS) or a built-up raster (non-zero = built), as inhabited tiles at ``zoom``."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"Buildings file {path} does not exist.")
    if path.suffix.lower() in RASTER_SUFFIXES:
        return _read_raster(path, zoom, region)
    from ..core.chip_plan import SCHOOL
    from ..dataset.labels_io import read_labels

    try:
        points, _ = read_labels(path, fixed_label=SCHOOL, layer=layer)
    except InputError as exc:
        raise InputError(f"Buildings: {exc.message}", exc.details) from exc
    if not points:
        raise InputError(f"The buildings file {path.name} holds no building (no feature with a location).")
    return Buildings.from_lonlat(((p.lon, p.lat) for p in points), zoom, path.name)


def _read_raster(path: Path, zoom: int, region: Sequence[Polygon]) -> Buildings:
    """Reproject the raster onto a grid whose cells are the region's tiles, keeping each cell's
    maximum: a cell is non-zero when any built cell of the raster falls in its tile."""
    import numpy as np
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.errors import RasterioIOError
    from rasterio.transform import from_origin
    from rasterio.warp import reproject

    try:
        src = rasterio.open(path)
    except RasterioIOError as exc:
        raise InputError(f"The buildings raster {path.name} cannot be read: {exc}.") from exc
    with src:
        if src.crs is None:
            raise InputError(
                f"The buildings raster {path.name} has no CRS (no georeference): the built-up cells can't be "
                "placed. Assign its CRS (e.g. in QGIS: Raster > Projections > Assign Projection) and try again."
            )
        box = polygons_bounds(region)
        first = tile_for_xy(box.west, box.north, zoom)
        last = tile_for_xy(box.east, box.south, zoom)
        width, height = last.x - first.x + 1, last.y - first.y + 1
        corner = bounds_3857(first)
        side = pixel_size_3857(zoom) * TILE_SIZE
        grid = np.zeros((height, width), dtype=np.float32)
        data = src.read(1, masked=True).filled(0).astype(np.float32)
        reproject(
            data,
            grid,
            src_transform=src.transform,
            src_crs=src.crs,
            dst_transform=from_origin(corner.west, corner.north, side, side),
            dst_crs="EPSG:3857",
            resampling=Resampling.max,
            src_nodata=0,
            dst_nodata=0,
        )
    rows, cols = np.nonzero(grid > 0)
    return Buildings((Tile(first.x + int(c), first.y + int(r), zoom) for r, c in zip(rows, cols)), zoom, path.name)
