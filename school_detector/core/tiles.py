"""Web-mercator tile grid: the one coordinate system every chip, scan and result shares.

Thin, typed layer over mercantile (the maintained reference implementation) plus the
pieces the pipeline needs on top: tile ids, EPSG:3857 <-> fractional tile coordinates,
ground resolution and supertiles (the zoom z-1 footprint assembled from its 4 zoom-z
children, which gives the classifier context around a school).
"""

from __future__ import annotations

import math
from typing import NamedTuple

try:
    import mercantile
except ImportError:  # inside the packaged plugin, mercantile is vendored
    from .._vendor import mercantile  # type: ignore[no-redef,attr-defined]

from .errors import InputError

#: Half the width of the web-mercator world in metres (EPSG:3857).
ORIGIN_SHIFT = 20037508.342789244
#: Circumference used by EPSG:3857 (WGS84 semi-major axis).
EARTH_CIRCUMFERENCE = 2 * ORIGIN_SHIFT
TILE_SIZE = 256
MAX_ZOOM = 24
#: Latitude limit of the web-mercator square.
MAX_LAT = 85.0511287798066


class Tile(NamedTuple):
    """A web-mercator tile; field order matches mercantile (x, y, z)."""

    x: int
    y: int
    z: int

    @property
    def id(self) -> str:
        """``z/x/y``: the key of every store, file name and result row."""
        return f"{self.z}/{self.x}/{self.y}"

    @property
    def file_stem(self) -> str:
        """``z-x-y``: the chip file name used by Sat-Xception style datasets."""
        return f"{self.z}-{self.x}-{self.y}"


class Bounds(NamedTuple):
    west: float
    south: float
    east: float
    north: float


def _check_zoom(z: int) -> None:
    if not isinstance(z, int) or not 0 <= z <= MAX_ZOOM:
        raise InputError(f"Zoom must be an integer from 0 to {MAX_ZOOM}, got {z!r}.")


def _check_tile(tile: Tile) -> None:
    _check_zoom(tile.z)
    n = 1 << tile.z
    if not (0 <= tile.x < n and 0 <= tile.y < n):
        raise InputError(f"Tile {tile.id} does not exist: x and y must be below {n} at zoom {tile.z}.")


def make_tile(x: int, y: int, z: int) -> Tile:
    """Build a tile, refusing indices outside the zoom level's grid."""
    tile = Tile(int(x), int(y), int(z))
    _check_tile(tile)
    return tile


def parse_tile_id(text: str) -> Tile:
    """Parse ``z/x/y`` (also ``z-x-y`` as in chip file names)."""
    parts = text.replace("-", "/").split("/")
    if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
        raise InputError(f"{text!r} is not a tile id; expected z/x/y such as 18/77216/126560.")
    z, x, y = (int(p) for p in parts)
    return make_tile(x, y, z)


def tile_for_lonlat(lon: float, lat: float, z: int) -> Tile:
    """The tile containing a WGS84 point (latitudes are clamped to the mercator square)."""
    _check_zoom(z)
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise InputError(f"({lon}, {lat}) is not a longitude/latitude; is the layer's CRS set right?")
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    x, y = lonlat_to_xy(lon, lat)
    return tile_for_xy(x, y, z)


def lonlat_to_xy(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 -> EPSG:3857 metres."""
    x, y = mercantile.xy(lon, lat)
    return float(x), float(y)


def xy_to_lonlat(x: float, y: float) -> tuple[float, float]:
    """EPSG:3857 metres -> WGS84."""
    lnglat = mercantile.lnglat(x, y)
    return float(lnglat.lng), float(lnglat.lat)


def xy_to_fractional_tile(x: float, y: float, z: int) -> tuple[float, float]:
    """EPSG:3857 metres -> fractional tile coordinates at zoom z (linear, so shapes survive)."""
    n = 1 << z
    tx = (x + ORIGIN_SHIFT) / EARTH_CIRCUMFERENCE * n
    ty = (ORIGIN_SHIFT - y) / EARTH_CIRCUMFERENCE * n
    return tx, ty


def tile_for_xy(x: float, y: float, z: int) -> Tile:
    """The tile containing an EPSG:3857 point; points on the world's edge fall inside."""
    _check_zoom(z)
    n = 1 << z
    tx, ty = xy_to_fractional_tile(x, y, z)
    return Tile(min(max(math.floor(tx), 0), n - 1), min(max(math.floor(ty), 0), n - 1), z)


def bounds_3857(tile: Tile) -> Bounds:
    """The tile's footprint in EPSG:3857 metres (exact grid arithmetic)."""
    _check_tile(tile)
    size = EARTH_CIRCUMFERENCE / (1 << tile.z)
    west = -ORIGIN_SHIFT + tile.x * size
    north = ORIGIN_SHIFT - tile.y * size
    return Bounds(west, north - size, west + size, north)


def bounds_4326(tile: Tile) -> Bounds:
    """The tile's footprint in WGS84 degrees."""
    _check_tile(tile)
    b = mercantile.bounds(tile.x, tile.y, tile.z)
    return Bounds(float(b.west), float(b.south), float(b.east), float(b.north))


def quadkey(tile: Tile) -> str:
    """Bing-style quadkey (the ``index`` of the Development Seed label files)."""
    _check_tile(tile)
    return str(mercantile.quadkey(tile.x, tile.y, tile.z))


def from_quadkey(key: str) -> Tile:
    if not key or any(c not in "0123" for c in key):
        raise InputError(f"{key!r} is not a quadkey (digits 0-3, one per zoom level).")
    t = mercantile.quadkey_to_tile(key)
    return Tile(int(t.x), int(t.y), int(t.z))


def parent(tile: Tile, levels: int = 1) -> Tile:
    _check_tile(tile)
    if levels < 0 or levels > tile.z:
        raise InputError(f"Tile {tile.id} has no parent {levels} levels up.")
    return Tile(tile.x >> levels, tile.y >> levels, tile.z - levels)


def children(tile: Tile) -> list[Tile]:
    """The 4 children in reading order: top-left, top-right, bottom-left, bottom-right."""
    _check_tile(tile)
    if tile.z >= MAX_ZOOM:
        raise InputError(f"Tile {tile.id} is at the deepest supported zoom ({MAX_ZOOM}).")
    x, y, z = 2 * tile.x, 2 * tile.y, tile.z + 1
    return [Tile(x, y, z), Tile(x + 1, y, z), Tile(x, y + 1, z), Tile(x + 1, y + 1, z)]


def supertile_of(tile: Tile) -> Tile:
    """The supertile (zoom z-1 footprint) that contains a zoom-z tile."""
    return parent(tile, 1)


def supertile_layout(supertile: Tile, tile_size: int = TILE_SIZE) -> list[tuple[Tile, int, int]]:
    """Where each zoom z+1 child goes in the assembled image: (child, column px, row px).

    The assembled image is ``2 * tile_size`` square (512x512 for 256 px tiles).
    """
    return [
        (child, (child.x - 2 * supertile.x) * tile_size, (child.y - 2 * supertile.y) * tile_size)
        for child in children(supertile)
    ]


def ground_resolution(lat: float, z: int, tile_size: int = TILE_SIZE) -> float:
    """Metres on the ground per pixel at latitude ``lat`` and zoom ``z``."""
    _check_zoom(z)
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    return math.cos(math.radians(lat)) * EARTH_CIRCUMFERENCE / (tile_size * (1 << z))


def pixel_size_3857(z: int, tile_size: int = TILE_SIZE) -> float:
    """Size of one pixel in EPSG:3857 units at zoom z (what GeoTIFF transforms hold)."""
    _check_zoom(z)
    return EARTH_CIRCUMFERENCE / (tile_size * (1 << z))
