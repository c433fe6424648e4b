import math
import random

import pytest

from school_detector.core import cover as C
from school_detector.core import tiles as T
from school_detector.core.errors import InputError

Z = 18


def tile_box(col, row, z=Z):
    b = T.bounds_3857(T.Tile(col, row, z))
    return b.west, b.south, b.east, b.north


def clip_area(ring, box):
    """Area of a ring clipped to a box (Sutherland-Hodgman; exact for any ring and convex box)."""
    w, s, e, n = box
    pts = list(ring[:-1]) if ring[0] == ring[-1] else list(ring)
    for inside, cut in (
        (lambda p: p[0] >= w, lambda p, q: (w, p[1] + (q[1] - p[1]) * (w - p[0]) / (q[0] - p[0]))),
        (lambda p: p[0] <= e, lambda p, q: (e, p[1] + (q[1] - p[1]) * (e - p[0]) / (q[0] - p[0]))),
        (lambda p: p[1] >= s, lambda p, q: (p[0] + (q[0] - p[0]) * (s - p[1]) / (q[1] - p[1]), s)),
        (lambda p: p[1] <= n, lambda p, q: (p[0] + (q[0] - p[0]) * (n - p[1]) / (q[1] - p[1]), n)),
    ):
        out = []
        for i, p in enumerate(pts):
            q = pts[i - 1]
            if inside(p):
                if not inside(q):
                    out.append(cut(q, p))
                out.append(p)
            elif inside(q):
                out.append(cut(q, p))
        pts = out
        if not pts:
            return 0.0
    return abs(sum(pts[i - 1][0] * p[1] - p[0] * pts[i - 1][1] for i, p in enumerate(pts))) / 2


def brute_force(polygon, z=Z):
    """Reference: every tile near the polygon whose intersection with it has positive area."""
    xs = [p[0] for p in polygon[0]]
    ys = [p[1] for p in polygon[0]]
    lo = T.tile_for_xy(min(xs), max(ys), z)
    hi = T.tile_for_xy(max(xs), min(ys), z)
    out = set()
    for row in range(lo.y - 1, hi.y + 2):
        for col in range(lo.x - 1, hi.x + 2):
            box = tile_box(col, row, z)
            area = clip_area(polygon[0], box) - sum(clip_area(h, box) for h in polygon[1:])
            if area > 1e-12 * (box[2] - box[0]) ** 2:
                out.add(T.Tile(col, row, z))
    return out


def test_bbox_aligned_to_the_grid_gives_exactly_its_tiles():
    w, s, _, _ = tile_box(1000, 2005)
    _, _, e, n = tile_box(1003, 2000)
    got = C.tile_cover([C.bbox_polygon(w, s, e, n)], Z)
    assert set(got) == {T.Tile(c, r, Z) for c in range(1000, 1004) for r in range(2000, 2006)}
    assert got == sorted(got, key=lambda t: (t.y, t.x))
    assert C.count_cover([C.bbox_polygon(w, s, e, n)], Z) == 24


def test_small_extent_inside_one_tile():
    w, s, _, _ = tile_box(5000, 7000)
    poly = C.bbox_polygon(w + 10, s + 10, w + 20, s + 20)
    assert C.tile_cover([poly], Z) == [T.Tile(5000, 7000, Z)]


def test_hole_excludes_the_tiles_strictly_inside_it():
    w, s, _, _ = tile_box(100, 110)
    _, _, e, n = tile_box(109, 100)
    hw, hs, _, _ = tile_box(103, 106)
    _, _, he, hn = tile_box(106, 103)
    poly = [C.bbox_polygon(w, s, e, n)[0], C.bbox_polygon(hw, hs, he, hn)[0][::-1]]
    got = set(C.tile_cover([poly], Z))
    assert len(got) == 11 * 10 - 16
    assert T.Tile(104, 104, Z) not in got and T.Tile(102, 104, Z) in got
    assert got == brute_force(poly)


@pytest.mark.parametrize("seed", range(25))
def test_random_polygons_match_brute_force(seed):
    rng = random.Random(seed)
    cx, cy = T.bounds_3857(T.Tile(77000 + seed, 127000, Z))[:2]
    size = T.EARTH_CIRCUMFERENCE / (1 << Z)
    k = rng.randint(3, 12)
    angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(k))  # star-shaped, often concave
    ring = [
        (cx + math.cos(a) * rng.uniform(0.3, 6) * size, cy + math.sin(a) * rng.uniform(0.3, 6) * size) for a in angles
    ]
    ring.append(ring[0])
    got = C.tile_cover([[ring]], Z)
    assert len(got) == len(set(got))
    assert set(got) == brute_force([ring])


def test_u_shaped_polygon_skips_the_notch():
    """Columns 10-14, rows 16-20, with column 12 cut out from row 18 down."""
    west, south = tile_box(10, 20)[0], tile_box(10, 20)[1]
    east, north = tile_box(14, 16)[2], tile_box(14, 16)[3]
    notch_w, notch_e, notch_top = tile_box(12, 18)[0], tile_box(12, 18)[2], tile_box(12, 18)[3]
    ring = [
        (west, south),
        (notch_w, south),
        (notch_w, notch_top),
        (notch_e, notch_top),
        (notch_e, south),
        (east, south),
        (east, north),
        (west, north),
        (west, south),
    ]
    got = set(C.tile_cover([[ring]], Z))
    expected = {T.Tile(c, r, Z) for c in range(10, 15) for r in range(16, 21)} - {
        T.Tile(12, r, Z) for r in (18, 19, 20)
    }
    assert got == expected == brute_force([ring])


def test_multipolygon_union_without_duplicates():
    a = C.bbox_polygon(*tile_box(300, 300))
    b = C.bbox_polygon(*tile_box(300, 300))  # the same tile twice
    c = C.bbox_polygon(*tile_box(302, 300))
    assert C.tile_cover([a, b, c], Z) == [T.Tile(300, 300, Z), T.Tile(302, 300, Z)]


def test_other_crs_through_a_transform():
    """A lon/lat rectangle, densified and projected, covers what its EPSG:3857 image covers."""
    lon0, lat0, lon1, lat1 = 30.05, -1.96, 30.07, -1.94
    poly = C.bbox_polygon(lon0, lat0, lon1, lat1)

    def to_3857(xs, ys):
        pts = [T.lonlat_to_xy(x, y) for x, y in zip(xs, ys)]
        return [p[0] for p in pts], [p[1] for p in pts]

    projected = C.polygons_to_3857([poly], to_3857)
    got = set(C.tile_cover(projected, 17))
    first, last = T.tile_for_lonlat(lon0, lat1, 17), T.tile_for_lonlat(lon1, lat0, 17)
    assert got == {T.Tile(c, r, 17) for c in range(first.x, last.x + 1) for r in range(first.y, last.y + 1)}
    assert len(projected[0][0]) > 5  # densified


def test_empty_and_bad_input():
    with pytest.raises(InputError):
        C.bbox_polygon(1, 1, 1, 2)
    with pytest.raises(InputError):
        C.tile_cover([[[(0, 0), (1, 1)]]], Z)
    with pytest.raises(InputError):
        C.polygons_to_3857([], lambda xs, ys: (xs, ys))
    assert C.tile_cover([], Z) == []


def test_cover_is_lazy_and_counts_large_regions():
    w, s, _, _ = tile_box(100000, 100399)
    _, _, e, n = tile_box(100399, 100000)
    region = [C.bbox_polygon(w, s, e, n)]
    assert C.count_cover(region, Z) == 160000
    it = C.iter_cover(region, Z)
    assert next(it) == T.Tile(100000, 100000, Z)


def test_a_region_is_clipped_to_the_imagery_box():
    from school_detector.core.cover import clip_to_box

    square = [[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]]
    (inside,) = clip_to_box([square], 2, 3, 5, 20)
    xs, ys = zip(*inside[0])
    assert (min(xs), max(xs), min(ys), max(ys)) == (2, 5, 3, 10) and inside[0][0] == inside[0][-1]
    assert clip_to_box([square], 20, 20, 30, 30) == []  # no overlap: nothing to scan
    holed = [square[0], [(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0), (4.0, 4.0)]]
    (kept,) = clip_to_box([holed], -1, -1, 11, 11)
    assert len(kept) == 2  # a hole inside the box stays a hole
