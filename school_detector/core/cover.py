"""Exact tile cover of extents and polygons.

Works in fractional tile coordinates, which are a linear function of EPSG:3857, so a
polygon stays a polygon and the cover is exact: a tile is in the cover iff its closed
square shares area with the polygon (tiles that only touch along an edge are left out).
Input in another CRS is densified, then transformed by a caller-supplied function (QGIS
or rasterio do the projection; this module stays pure).

For each tile row the covered columns are the union of
  * the column ranges swept by every polygon edge inside the row band (boundary tiles), and
  * the interior spans of the row's mid-line (even-odd rule, so holes work),
which is cheap (rows x edges) and yields row spans, so a 100k-tile cover never needs to
exist as a list.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

from .errors import InputError
from .tiles import Bounds, Tile, _check_zoom, xy_to_fractional_tile

Point = tuple[float, float]
Ring = Sequence[Point]
Polygon = Sequence[Ring]  # exterior ring first, then holes
Transform = Callable[[Sequence[float], Sequence[float]], tuple[Sequence[float], Sequence[float]]]

_EPS = 1e-9


def bbox_polygon(west: float, south: float, east: float, north: float) -> list[list[Point]]:
    """An extent as a one-ring polygon (counter-clockwise, closed)."""
    if not (west < east and south < north):
        raise InputError(f"The extent ({west}, {south}, {east}, {north}) is empty or inverted.")
    return [[(west, south), (east, south), (east, north), (west, north), (west, south)]]


def _edges(ring: Ring) -> Iterator[tuple[Point, Point]]:
    n = len(ring)
    for i in range(n):
        p, q = ring[i], ring[(i + 1) % n]
        if p != q:
            yield p, q


def _open_columns(a: float, b: float) -> tuple[int, int] | None:
    """Columns whose open interval (c, c+1) meets [a, b]; None when none does."""
    if b - a <= _EPS:  # a point or a vertical segment
        if abs(a - round(a)) <= _EPS:
            return None  # exactly on a column line: touches only
        return math.floor(a), math.floor(a)
    return math.floor(a + _EPS), math.ceil(b - _EPS) - 1


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _to_tile_space(polygons: Sequence[Polygon], z: int) -> list[list[list[Point]]]:
    out = []
    for poly in polygons:
        rings = []
        for ring in poly:
            if len(ring) < 3:
                raise InputError("A polygon ring needs at least 3 points.")
            rings.append([xy_to_fractional_tile(x, y, z) for x, y in ring])
        if rings:
            out.append(rings)
    return out


def cover_spans(polygons: Sequence[Polygon], z: int) -> Iterator[tuple[int, int, int]]:
    """Yield ``(row, first_col, last_col)`` spans covering EPSG:3857 polygons at zoom z.

    Rows come in increasing order; spans within a row are disjoint and sorted.
    """
    _check_zoom(z)
    n = 1 << z
    # edges per polygon (all rings of one polygon together, so holes work)
    polys = [[e for ring in poly for e in _edges(ring)] for poly in _to_tile_space(polygons, z)]
    ys = [p[1] for edges in polys for e in edges for p in e]
    if not ys:
        return
    row_lo = max(0, math.floor(min(ys) + _EPS))
    row_hi = min(n - 1, math.ceil(max(ys) - _EPS) - 1)
    for row in range(row_lo, row_hi + 1):
        spans: list[tuple[int, int]] = []
        for edges in polys:  # even-odd interiors per polygon: overlapping parts must not cancel
            spans.extend(_row_spans(edges, row))
        for lo, hi in _merge(spans):
            lo, hi = max(lo, 0), min(hi, n - 1)
            if lo <= hi:
                yield row, lo, hi


def _row_spans(edges: list[tuple[Point, Point]], row: int) -> list[tuple[int, int]]:
    """Columns of one polygon in one tile row: boundary sweeps plus mid-line interior."""
    y0, y1, ym = float(row), float(row + 1), row + 0.5
    spans: list[tuple[int, int]] = []
    crossings: list[float] = []
    for (ax, ay), (bx, by) in edges:
        if (ay <= ym) != (by <= ym):
            crossings.append(ax + (ym - ay) * (bx - ax) / (by - ay))
        lo_y, hi_y = min(ay, by), max(ay, by)
        if hi_y < y0 or lo_y > y1:
            continue
        if hi_y - lo_y <= _EPS:  # horizontal edge
            if ay <= y0 + _EPS or ay >= y1 - _EPS:
                continue  # lies on the band's border: touches only
            xa, xb = ax, bx
        else:
            ta = (max(lo_y, y0) - ay) / (by - ay)
            tb = (min(hi_y, y1) - ay) / (by - ay)
            if abs(tb - ta) * abs(by - ay) <= _EPS:
                continue  # meets the band in a single point
            xa, xb = ax + ta * (bx - ax), ax + tb * (bx - ax)
        cols = _open_columns(min(xa, xb), max(xa, xb))
        if cols:
            spans.append(cols)
    crossings.sort()
    for i in range(0, len(crossings) - 1, 2):
        cols = _open_columns(crossings[i], crossings[i + 1])
        if cols:
            spans.append(cols)
    return spans


def iter_cover(polygons: Sequence[Polygon], z: int) -> Iterator[Tile]:
    """Tiles of the cover in row-major order, generated lazily."""
    for row, lo, hi in cover_spans(polygons, z):
        for col in range(lo, hi + 1):
            yield Tile(col, row, z)


def tile_cover(polygons: Sequence[Polygon], z: int) -> list[Tile]:
    return list(iter_cover(polygons, z))


def count_cover(polygons: Sequence[Polygon], z: int) -> int:
    """Number of tiles in the cover without listing them (for "this scan is N tiles")."""
    return sum(hi - lo + 1 for _, lo, hi in cover_spans(polygons, z))


#: above this many tiles in the region's box, an estimate says "up to" instead of counting: the
#: exact count walks every tile row (a world view at zoom 18 is 262,144 rows: a minute of work)
EXACT_COUNT_LIMIT = 1_000_000


def box_tile_count(polygons: Sequence[Polygon], z: int) -> int:
    """Tiles in the box around the polygons at zoom ``z``: an upper bound of the cover, at once."""
    _check_zoom(z)
    b = polygons_bounds(polygons)
    (x0, y0), (x1, y1) = xy_to_fractional_tile(b.west, b.north, z), xy_to_fractional_tile(b.east, b.south, z)
    n = 1 << z
    cols = min(n, math.ceil(x1 - _EPS)) - max(0, math.floor(x0 + _EPS))
    rows = min(n, math.ceil(y1 - _EPS)) - max(0, math.floor(y0 + _EPS))
    return max(cols, 0) * max(rows, 0)


def estimate_cover(polygons: Sequence[Polygon], z: int) -> tuple[int, bool]:
    """(tiles, exact): the exact cover when the region's box holds at most EXACT_COUNT_LIMIT
    tiles (a fraction of a second), else the box's count as an upper bound."""
    bound = box_tile_count(polygons, z)
    if bound > EXACT_COUNT_LIMIT:
        return bound, False
    return count_cover(polygons, z), True


def densify_ring(ring: Ring, pieces_per_unit: float, max_pieces: int = 1000) -> list[Point]:
    """Insert points along each edge so a curved reprojection of it stays accurate."""
    out: list[Point] = []
    for (ax, ay), (bx, by) in _edges(ring):
        k = min(max_pieces, max(1, math.ceil(math.hypot(bx - ax, by - ay) * pieces_per_unit)))
        out.extend((ax + (bx - ax) * i / k, ay + (by - ay) * i / k) for i in range(k))
    if out:
        out.append(out[0])
    return out


def polygons_to_3857(polygons: Sequence[Polygon], to_3857: Transform, segments: int = 256) -> list[Polygon]:
    """Densify polygons in their own CRS (``segments`` pieces across their extent) and project.

    ``to_3857`` maps coordinate sequences to EPSG:3857 (QgsCoordinateTransform on the QGIS
    side, rasterio.warp.transform in the runtime).
    """
    xs = [p[0] for poly in polygons for ring in poly for p in ring]
    ys = [p[1] for poly in polygons for ring in poly for p in ring]
    if not xs:
        raise InputError("The region is empty: it has no polygon with points.")
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    density = segments / span if span > 0 else 1.0
    out: list[Polygon] = []
    for poly in polygons:
        rings = []
        for ring in poly:
            dense = densify_ring(ring, density)
            tx, ty = to_3857([p[0] for p in dense], [p[1] for p in dense])
            rings.append(list(zip((float(v) for v in tx), (float(v) for v in ty))))
        out.append(rings)
    return out


def _clip_ring(ring: Ring, west: float, south: float, east: float, north: float) -> list[Point]:
    """Sutherland-Hodgman against an axis-aligned box (the result stays closed when not empty)."""
    points = [p for p in ring]
    if points and points[0] == points[-1]:
        points = points[:-1]
    for inside, cross in (
        (lambda p: p[0] >= west, lambda a, b: (west, a[1] + (b[1] - a[1]) * (west - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= east, lambda a, b: (east, a[1] + (b[1] - a[1]) * (east - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= south, lambda a, b: (a[0] + (b[0] - a[0]) * (south - a[1]) / (b[1] - a[1]), south)),
        (lambda p: p[1] <= north, lambda a, b: (a[0] + (b[0] - a[0]) * (north - a[1]) / (b[1] - a[1]), north)),
    ):
        kept: list[Point] = []
        for k, current in enumerate(points):
            previous = points[k - 1]
            if inside(current):
                if not inside(previous):
                    kept.append(cross(previous, current))
                kept.append(current)
            elif inside(previous):
                kept.append(cross(previous, current))
        points = kept
        if not points:
            return []
    return points + points[:1]


def polygons_bounds(polygons: Sequence[Polygon]) -> Bounds:
    """The box around the polygons' outer rings (holes lie inside them)."""
    xs = [p[0] for poly in polygons for p in poly[0]]
    ys = [p[1] for poly in polygons for p in poly[0]]
    return Bounds(min(xs), min(ys), max(xs), max(ys))


def clip_to_box(polygons: Sequence[Polygon], west: float, south: float, east: float, north: float) -> list[Polygon]:
    """The parts of ``polygons`` inside a box (a region clipped to its imagery's extent, so a
    view zoomed out over a continent counts only the tiles that have imagery)."""
    clipped: list[Polygon] = []
    for polygon in polygons:
        rings = [_clip_ring(ring, west, south, east, north) for ring in polygon]
        if len(rings[0]) >= 4:
            clipped.append([rings[0], *(r for r in rings[1:] if len(r) >= 4)])
    return clipped
