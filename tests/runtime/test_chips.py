"""Building training data from the sample scene and real imagery: exact pixels, splits,
no-data, resume, XYZ over loopback HTTP, and bad input."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from PIL import Image
from rasterio.warp import Resampling, reproject, transform

from school_detector.core import tiles as T
from school_detector.core.chip_plan import CLASSES, SPLITS, ChipGeometry, LabeledPoint, block_of
from school_detector.core.errors import InputError, JobCancelled
from school_detector.dataset.builder import BuildOptions, build_dataset, read_dataset_folder
from school_detector.imagery.base import ImageryError
from school_detector.imagery.raster import RasterSource
from school_detector.imagery.xyz import XyzSource
from school_detector.sample.scene import SceneSpec, write_scene, write_xyz_tiles
from tests.paths import require_shared_data
from tests.support.tile_server import TileServer

AERIAL = require_shared_data() / "aerial"


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    out = tmp_path_factory.mktemp("scene")
    write_scene(SceneSpec(tiles=8, seed=11), out)
    write_xyz_tiles(out / "scene.tif", out / "tiles")
    return out


def manifest(folder):
    with (Path(folder) / "manifest.csv").open() as f:
        return list(csv.DictReader(f))


def png(path):
    return np.asarray(Image.open(path).convert("RGB"))


def test_cli_builds_the_dataset_layout(cli, scene, tmp_path):
    out = tmp_path / "ds"
    proc, events = cli(
        "chips",
        "--imagery",
        str(scene / "scene.tif"),
        "--labels",
        str(scene / "labels.gpkg"),
        "--out",
        str(out),
        "--background-ratio",
        "1",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    info = next(e for e in events if e["event"] == "result")["data"]
    assert info["complete"] and info["chips"] > 20 and info["chips_per_s"] > 0
    rows = manifest(out)
    assert len(rows) == info["chips"] == json.loads((out / "dataset.json").read_text())["chips"]
    for row in rows:
        assert row["file"] == f"{row['split']}/{row['label']}/{T.parse_tile_id(row['tile']).file_stem}" + (
            "-bg.png" if row["origin"] == "background" else ".png"
        )
        assert (out / row["file"]).is_file()
    folders = read_dataset_folder(out)
    assert sum(len(v) for s in folders.values() for v in s.values()) == len(rows)
    assert all(len(folders[s]["school"]) > 0 for s in SPLITS)  # both classes in every split
    assert any(e["event"] == "progress" for e in events)


def test_grid_chips_are_exactly_the_imagery_at_the_tile(scene, tmp_path):
    from school_detector.dataset.labels_io import LabelMapping, read_labels

    points, _ = read_labels(scene / "labels.gpkg", LabelMapping())
    info = build_dataset(points, RasterSource(scene / "scene.tif"), tmp_path, BuildOptions())
    assert info["chips"] > 0
    with rasterio.open(scene / "scene.tif") as ds:
        for row in manifest(tmp_path)[:12]:
            b = T.bounds_3857(T.parse_tile_id(row["tile"]))
            window = rasterio.windows.from_bounds(*b, transform=ds.transform)
            expected = np.moveaxis(ds.read(window=window.round_offsets().round_lengths()), 0, 2)
            assert expected.shape == (256, 256, 3)
            assert np.array_equal(png(tmp_path / row["file"]), expected), row["file"]


def test_supertiles_are_512_px_from_four_children(scene, tmp_path):
    points = [LabeledPoint("a", *T.xy_to_lonlat(*_scene_centre(scene)), "school")]
    info = build_dataset(
        points,
        RasterSource(scene / "scene.tif"),
        tmp_path,
        BuildOptions(geometry=ChipGeometry(supertile=True), split=(1.0, 0.0, 0.0)),
    )
    row = manifest(tmp_path)[0]
    sup = T.parse_tile_id(row["tile"])
    assert sup.z == 17 and info["chip_px"] == 512
    img = png(tmp_path / row["file"])
    assert img.shape == (512, 512, 3)
    with rasterio.open(scene / "scene.tif") as ds:
        for child, col, r in T.supertile_layout(sup):
            w = rasterio.windows.from_bounds(*T.bounds_3857(child), transform=ds.transform).round_offsets()
            expected = np.moveaxis(ds.read(window=w.round_lengths()), 0, 2)
            assert np.array_equal(img[r : r + 256, col : col + 256], expected)


def _scene_centre(scene):
    with rasterio.open(scene / "scene.tif") as ds:
        b = ds.bounds
        return (b.left + b.right) / 2 + 1, (b.bottom + b.top) / 2 + 1


def test_centered_chips_are_centred_on_the_point(scene, tmp_path):
    x, y = _scene_centre(scene)
    x += 37.3
    points = [LabeledPoint("p1", *T.xy_to_lonlat(x, y), "school")]
    build_dataset(
        points,
        RasterSource(scene / "scene.tif"),
        tmp_path,
        BuildOptions(geometry=ChipGeometry(centered=True), split=(1.0, 0.0, 0.0)),
    )
    row = manifest(tmp_path)[0]
    assert row["file"].endswith("-p1.png")
    px = T.pixel_size_3857(18)
    with rasterio.open(scene / "scene.tif") as ds:
        r, col = rasterio.transform.rowcol(ds.transform, x - 128 * px, y + 128 * px, op=float)
        window = rasterio.windows.Window(round(col), round(r), 256, 256)
        expected = np.moveaxis(ds.read(window=window), 0, 2).astype(int)
    diff = np.abs(png(tmp_path / row["file"]).astype(int) - expected)
    assert diff.mean() < 8  # sub-pixel offset, bilinear: close, not identical


def test_splits_are_reproducible_and_leak_free(scene, tmp_path):
    from school_detector.dataset.labels_io import LabelMapping, read_labels

    points, _ = read_labels(scene / "labels.gpkg", LabelMapping())
    src = RasterSource(scene / "scene.tif")
    runs = {}
    for name, seed in (("a", 0), ("b", 0), ("c", 5)):
        build_dataset(points, src, tmp_path / name, BuildOptions(seed=seed, background_ratio=1.0))
        runs[name] = [(r["file"], r["split"]) for r in manifest(tmp_path / name)]
    assert runs["a"] == runs["b"] and runs["a"] != runs["c"]
    from school_detector.core.chip_plan import ChipPlan

    levels = json.loads((tmp_path / "a" / "dataset.json").read_text())["split"]["block_levels"]
    blocks = {}
    for row in manifest(tmp_path / "a"):
        block = block_of(ChipPlan("k", T.parse_tile_id(row["tile"]), row["label"]), levels)
        assert blocks.setdefault(block, row["split"]) == row["split"], "a block straddles two splits"
    assert len(set(blocks.values())) == 3


def test_cancel_leaves_a_consistent_resumable_folder(scene, tmp_path):
    from school_detector.dataset.labels_io import LabelMapping, read_labels

    points, _ = read_labels(scene / "labels.gpkg", LabelMapping())
    src = RasterSource(scene / "scene.tif")
    calls = {"n": 0}

    def cancel_after_5():
        calls["n"] += 1
        return calls["n"] >= 5

    with pytest.raises(JobCancelled):
        build_dataset(points, src, tmp_path / "x", BuildOptions(workers=1), cancelled=cancel_after_5)
    partial = json.loads((tmp_path / "x" / "dataset.json").read_text())
    assert partial["complete"] is False and partial["chips"] == 5 == len(manifest(tmp_path / "x"))
    assert not list((tmp_path / "x").rglob(".*.tmp"))
    info = build_dataset(points, src, tmp_path / "x", BuildOptions(workers=1))
    assert info["complete"] and info["reused"] == 5 and info["resumed"]
    build_dataset(points, src, tmp_path / "y", BuildOptions(workers=1))
    assert [r["file"] for r in manifest(tmp_path / "x")] == [r["file"] for r in manifest(tmp_path / "y")]
    with pytest.raises(InputError, match="other settings"):
        build_dataset(points, src, tmp_path / "x", BuildOptions(seed=9))


def test_xyz_over_loopback_equals_the_geotiff_and_caches(scene, tmp_path):
    from school_detector.dataset.labels_io import LabelMapping, read_labels

    points, _ = read_labels(scene / "labels.gpkg", LabelMapping())
    build_dataset(points, RasterSource(scene / "scene.tif"), tmp_path / "tif", BuildOptions())
    with TileServer(scene / "tiles") as server:
        src = XyzSource(server.template, headers={"X-Key": "k"}, cache_dir=tmp_path / "cache")
        build_dataset(points, src, tmp_path / "xyz", BuildOptions())
        first_requests = sum(server.requests.values())
        assert server.headers_seen[0]["X-Key"] == "k" and "school-detector" in server.headers_seen[0]["User-Agent"]
        src2 = XyzSource(server.template, cache_dir=tmp_path / "cache")
        build_dataset(points, src2, tmp_path / "xyz2", BuildOptions())
        assert sum(server.requests.values()) == first_requests  # all from the cache
        assert src2.stats["cached"] > 0
    a, b = manifest(tmp_path / "tif"), manifest(tmp_path / "xyz")
    assert [r["file"] for r in a] == [r["file"] for r in b]
    for ra in a[:10]:
        assert np.array_equal(png(tmp_path / "tif" / ra["file"]), png(tmp_path / "xyz" / ra["file"]))


def test_xyz_retries_5xx_and_counts_missing_tiles(scene, tmp_path):
    def flaky(path, nth):
        return (503, b"busy") if nth <= 2 else None

    x, y = _scene_centre(scene)
    points = [
        LabeledPoint("in", *T.xy_to_lonlat(x, y), "school"),
        LabeledPoint("out", *T.xy_to_lonlat(x + 5000, y), "not-school"),
    ]  # no tile there: 404
    with TileServer(scene / "tiles", fault=flaky) as server:
        src = XyzSource(server.template, backoff=0.01)
        info = build_dataset(points, src, tmp_path, BuildOptions(split=(1.0, 0.0, 0.0)))
    assert info["chips"] == 1 and info["skipped"] == {"no imagery": 1}
    assert src.stats["retries"] >= 2 and src.stats["missing"] == 1


def test_unreachable_tile_server_is_a_clear_error(tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    src = XyzSource(f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png", retries=1, backoff=0.01, timeout=2)
    with pytest.raises(ImageryError, match="unreachable"):
        build_dataset([LabeledPoint("a", 30.06, -1.95, "school")], src, tmp_path / "o", BuildOptions())


def test_bad_input_messages(cli, scene, tmp_path):
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    proc, events = cli(
        "chips", "--imagery", str(scene / "scene.tif"), "--labels", str(empty), "--out", str(tmp_path / "o1")
    )
    assert proc.returncode == 2 and "no labeled points" in events[-1]["message"]
    assert not (tmp_path / "o1").exists()
    nofield = tmp_path / "nofield.csv"
    nofield.write_text("lon,lat,kind\n30.06,-1.95,school\n")
    proc, events = cli(
        "chips", "--imagery", str(scene / "scene.tif"), "--labels", str(nofield), "--out", str(tmp_path / "o2")
    )
    assert proc.returncode == 2 and "no field 'label'" in events[-1]["message"]
    outside = tmp_path / "outside.csv"
    outside.write_text("lon,lat,label\n10.0,50.0,school\n10.1,50.1,not-school\n")
    proc, events = cli(
        "chips", "--imagery", str(scene / "scene.tif"), "--labels", str(outside), "--out", str(tmp_path / "o3")
    )
    assert proc.returncode == 2 and "2 outside imagery" in events[-1]["message"]
    assert not (tmp_path / "o3").exists()
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o500)
    proc, events = cli(
        "chips",
        "--imagery",
        str(scene / "scene.tif"),
        "--labels",
        str(scene / "labels.gpkg"),
        "--out",
        str(readonly / "ds"),
    )
    readonly.chmod(0o700)
    import os

    if os.geteuid() != 0:  # root ignores permissions; the writability probe is tested below too
        assert proc.returncode == 2 and "Cannot write" in events[-1]["message"]


def test_unwritable_output_is_refused_before_any_chip(scene, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="Cannot write"):
        build_dataset(
            [LabeledPoint("a", *T.xy_to_lonlat(*_scene_centre(scene)), "school")],
            RasterSource(scene / "scene.tif"),
            blocker / "ds",
            BuildOptions(),
        )


# --- real rasters from ../shared/data/aerial ------------------------------------------------------


def centre_lonlat(path):
    with rasterio.open(path) as ds:
        b = ds.bounds
        lon, lat = transform(ds.crs, "EPSG:4326", [(b.left + b.right) / 2], [(b.bottom + b.top) / 2])
    return lon[0], lat[0]


def independent_read(path, bounds, size):
    """rasterio.warp.reproject into the tile grid: a separate code path from WarpedVRT."""
    from affine import Affine

    px = (bounds.east - bounds.west) / size
    with rasterio.open(path) as ds:
        idx = [1, 2, 3] if ds.count >= 3 else [1]
        out = np.zeros((len(idx), size, size), dtype=ds.dtypes[0])
        for k, i in enumerate(idx):
            reproject(
                rasterio.band(ds, i),
                out[k],
                dst_transform=Affine(px, 0, bounds.west, 0, -px, bounds.north),
                dst_crs="EPSG:3857",
                resampling=Resampling.bilinear,
            )
    return out


@pytest.mark.parametrize(
    ("name", "zoom"),
    [
        ("netherlands_25cm_epsg28992.tif", 19),
        ("colorado_15cm_epsg26913.tif", 21),
        ("colorado_cog_jpeg_ycbcr.tif", 21),
        ("saotome_drone_6cm_epsg32632.tif", 22),
        ("manila_10cm_epsg3395_nodata.tif", 20),
        ("bali_35cm_rgba_alpha.tif", 20),
    ],
)
def test_real_rgb_rasters_in_any_crs(name, zoom, tmp_path):
    path = AERIAL / name
    lon, lat = centre_lonlat(path)
    geometry = ChipGeometry(zoom=zoom, centered=True)
    info = build_dataset(
        [LabeledPoint("c", lon, lat, "school")],
        RasterSource(path),
        tmp_path,
        BuildOptions(geometry=geometry, split=(1.0, 0.0, 0.0), min_valid_fraction=0.5),
    )
    assert info["chips"] == 1, info["skipped"]
    row = manifest(tmp_path)[0]
    chip = png(tmp_path / row["file"])
    x, y = T.lonlat_to_xy(lon, lat)
    half = 128 * T.pixel_size_3857(zoom)
    expected = independent_read(path, T.Bounds(x - half, y - half, x + half, y + half), 256)
    expected = np.moveaxis(expected, 0, 2).astype(int)
    valid = chip.sum(axis=2) > 0
    assert np.abs(chip.astype(int) - expected)[valid].mean() < 3, name


def test_16bit_panchromatic_is_stretched_to_grey_rgb(tmp_path):
    path = AERIAL / "atlanta_50cm_uint16_pan.tif"
    lon, lat = centre_lonlat(path)
    info = build_dataset(
        [LabeledPoint("c", lon, lat, "school")],
        RasterSource(path),
        tmp_path,
        BuildOptions(geometry=ChipGeometry(zoom=19, centered=True), split=(1.0, 0.0, 0.0)),
    )
    chip = png(tmp_path / manifest(tmp_path)[0]["file"])
    assert chip.dtype == np.uint8 and np.array_equal(chip[..., 0], chip[..., 1])
    assert chip.std() > 20 and chip.max() > 200  # stretched, not a dark 16-bit-as-8-bit image
    stretch = info["imagery"]["stretch"]
    assert stretch["method"] == "percentile 2-98" and stretch["ranges"][0][1] > 255


def test_no_data_chips_are_skipped_and_reported(tmp_path):
    """Manila's black wedge (no nodata tag) and Bali's transparent corner are skipped with a reason."""
    manila = AERIAL / "manila_10cm_epsg3395_nodata.tif"
    with rasterio.open(manila) as ds:
        black = np.all(ds.read() == 0, axis=0)
        rows, cols = np.nonzero(black)
        x, y = ds.xy(int(np.median(rows)), int(np.median(cols)))
        lon, lat = transform(ds.crs, "EPSG:4326", [x], [y])
    assert black.mean() > 0.05
    wedge = LabeledPoint("wedge", lon[0], lat[0], "not-school")
    centre = LabeledPoint("centre", *centre_lonlat(manila), "school")
    info = build_dataset(
        [wedge, centre],
        RasterSource(manila),
        tmp_path / "m",
        BuildOptions(geometry=ChipGeometry(zoom=21, centered=True), split=(1.0, 0.0, 0.0)),
    )
    no_data = {"no imagery", "mostly no-data"}
    assert info["chips"] == 1 and sum(info["skipped"].values()) == 1 and set(info["skipped"]) <= no_data
    skipped = list(csv.DictReader((tmp_path / "m" / "skipped.csv").open()))
    assert [r["key"].split("-")[-1] for r in skipped] == ["wedge"] and skipped[0]["reason"] in no_data
    # nothing black was written as a training image
    assert all(png(tmp_path / "m" / r["file"]).sum(axis=2).min() >= 0 for r in manifest(tmp_path / "m"))
    bali = AERIAL / "bali_35cm_rgba_alpha.tif"
    with rasterio.open(bali) as ds:
        alpha = ds.read(4)
        rows, cols = np.nonzero(alpha == 0)
        x, y = ds.xy(int(rows[0]), int(cols[0]))
        lon, lat = transform(ds.crs, "EPSG:4326", [x], [y])
    with pytest.raises(InputError, match=r"mostly no-data|no imagery"):
        build_dataset(
            [LabeledPoint("corner", lon[0], lat[0], "school")],
            RasterSource(bali),
            tmp_path / "b",
            BuildOptions(geometry=ChipGeometry(zoom=22, centered=True), split=(1.0, 0.0, 0.0)),
        )


def test_dataset_folder_reader_accepts_not_school_underscore(tmp_path):
    for split in ("train", "valid"):
        for cls in ("school", "not_school"):
            (tmp_path / split / cls).mkdir(parents=True)
            Image.new("RGB", (8, 8)).save(tmp_path / split / cls / "a.png")
    folders = read_dataset_folder(tmp_path)
    assert set(folders) == {"train", "valid"} and set(folders["train"]) == set(CLASSES)
    assert len(folders["valid"]["not-school"]) == 1
    with pytest.raises(InputError):
        read_dataset_folder(tmp_path / "train")


def test_real_labels_in_utm_over_16bit_imagery(cli, tmp_path):
    """Atlanta building footprints (GeoJSON in EPSG:32616) as labels over the 16-bit raster."""
    labels = require_shared_data() / "labels" / "atlanta_buildings_epsg32616.geojson"
    proc, events = cli(
        "chips",
        "--imagery",
        str(AERIAL / "atlanta_50cm_uint16_pan.tif"),
        "--positives",
        str(labels),
        "--zoom",
        "19",
        "--centered",
        "--split",
        "1,0,0",
        "--out",
        str(tmp_path / "ds"),
    )
    assert proc.returncode == 0, events[-1]
    info = next(e for e in events if e["event"] == "result")["data"]
    assert info["labels"]["points"] == 43
    assert info["chips"] + sum(info["skipped"].values()) == 43 and info["chips"] >= 30


def test_the_dataset_keeps_every_school_point_as_given(scene, tmp_path):
    """Two schools in one tile are one chip but stay two known schools; a tile labeled both ways
    keeps no chip but keeps its school (a scan with the model sets both aside)."""
    from school_detector.core.places import ground_distance
    from school_detector.core.tiles import lonlat_to_xy
    from school_detector.scan.known import read_known

    cx, cy = _scene_centre(scene)
    b = T.bounds_3857(T.tile_for_xy(cx, cy, 18))
    side = b.east - b.west
    at = lambda fx, fy, dx=0: T.xy_to_lonlat(b.west + (fx + dx) * side, b.north - fy * side)  # noqa: E731
    points = [
        LabeledPoint("a", *at(0.15, 0.2), "school"),
        LabeledPoint("b", *at(0.85, 0.8), "school"),  # the same tile as a
        LabeledPoint("c", *at(0.5, 0.5, 2), "school"),
        LabeledPoint("d", *at(0.6, 0.5, 2), "not-school"),  # a conflict: the tile is dropped
        LabeledPoint("e", *at(0.5, 0.5, 4), "not-school"),
    ]
    build_dataset(points, RasterSource(scene / "scene.tif"), tmp_path, BuildOptions())
    rows = manifest(tmp_path)
    assert [r["label"] for r in rows].count("school") == 1  # a and b: one chip, c: dropped
    known = read_known(tmp_path)
    given = [lonlat_to_xy(*at(0.15, 0.2)), lonlat_to_xy(*at(0.85, 0.8)), lonlat_to_xy(*at(0.5, 0.5, 2))]
    assert len(known.points) == 3
    assert all(min(ground_distance(g, k) for k in known.points) < 0.01 for g in given)
