"""Where a candidate is, on the ground: its point inside the tile, whether a school is already
known there, whether it lies in the region scanned, and which candidates are one place.

Pure geometry in EPSG:3857 (web-mercator metres). Ground distances are mercator distances
times cos(latitude), so "within 75 m" means 75 m on the ground at any latitude.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .cover import Polygon, polygons_bounds
from .distances import KNOWN_DISTANCE_M, NEAR_KNOWN_M
from .tiles import ORIGIN_SHIFT, Bounds

Point = tuple[float, float]


MODEL, TILE_CENTRE = "model", "tile-centre"


def ground_scale(y: float) -> float:
    """Ground metres per mercator metre at mercator northing ``y`` (cos of the latitude)."""
    lat = math.atan(math.sinh(y / ORIGIN_SHIFT * math.pi))
    return math.cos(lat)


def ground_distance(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1]) * ground_scale((a[1] + b[1]) / 2)


def chip_point(bounds: Bounds, fx: float, fy: float) -> Point:
    """The EPSG:3857 point at fractions (``fx`` from the west, ``fy`` from the north) of a chip."""
    fx, fy = min(max(fx, 0.0), 1.0), min(max(fy, 0.0), 1.0)
    return bounds.west + fx * (bounds.east - bounds.west), bounds.north - fy * (bounds.north - bounds.south)


def centre(bounds: Bounds) -> Point:
    return (bounds.west + bounds.east) / 2, (bounds.south + bounds.north) / 2


def in_ring(p: Point, ring: Sequence[Point]) -> bool:
    """Even-odd rule (a point on an edge may fall either way)."""
    x, y = p
    inside = False
    n = len(ring)
    for i in range(n):
        (x1, y1), (x2, y2) = ring[i], ring[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def in_polygon(p: Point, polygon: Polygon) -> bool:
    """Inside the outer ring and outside every hole."""
    return bool(polygon) and in_ring(p, polygon[0]) and not any(in_ring(p, hole) for hole in polygon[1:])


@dataclass
class Region:
    """The polygons a scan covers (e.g. districts), for "is this point in the region?"."""

    polygons: list[Polygon]
    #: each polygon with a ring, beside its box (an empty one is skipped, not paired with the next's box)
    _boxed: list[tuple[Bounds, Polygon]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._boxed = [(polygons_bounds([p]), p) for p in self.polygons if p and p[0]]

    def contains(self, p: Point) -> bool:
        return any(
            b.west <= p[0] <= b.east and b.south <= p[1] <= b.north and in_polygon(p, poly) for b, poly in self._boxed
        )


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    """Mercator distance from ``p`` to the segment ``a``-``b``."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else min(max(((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length, 0.0), 1.0)
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def polygon_distance(p: Point, polygon: Polygon) -> float:
    """Ground metres from ``p`` to ``polygon`` (0 inside it): to its nearest edge, holes included."""
    if in_polygon(p, polygon):
        return 0.0
    nearest = min(
        (_segment_distance(p, ring[i], ring[(i + 1) % len(ring)]) for ring in polygon for i in range(len(ring))),
        default=math.inf,
    )
    return nearest * ground_scale(p[1])


class KnownSchools:
    """Schools already in the mapper's data: points, and polygons (a compound, a campus) kept
    as polygons, so a 300 m campus is one school wherever on it a candidate lands. Indexed on a
    grid so that matching a scan's candidates stays fast with a national list."""

    def __init__(
        self, points: Iterable[Point] = (), polygons: Iterable[Polygon] = (), distance_m: float = KNOWN_DISTANCE_M
    ):
        self.distance_m = float(distance_m)
        self.points = list(points)
        self.polygons = [p for p in polygons if p and p[0]]
        self._cell = max(self.distance_m, 1.0) * 4  # mercator metres: wide enough for any latitude < 75°
        self._grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        for k, (x, y) in enumerate(self.points):
            self._grid[self._key(x, y)].append(k)
        self._polygon_grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        for k, polygon in enumerate(self.polygons):
            box = polygons_bounds([polygon])
            (x0, y0), (x1, y1) = self._key(box.west, box.south), self._key(box.east, box.north)
            for gx in range(x0, x1 + 1):
                for gy in range(y0, y1 + 1):
                    self._polygon_grid[(gx, gy)].append(k)

    def __len__(self) -> int:
        return len(self.points) + len(self.polygons)

    def _key(self, x: float, y: float) -> tuple[int, int]:
        return int(x // self._cell), int(y // self._cell)

    def distance(self, p: Point, reach_m: float = NEAR_KNOWN_M) -> float | None:
        """Ground metres from ``p`` to the nearest known school (a point, or a polygon's outline;
        0 inside a polygon), or None when none is within ``reach_m``."""
        steps = int(reach_m / ground_scale(p[1]) // self._cell) + 1
        kx, ky = self._key(*p)
        best = math.inf
        seen: set[int] = set()
        for gx in range(kx - steps, kx + steps + 1):
            for gy in range(ky - steps, ky + steps + 1):
                for k in self._grid.get((gx, gy), ()):
                    best = min(best, ground_distance(p, self.points[k]))
                for k in self._polygon_grid.get((gx, gy), ()):
                    if k not in seen:
                        seen.add(k)
                        best = min(best, polygon_distance(p, self.polygons[k]))
        return best if best <= reach_m else None

    def match(self, p: Point) -> bool:
        """``p`` is on a known school: within the distance of its point or of its outline."""
        return self.distance(p, self.distance_m) is not None

    def extent(self) -> Bounds | None:
        xs = [p[0] for p in self.points] + [q[0] for poly in self.polygons for q in poly[0]]
        ys = [p[1] for p in self.points] + [q[1] for poly in self.polygons for q in poly[0]]
        return Bounds(min(xs), min(ys), max(xs), max(ys)) if xs else None

    def fingerprint(self) -> str:
        """Changes when the list or the distance does: a resumed scan re-judges its candidates."""
        import hashlib

        digest = hashlib.sha256(repr((self.distance_m, self.points, self.polygons)).encode())
        return digest.hexdigest()[:16]
