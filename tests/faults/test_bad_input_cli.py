"""The bad-input suite, command line: each case is an input a user really gives (empty,
geometry-less, multi-point, wrong-CRS and huge layers; rasters without georeference, in odd
CRSs, 16-bit, single-band, RGBA; model folders from elsewhere; a dataset missing a class;
non-ASCII and spaces in every path). Each one either works, or stops with exit code 2 and the
message listed here: what is wrong and what to do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.support.cli import result_of, run_cli


def geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def point(lon, lat, label="school", kind="Point"):
    coords = [lon, lat] if kind == "Point" else [[lon, lat], [lon + 0.0005, lat]]
    return {"type": "Feature", "geometry": {"type": kind, "coordinates": coords}, "properties": {"label": label}}


@pytest.fixture(scope="module")
def inputs(scene, model, tmp_path_factory):
    """Every bad (or odd but valid) input, made once."""
    import rasterio
    from rasterio.warp import calculate_default_transform, reproject

    root = tmp_path_factory.mktemp("bad")
    tif = scene / "scene.tif"
    with rasterio.open(tif) as src:
        data, profile = src.read(), src.profile
        transform, w, h = calculate_default_transform(src.crs, "EPSG:32736", src.width, src.height, *src.bounds)
        utm = np.zeros((3, h, w), np.uint8)
        reproject(data, utm, src_transform=src.transform, src_crs=src.crs, dst_transform=transform,
                  dst_crs="EPSG:32736")  # fmt: skip

    def write(name, array, **changes):
        p = {**profile, "count": array.shape[0], "dtype": str(array.dtype), **changes}
        with rasterio.open(root / name, "w", **p) as dst:
            dst.write(array)
        return root / name

    rgba = np.concatenate([data, np.full((1, *data.shape[1:]), 255, np.uint8)])
    rgba[3, :, : data.shape[2] // 3] = 0  # a third of it transparent
    out = {
        "nogeo": write("nogeo.tif", data, crs=None, transform=rasterio.Affine.identity()),
        "utm": write("utm.tif", utm, crs="EPSG:32736", transform=transform, width=w, height=h),
        "uint16": write("uint16.tif", (data.astype(np.uint16) * 257 + 100)),
        "single": write("single.tif", data[:1]),
        "rgba": write("rgba.tif", rgba, photometric="RGB"),
    }
    b = json.loads((scene / "scene.json").read_text())["bounds_3857"]
    from school_detector.core.tiles import xy_to_lonlat

    lon0, lat0 = xy_to_lonlat((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    out["empty"] = geojson(root / "empty.geojson", [])
    no_geometry = {"type": "Feature", "geometry": None, "properties": {"label": "school"}}
    out["nogeom"] = geojson(root / "nogeom.geojson", [no_geometry] * 3)
    out["multi"] = geojson(root / "multi.geojson", [point(lon0, lat0, kind="MultiPoint"),
                                                    point(lon0 + 0.002, lat0, "not-school")])  # fmt: skip
    x, y = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    out["metres"] = geojson(root / "metres.geojson", [point(x, y)])  # EPSG:3857 metres, not declared
    out["metres_csv"] = root / "metres.csv"
    out["metres_csv"].write_text(f"x,y,label\n{x},{y},school\n")  # projected x/y where lon/lat belong
    out["other_scan"] = other_scan(root / "another scan.gpkg", tif)
    out["huge"] = geojson(root / "huge.geojson", [point(-70 + i * 0.01, 10 + (i % 100) * 0.01) for i in range(20000)])
    odd = root / "dossier école" / "données ä b"  # spaces and non-ASCII in every path
    odd.mkdir(parents=True)
    shutil.copy(tif, odd / "scène à.tif")
    shutil.copy(scene / "labels.gpkg", odd / "étiquettes b.gpkg")
    out["odd"] = odd
    nocard = root / "no card model"
    shutil.copytree(model, nocard)
    (nocard / "model_card.json").unlink()
    out["nocard"] = nocard
    out["wrongsig"] = wrong_signature_model(model, root / "wrong signature")
    return out


def other_scan(path: Path, tif: Path) -> Path:
    """The results of a scan by another model of the same imagery."""
    from school_detector.core.tiles import Tile
    from school_detector.scan.store import ResultStore

    store = ResultStore(path, "elsewhere:3", 0.5)
    store.set_info({"model": "elsewhere:3", "zoom": 18, "supertile": False, "tile_size": 256, "chip_px": 256,
                    "imagery": {"type": "raster", "path": str(tif)}})  # fmt: skip
    store.commit([(Tile(152970, 132500, 18), 0.9)])
    store.close()
    return path


def wrong_signature_model(model: Path, out: Path) -> Path:
    """A model folder with a card but a SavedModel from elsewhere (its own signature)."""
    import tensorflow as tf

    shutil.copytree(model, out)
    shutil.rmtree(out / "schools" / "1")

    class Other(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
        def serve(self, x):
            return {"y": tf.reduce_sum(x, axis=1)}

    m = Other()
    tf.saved_model.save(m, str(out / "schools" / "1"), signatures={"serving_default": m.serve})
    return out


def labels_chips(i, key, tmp):
    return ["chips", "--imagery", str(i["tif"]), "--labels", str(i[key]), "--out", str(tmp / "ds")]


def raster_chips(i, key, tmp):
    return ["chips", "--imagery", str(i[key]), "--labels", str(i["labels"]), "--out", str(tmp / "ds")]


def scan(i, tmp, *extra):
    return ["scan", "--imagery", str(i["tif"]), "--model", str(i["model"]), "--out", str(tmp / "r.gpkg"), *extra]


def one_class_dataset(i, tmp):
    ds = tmp / "one class"
    proc, _ = run_cli("chips", "--imagery", str(i["tif"]), "--labels", str(i["labels"]), "--out", str(ds))
    assert proc.returncode == 0
    for split in ("train", "valid", "test"):
        shutil.rmtree(ds / split / "not-school", ignore_errors=True)
    return ["train", "--data", str(ds), "--model", "tiny", "--weights", "none", "--out", str(tmp / "m")]


# id: (arguments, exit code, message the user sees — for exit code 0, a result key that must be there)
CASES = {
    "empty labels layer": (lambda i, t: labels_chips(i, "empty", t), 2, "no labeled points"),
    "geometry-less layer": (lambda i, t: labels_chips(i, "nogeom", t), 2, "none of its 3 features has a location"),
    "multi-point layer": (lambda i, t: labels_chips(i, "multi", t), 0, "chips"),
    "wrong CRS (metres as degrees)": (lambda i, t: labels_chips(i, "metres", t), 2, "is not a longitude/latitude"),
    "huge layer outside the imagery": (
        lambda i, t: labels_chips(i, "huge", t),
        2,
        "No chip could be cut: 20000 outside",
    ),
    "missing labels file": (lambda i, t: labels_chips(i, "missing", t), 2, "does not exist"),
    "raster without georeference": (lambda i, t: raster_chips(i, "nogeo", t), 2, "no coordinate reference system"),
    "raster in UTM": (lambda i, t: raster_chips(i, "utm", t), 0, "chips"),
    "16-bit raster": (lambda i, t: raster_chips(i, "uint16", t), 0, "chips"),
    "single-band raster": (lambda i, t: raster_chips(i, "single", t), 0, "chips"),
    "RGBA raster": (lambda i, t: raster_chips(i, "rgba", t), 0, "chips"),
    "missing raster": (lambda i, t: raster_chips(i, "missing", t), 2, "does not exist"),
    "non-ASCII and spaces in paths": (
        lambda i, t: [
            "chips",
            "--imagery",
            str(i["odd"] / "scène à.tif"),
            "--labels",
            str(i["odd"] / "étiquettes b.gpkg"),
            "--out",
            str(i["odd"] / f"sortie {t.name}"),
        ],
        0,
        "chips",
    ),
    "dataset missing a class": (one_class_dataset, 2, "training needs both classes"),
    "not a dataset folder": (
        lambda i, t: ["train", "--data", str(t), "--model", "tiny", "--weights", "none", "--out", str(t / "m")],
        2,
        "no train/",
    ),
    "model folder without a card": (
        lambda i, t: ["scan", "--imagery", str(i["tif"]), "--model", str(i["nocard"]), "--out", str(t / "r.gpkg")],
        2,
        "model_card.json",
    ),
    "model with another signature": (
        lambda i, t: ["scan", "--imagery", str(i["tif"]), "--model", str(i["wrongsig"]), "--out", str(t / "r.gpkg")],
        2,
        "predict_uint8",
    ),
    "empty region layer": (lambda i, t: scan(i, t, "--region", str(i["empty"])), 2, "holds no polygons"),
    "known schools CSV in metres": (
        lambda i, t: scan(i, t, "--known-schools", str(i["metres_csv"])),
        2,
        "is not a longitude/latitude in degrees (projected x/y in metres?)",
    ),
    "resume into another scan's file": (
        lambda i, t: [
            "scan",
            "--imagery",
            str(i["tif"]),
            "--model",
            str(i["model"]),
            "--resume",
            "--out",
            str(i["other_scan"]),
        ],
        2,
        "another scan.gpkg holds another scan: the model (elsewhere:3 there, schools:1 here)",
    ),
    "zero-area box": (lambda i, t: scan(i, t, "--bbox", "30.06,-1.95,30.06,-1.95"), 2, "not a valid lon/lat box"),
    "region without imagery": (lambda i, t: scan(i, t, "--bbox", "-70.1,10.0,-70.09,10.01"), 2, "do not overlap"),
    "scan into non-ASCII paths": (
        lambda i, t: [
            "scan",
            "--imagery",
            str(i["odd"] / "scène à.tif"),
            "--model",
            str(i["model"]),
            "--out",
            str(i["odd"] / f"résultats {t.name}.gpkg"),
        ],
        0,
        "candidates",
    ),
    "export of a file that is not a scan": (
        lambda i, t: ["export", "--results", str(i["odd"] / "étiquettes b.gpkg"), "--out", str(t / "x.geojson")],
        2,
        "not a school_detector scan",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input(inputs, scene, model, tmp_path, case):
    build, code, expected = CASES[case]
    i = {**inputs, "tif": scene / "scene.tif", "labels": scene / "labels.gpkg", "model": model,
         "missing": tmp_path / "nowhere" / "file.gpkg"}  # fmt: skip
    proc, events = run_cli(*build(i, tmp_path))
    assert proc.returncode == code, events[-1:] or proc.stderr[-2000:]
    if code == 0:
        assert expected in result_of(events)
    else:
        message = next(e for e in events if e["event"] == "error")["message"]
        assert expected in message, message
        assert "Traceback" not in message
