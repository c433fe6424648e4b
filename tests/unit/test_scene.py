"""The sample scene with QGIS-side numpy 1.x and Debian's rasterio."""

import json

import numpy as np
import pytest
import rasterio

from school_detector.core import tiles as T
from school_detector.core.errors import InputError
from school_detector.core.gpkg import GeoPackage
from school_detector.sample.scene import LABELS_GPKG, SCENE_JSON, SCENE_TIF, SceneSpec, render, write_scene


def test_scene_is_georeferenced_on_the_tile_grid(tmp_path):
    spec = SceneSpec(tiles=4, seed=3)
    meta = write_scene(spec, tmp_path)
    with rasterio.open(tmp_path / SCENE_TIF) as src:
        assert src.crs.to_epsg() == 3857
        assert (src.width, src.height, src.count) == (1024, 1024, 3)
        assert src.res[0] == pytest.approx(T.pixel_size_3857(18))
        first = T.tile_for_lonlat(spec.lon, spec.lat, 18)
        b = T.bounds_3857(first)
        assert (src.bounds.left, src.bounds.top) == pytest.approx((b.west, b.north))
        # the scene ends exactly on tile edges: 4x4 whole tiles
        last = T.tile_for_xy(src.bounds.right - 1, src.bounds.bottom + 1, 18)
        assert (last.x - first.x, last.y - first.y) == (3, 3)
        img = src.read()
    assert img.dtype == np.uint8 and 40 < img.mean() < 200 and img.std() > 15
    assert meta["counts"]["school"] >= 2 and not meta["reused"]
    assert json.loads((tmp_path / SCENE_JSON).read_text())["spec"]["tiles"] == 4


def test_labels_and_truth_are_consistent(tmp_path):
    meta = write_scene(SceneSpec(tiles=6, seed=1), tmp_path)
    w, s, e, n = meta["bounds_3857"]
    with GeoPackage(tmp_path / LABELS_GPKG, create=False) as g:
        labels = list(g.features("labels"))
        truth = list(g.features("truth"))
        footprints = list(g.features("truth_footprints"))
    assert {a["label"] for _, _, a in labels} == {"school", "not-school"}
    assert len(truth) == meta["counts"]["school"] == len(footprints)
    mapped = {a["site_id"] for _, _, a in truth if a["mapped"]}
    assert mapped == {a["site_id"] for _, _, a in labels if a["label"] == "school"}
    assert 0 < len(mapped) < len(truth)  # some schools are left for the scan to find
    for _, (lon, lat), _ in truth + labels:
        x, y = T.lonlat_to_xy(lon, lat)
        assert w < x < e and s < y < n


def test_schools_look_different_from_houses():
    """The yard and pitch make school compounds brighter/greener on average than the scene."""
    img, sites = render(SceneSpec(tiles=6, seed=2))
    school = next(s for s in sites if s.kind == "school")
    patch = img[school.row : school.row + school.height, school.col : school.col + school.width]
    assert patch.mean() > img.mean()


def test_same_spec_same_pixels_and_reuse(tmp_path):
    a, _ = render(SceneSpec(tiles=3, seed=7))
    b, _ = render(SceneSpec(tiles=3, seed=7))
    c, _ = render(SceneSpec(tiles=3, seed=8))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    write_scene(SceneSpec(tiles=3, seed=7), tmp_path)
    assert write_scene(SceneSpec(tiles=3, seed=7), tmp_path)["reused"] is True
    assert write_scene(SceneSpec(tiles=3, seed=9), tmp_path)["reused"] is False


def test_bad_size():
    with pytest.raises(InputError):
        render(SceneSpec(tiles=1))
