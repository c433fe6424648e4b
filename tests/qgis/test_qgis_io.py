"""What the runtime writes (GeoPackage, GeoTIFF) opens natively in QGIS, in the right place."""

import pytest
from qgis.core import QgsRasterLayer, QgsVectorLayer, QgsWkbTypes

from school_detector.core import tiles as T
from school_detector.core.gpkg import GeoPackage
from school_detector.core.results import CANDIDATE_FIELDS, CANDIDATES_TABLE, missing_fields
from school_detector.sample.scene import LABELS_GPKG, SCENE_TIF, SceneSpec, write_scene


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    out = tmp_path_factory.mktemp("scene")
    meta = write_scene(SceneSpec(tiles=4, seed=5), out)
    return out, meta


def test_scene_raster_in_qgis(scene):
    out, meta = scene
    layer = QgsRasterLayer(str(out / SCENE_TIF), "scene")
    assert layer.isValid() and layer.crs().authid() == "EPSG:3857" and layer.bandCount() == 3
    ext = layer.extent()
    w, s, e, n = meta["bounds_3857"]
    assert (ext.xMinimum(), ext.yMinimum(), ext.xMaximum(), ext.yMaximum()) == pytest.approx((w, s, e, n))
    assert layer.rasterUnitsPerPixelX() == pytest.approx(T.pixel_size_3857(18))


def test_labels_gpkg_layers_in_qgis(scene):
    out, meta = scene
    labels = QgsVectorLayer(f"{out / LABELS_GPKG}|layername=labels", "labels", "ogr")
    assert labels.isValid() and labels.crs().authid() == "EPSG:4326"
    assert labels.featureCount() == meta["label_points"]
    assert labels.geometryType() == QgsWkbTypes.GeometryType.PointGeometry
    values = {f["label"] for f in labels.getFeatures()}
    assert values == {"school", "not-school"}
    feats = list(labels.getFeatures())
    assert labels.extent().contains(feats[0].geometry().asPoint())
    footprints = QgsVectorLayer(f"{out / LABELS_GPKG}|layername=truth_footprints", "fp", "ogr")
    assert footprints.isValid() and footprints.crs().authid() == "EPSG:3857"
    assert footprints.geometryType() == QgsWkbTypes.GeometryType.PolygonGeometry
    geom = next(footprints.getFeatures()).geometry()
    assert geom.isGeosValid() and geom.area() > 1000  # a compound is thousands of m² in EPSG:3857


def test_results_schema_table_is_readable_and_editable_in_qgis(tmp_path):
    path = tmp_path / "results.gpkg"
    with GeoPackage(path) as g:
        g.create_feature_table(CANDIDATES_TABLE, "POINT", 3857, [(f.name, f.sql_type) for f in CANDIDATE_FIELDS])
        b = T.bounds_3857(T.Tile(154000, 132000, 18))
        g.insert_features(
            CANDIDATES_TABLE,
            [
                (
                    ((b.west + b.east) / 2, (b.south + b.north) / 2),
                    {
                        "tile": "18/154000/132000",
                        "z": 18,
                        "x": 154000,
                        "y": 132000,
                        "score": 0.93,
                        "model": "m:1",
                        "status": "unreviewed",
                    },
                )
            ],
        )
    layer = QgsVectorLayer(f"{path}|layername={CANDIDATES_TABLE}", "c", "ogr")
    assert layer.isValid()
    assert missing_fields([f.name() for f in layer.fields()]) == []
    assert layer.startEditing()
    f = next(layer.getFeatures())
    assert layer.changeAttributeValue(f.id(), layer.fields().indexOf("status"), "confirmed")
    assert layer.commitChanges()
    with GeoPackage(path, create=False) as g:
        assert [a["status"] for _, _, a in g.features(CANDIDATES_TABLE)] == ["confirmed"]
