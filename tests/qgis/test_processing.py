"""The Processing algorithms through processing.run, as the modeler and batch mode call them."""

import json

import pytest
from qgis.core import QgsApplication, QgsProcessingException, QgsRasterLayer, QgsVectorLayer

from school_detector.processing.provider import SchoolDetectorProvider
from school_detector.sample.scene import SceneSpec, write_scene


@pytest.fixture(scope="module")
def provider(qgis_processing):
    p = SchoolDetectorProvider()
    QgsApplication.processingRegistry().addProvider(p)
    yield p
    QgsApplication.processingRegistry().removeProvider(p)


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    out = tmp_path_factory.mktemp("scene")
    write_scene(SceneSpec(tiles=5, seed=8), out)
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
