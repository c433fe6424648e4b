"""The bad-input suite, Processing: the algorithms as the modeler, batch mode and qgis_process
run them, fed inputs users really give. Each case stops with a QgsProcessingException carrying
the message listed here (QGIS shows it in the algorithm's log), or works."""

from __future__ import annotations

import json

import pytest
from qgis.core import QgsProcessingException

from school_detector.core.gpkg import GeoPackage
from school_detector.sample.scene import SceneSpec, write_scene


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad inputs ä")
    write_scene(SceneSpec(tiles=4, seed=9, schools=4), root / "scène")
    with GeoPackage(root / "empty.gpkg") as g:
        g.create_feature_table("pts", "POINT", 4326, [("label", "TEXT")])
    with GeoPackage(root / "far.gpkg") as g:
        g.create_feature_table("pts", "POINT", 4326, [("label", "TEXT")])
        g.insert_features("pts", [((-70.0 + i * 0.01, 10.0), {"label": "school"}) for i in range(50)])
    (root / "not a dataset").mkdir()
    (root / "nocard").mkdir()
    import rasterio

    with rasterio.open(root / "scène" / "scene.tif") as src:
        data, profile = src.read(), src.profile
    profile.update(crs=None, transform=rasterio.Affine.identity())
    with rasterio.open(root / "nogeo.tif", "w", **profile) as dst:
        dst.write(data)
    return root


def build(files, labels, imagery=None, **extra):
    return "school_detector:build_training_data", {
        "LABELS": labels, "FIELD": "label", "IMAGERY": str(imagery or files / "scène" / "scene.tif"),
        "OUTPUT": str(files / "out" / labels.split("|")[0].rsplit("/", 1)[-1]), **extra,
    }  # fmt: skip


CASES = {
    "empty labels layer": (lambda f: build(f, f"{f / 'empty.gpkg'}|layername=pts"), "empty"),
    "labels far outside the imagery": (lambda f: build(f, f"{f / 'far.gpkg'}|layername=pts"), "outside"),
    "raster without georeference": (
        lambda f: build(f, f"{f / 'scène' / 'labels.gpkg'}|layername=labels", f / "nogeo.tif"),
        "no coordinate reference system",
    ),
    "split that does not add up": (
        lambda f: build(f, f"{f / 'scène' / 'labels.gpkg'}|layername=labels", SPLIT="1,2"),
        "three",
    ),
    "scan with a model folder without a card": (
        lambda f: (
            "school_detector:scan",
            {"IMAGERY": str(f / "scène" / "scene.tif"), "MODEL": str(f / "nocard"), "OUTPUT": str(f / "r.gpkg")},
        ),
        "model_card.json",
    ),
    "export of a file that is not a scan": (
        lambda f: ("school_detector:exportreviewed", {"RESULTS": str(f / "empty.gpkg"), "OUTPUT": str(f / "x.csv")}),
        "not a school_detector scan",
    ),
    "add reviewed to a folder that is not a dataset": (
        lambda f: (
            "school_detector:addreviewed",
            {
                "RESULTS": str(f / "empty.gpkg"),
                "IMAGERY": str(f / "scène" / "scene.tif"),
                "DATA": str(f / "not a dataset"),
            },
        ),
        "dataset.json",
    ),
    "paths with spaces and non-ASCII (works)": (
        lambda f: build(f, f"{f / 'scène' / 'labels.gpkg'}|layername=labels", BACKGROUND=0.5),
        None,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input(provider, files, case):
    import re

    import processing

    make, expected = CASES[case]
    algorithm, params = make(files)
    if expected is None:
        result = processing.run(algorithm, params)
        info = json.loads((files / "out" / "labels.gpkg" / "dataset.json").read_text())
        assert result["CHIPS"] == info["chips"] > 0
        return
    with pytest.raises(QgsProcessingException) as caught:
        processing.run(algorithm, params)
    assert re.search(expected, str(caught.value)), str(caught.value)
    assert "Traceback" not in str(caught.value)
