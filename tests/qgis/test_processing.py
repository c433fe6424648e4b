"""The Processing algorithms through processing.run, as the modeler and batch mode call them."""

import json

import pytest
from qgis.core import QgsProcessingException, QgsRasterLayer, QgsVectorLayer

from school_detector.sample.scene import SceneSpec, write_scene


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    out = tmp_path_factory.mktemp("scene")
    write_scene(SceneSpec(tiles=8, seed=8, schools=16), out)
    return out


def test_build_training_data_algorithm(provider, scene, tmp_path):
    import processing

    labels = QgsVectorLayer(f"{scene / 'labels.gpkg'}|layername=labels", "labels", "ogr")
    raster = QgsRasterLayer(str(scene / "scene.tif"), "scene")
    result = processing.run(
        "school_detector:build_training_data",
        {
            "LABELS": labels,
            "FIELD": "label",
            "SCHOOL_VALUES": "school",
            "IMAGERY": raster,
            "ZOOM": 18,
            "SPLIT": "0.6,0.2,0.2",
            "SEED": 3,
            "BACKGROUND": 0.5,
            "OUTPUT": str(tmp_path / "ds"),
        },
    )
    info = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert result["CHIPS"] == info["chips"] > 5 and info["complete"]
    assert info["settings"]["split"] == [0.6, 0.2, 0.2] and info["settings"]["seed"] == 3
    footprints = QgsVectorLayer(result["FOOTPRINTS"], "fp", "ogr")
    assert footprints.isValid() and footprints.featureCount() == info["chips"]


def test_algorithm_reports_bad_input(provider, scene, tmp_path):
    """Layers given as sources (as batch mode and qgis_process do): the test frame holds none."""
    import processing

    from school_detector.core.gpkg import GeoPackage

    with GeoPackage(tmp_path / "empty.gpkg") as g:
        g.create_feature_table("pts", "POINT", 4326, [("label", "TEXT")])
    raster = str(scene / "scene.tif")
    with pytest.raises(QgsProcessingException, match="empty"):
        processing.run(
            "school_detector:build_training_data",
            {
                "LABELS": f"{tmp_path / 'empty.gpkg'}|layername=pts",
                "FIELD": "label",
                "IMAGERY": raster,
                "OUTPUT": str(tmp_path / "e"),
            },
        )
    with pytest.raises(QgsProcessingException, match="three"):
        processing.run(
            "school_detector:build_training_data",
            {
                "LABELS": f"{scene / 'labels.gpkg'}|layername=labels",
                "FIELD": "label",
                "IMAGERY": raster,
                "SPLIT": "1,2",
                "OUTPUT": str(tmp_path / "s"),
            },
        )
    assert not (tmp_path / "e").exists() and not (tmp_path / "s").exists()


@pytest.fixture(scope="module")
def dataset(provider, scene, tmp_path_factory):
    import processing

    out = tmp_path_factory.mktemp("ds") / "ds"
    processing.run(
        "school_detector:build_training_data",
        {
            "LABELS": f"{scene / 'labels.gpkg'}|layername=labels",
            "FIELD": "label",
            "SCHOOL_VALUES": "school",
            "IMAGERY": str(scene / "scene.tif"),
            "ZOOM": 18,
            "BACKGROUND": 1.0,
            "OUTPUT": str(out),
        },
    )
    return out


def reviewed_results(scene, dataset, path):
    """A scan result over the scene's tiles that are not in the dataset yet: 2 confirmed, 1 rejected."""
    import csv
    import sqlite3

    from school_detector.core.tiles import Tile, tile_for_xy
    from school_detector.scan.store import ResultStore

    raster = QgsRasterLayer(str(scene / "scene.tif"), "scene")
    e = raster.extent()
    first = tile_for_xy(e.xMinimum() + 1, e.yMaximum() - 1, 18)
    present = {r["tile"] for r in csv.DictReader((dataset / "manifest.csv").open())}
    fresh = [t for t in (Tile(first.x + i, first.y + j, 18) for j in range(5) for i in range(5)) if t.id not in present]
    store = ResultStore(path, "schools:1", 0.5)
    store.commit([(t, 0.9 - 0.01 * k) for k, t in enumerate(fresh[:4])])
    store.close()
    with sqlite3.connect(path) as c:
        for t, status in zip(fresh[:3], ("confirmed", "confirmed", "rejected")):
            c.execute("UPDATE candidates SET status=?, reviewer='ana' WHERE tile=?", (status, t.id))
    del raster
    return path


def test_export_and_add_reviewed_algorithms(provider, scene, dataset, tmp_path):
    import processing

    results = reviewed_results(scene, dataset, tmp_path / "r.gpkg")
    out = processing.run(
        "school_detector:exportreviewed",
        {"RESULTS": str(results), "STATUS": [1], "OUTPUT": str(tmp_path / "schools.geojson")},
    )
    features = json.loads((tmp_path / "schools.geojson").read_text())["features"]
    assert out["EXPORTED"] == len(features) == 2 and out["REVIEW_PRECISION"] == pytest.approx(2 / 3, abs=1e-3)
    with pytest.raises(QgsProcessingException, match=r"geojson, \.gpkg or \.csv"):
        processing.run("school_detector:exportreviewed", {"RESULTS": str(results), "OUTPUT": str(tmp_path / "x.shp")})
    before = json.loads((dataset / "dataset.json").read_text())["dataset_version"]
    added = processing.run(
        "school_detector:addreviewed",
        {"RESULTS": str(results), "IMAGERY": str(scene / "scene.tif"), "DATA": str(dataset)},
    )
    assert added["ADDED"] == 3 and added["DATASET_VERSION"] == before + 1
    again = processing.run(  # the same decisions again: nothing twice
        "school_detector:addreviewed",
        {"RESULTS": str(results), "IMAGERY": str(scene / "scene.tif"), "DATA": str(dataset)},
    )
    assert again["ADDED"] == 0


def test_train_algorithm_in_the_runtime_with_cancel(provider, dataset, tmp_path, with_runtime):
    import processing
    from qgis.core import QgsProcessingFeedback

    params = {
        "DATA": str(dataset),
        "BACKBONE": 2,  # tiny
        "WEIGHTS": 1,  # none: offline
        "EPOCHS": 2,
        "FINE_TUNE_EPOCHS": 0,
        "BATCH_SIZE": 8,
        "OUTPUT": str(tmp_path / "model"),
    }
    result = processing.run("school_detector:train", params)
    card = json.loads((tmp_path / "model" / "model_card.json").read_text())
    assert result["MODEL_DIR"] == str(tmp_path / "model") and card["backbone"] == "tiny"
    assert 0.0 <= result["ROC_AUC"] <= 1.0 and result["THRESHOLD"] == pytest.approx(card["threshold"])

    class CancelAtFirstProgress(QgsProcessingFeedback):
        def setProgress(self, value):  # noqa: N802 (Qt API)
            super().setProgress(value)
            if value > 0:
                self.cancel()

    with pytest.raises(QgsProcessingException, match="cancelled"):
        processing.run("school_detector:train", {**params, "EPOCHS": 50, "OUTPUT": str(tmp_path / "m2")},
                       feedback=CancelAtFirstProgress())  # fmt: skip


def test_train_algorithm_without_runtime_says_how_to_get_one(provider, dataset, tmp_path, without_runtime):
    import processing

    with pytest.raises(QgsProcessingException, match="Set up ML runtime"):
        processing.run("school_detector:train", {"DATA": str(dataset), "OUTPUT": str(tmp_path / "m")})
