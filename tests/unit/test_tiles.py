import csv
import math

import pytest

from school_detector.core import tiles as T
from school_detector.core.errors import InputError
from tests.paths import require_shared_data


def colombia_rows():
    path = require_shared_data() / "labels" / "devseed_colombia_tiles_z17.csv"
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_all_real_colombia_rows_roundtrip():
    rows = colombia_rows()
    assert len(rows) == 9405
    for row in rows:
        tile = T.make_tile(int(row["x"]), int(row["y"]), int(row["z"]))
        assert T.quadkey(tile) == row["quadkey"]
        assert T.from_quadkey(row["quadkey"]) == tile
        b = T.bounds_4326(tile)
        for key, value in zip(("west", "south", "east", "north"), b):
            assert value == pytest.approx(float(row[key]), abs=1e-9), (row, key)
        # the tile's centre maps back to the tile, through lon/lat and through EPSG:3857
        lon, lat = (b.west + b.east) / 2, (b.south + b.north) / 2
        assert T.tile_for_lonlat(lon, lat, tile.z) == tile
        x, y = T.lonlat_to_xy(lon, lat)
        assert T.tile_for_xy(x, y, tile.z) == tile
        assert T.parse_tile_id(tile.id) == tile


def test_colombia_label_noise_is_what_the_readme_says():
    rows = colombia_rows()
    both = {r["quadkey"] for r in rows if r["in_both_sets"].lower() in ("1", "true", "yes")}
    assert len(both) == 300


@pytest.mark.parametrize(
    ("lon", "lat", "z", "expected"),
    [
        (0.0, 0.0, 0, (0, 0, 0)),
        (-180.0, 85.0511287798066, 1, (0, 0, 1)),
        (179.9999999, -85.0511287798066, 1, (1, 1, 1)),
        (180.0, 0.0, 2, (3, 2, 2)),  # the east edge belongs to the last column
        (0.0, 0.0, 18, (131072, 131072, 18)),
        (-1e-9, 1e-9, 18, (131071, 131071, 18)),
        (-74.0817, 4.6097, 18, (77127, 127711, 18)),  # closed-form slippy-map formula
        (0.0, 89.9, 5, (16, 0, 5)),  # beyond the mercator limit: clamped to the top row
        (0.0, -89.9, 5, (16, 31, 5)),
    ],
)
def test_tile_for_lonlat_edges(lon, lat, z, expected):
    assert tuple(T.tile_for_lonlat(lon, lat, z)) == expected


@pytest.mark.parametrize("bad", [(200.0, 0.0, 3), (0.0, 95.0, 3), (0.0, 0.0, -1), (0.0, 0.0, 25)])
def test_tile_for_lonlat_rejects(bad):
    with pytest.raises(InputError):
        T.tile_for_lonlat(*bad)


@pytest.mark.parametrize("z", [0, 1, 10, 17, 18, 19, 24])
def test_bounds_3857_tile_the_world_exactly(z):
    n = 1 << z
    first, last = T.bounds_3857(T.Tile(0, 0, z)), T.bounds_3857(T.Tile(n - 1, n - 1, z))
    assert first.west == pytest.approx(-T.ORIGIN_SHIFT)
    assert first.north == pytest.approx(T.ORIGIN_SHIFT)
    assert last.east == pytest.approx(T.ORIGIN_SHIFT)
    assert last.south == pytest.approx(-T.ORIGIN_SHIFT)
    b = T.bounds_3857(T.Tile(n // 3, n // 5, z))
    assert b.east - b.west == pytest.approx(T.EARTH_CIRCUMFERENCE / n)
    assert b.north - b.south == pytest.approx(T.EARTH_CIRCUMFERENCE / n)


def test_bounds_agree_between_crs():
    tile = T.Tile(77183, 127383, 18)
    b3857, b4326 = T.bounds_3857(tile), T.bounds_4326(tile)
    west, north = T.xy_to_lonlat(b3857.west, b3857.north)
    assert (west, north) == pytest.approx((b4326.west, b4326.north), abs=1e-9)


@pytest.mark.parametrize("bad", ["", "4", "18/1/2/3", "a/b/c", "18/300000/1"])
def test_parse_tile_id_rejects(bad):
    with pytest.raises(InputError):
        T.parse_tile_id(bad)


def test_tile_id_and_file_stem():
    t = T.parse_tile_id("18-77183-127383")
    assert t.id == "18/77183/127383" and t.file_stem == "18-77183-127383"


@pytest.mark.parametrize("bad", ["", "0124", "x"])
def test_from_quadkey_rejects(bad):
    with pytest.raises(InputError):
        T.from_quadkey(bad)


def test_supertile_children_and_layout():
    child = T.Tile(77183, 127383, 18)
    sup = T.supertile_of(child)
    assert sup == T.Tile(38591, 63691, 17)
    kids = T.children(sup)
    assert child in kids and len(set(kids)) == 4
    assert all(T.parent(k) == sup for k in kids)
    layout = T.supertile_layout(sup)
    assert [(c.x - 2 * sup.x, c.y - 2 * sup.y) for c, _, _ in layout] == [(0, 0), (1, 0), (0, 1), (1, 1)]
    assert [(col, row) for _, col, row in layout] == [(0, 0), (256, 0), (0, 256), (256, 256)]
    # the supertile's footprint is exactly the union of its children's
    sb = T.bounds_3857(sup)
    kb = [T.bounds_3857(k) for k in kids]
    assert min(b.west for b in kb) == pytest.approx(sb.west)
    assert max(b.north for b in kb) == pytest.approx(sb.north)
    assert max(b.east for b in kb) == pytest.approx(sb.east)
    assert min(b.south for b in kb) == pytest.approx(sb.south)


def test_parent_and_children_limits():
    with pytest.raises(InputError):
        T.parent(T.Tile(0, 0, 0))
    with pytest.raises(InputError):
        T.children(T.Tile(0, 0, 24))
    with pytest.raises(InputError):
        T.bounds_3857(T.Tile(4, 0, 2))


@pytest.mark.parametrize(("lat", "z", "expected"), [(0.0, 18, 0.5972), (60.0, 18, 0.2986), (0.0, 17, 1.1943)])
def test_ground_resolution(lat, z, expected):
    assert T.ground_resolution(lat, z) == pytest.approx(expected, abs=1e-4)
    assert T.pixel_size_3857(z) == pytest.approx(T.ground_resolution(0.0, z))
    assert T.ground_resolution(lat, z) == pytest.approx(T.pixel_size_3857(z) * math.cos(math.radians(lat)))
