"""The bad-input suite, dialogs: the Build training data dialog (and the review and scan
panels elsewhere) fed the inputs mappers really give. Each case shows its message in the
dialog and writes nothing, or works."""

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProject, QgsRasterLayer, QgsVectorLayer

from tests.qgis.conftest import wait_for_task
from tests.qgis.test_build_dataset import dialog_for, layers, scene  # noqa: F401 (fixtures)


def memory_layer(kind, crs, points, label="school"):
    layer = QgsVectorLayer(f"{kind}?crs={crs}&field=label:string", kind.lower(), "memory")
    features = []
    for geometry in points:
        f = QgsFeature(layer.fields())
        f.setGeometry(geometry)
        f["label"] = label
        features.append(f)
    layer.dataProvider().addFeatures(features)
    QgsProject.instance().addMapLayer(layer)
    return layer


def centre(raster):
    c = raster.extent().center()  # EPSG:3857 metres
    return c.x(), c.y()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("empty", "is empty"),
        ("no_field", "no class field"),
        ("no_school_value", "Tick at least one value"),
        ("outside", "outside imagery"),
        ("no_folder", "output folder"),
        ("selected_none", "nothing is selected"),
        ("metres_as_degrees", "is off the globe: is the layer's CRS right?"),
        ("raster_without_crs", "no coordinate reference system"),
    ],
)
def test_build_dialog_bad_input(qgis_iface, layers, tmp_path, case, expected):  # noqa: F811 (fixture)
    raster, labels = layers
    out = tmp_path / "o"
    d = dialog_for(qgis_iface, raster, labels, out)
    if case == "empty":
        empty = QgsVectorLayer("Point?crs=EPSG:4326&field=label:string", "empty", "memory")
        QgsProject.instance().addMapLayer(empty)
        d.layer_combo.setLayer(empty)
    elif case == "no_field":
        d.field_combo.setField("kind")
        d.set_school_values([])
        d.field_combo.setField("")
    elif case == "no_school_value":
        d.set_school_values([])
    elif case == "outside":
        far = memory_layer("Point", "EPSG:4326", [QgsGeometry.fromPointXY(QgsPointXY(10.0, 50.0))])
        d.layer_combo.setLayer(far)
        d.field_combo.setField("label")
        d.set_school_values(["school"])
    elif case == "no_folder":
        d.folder_widget.setFilePath("")
    elif case == "selected_none":
        labels.removeSelection()
        d.selected_only.setChecked(True)
    elif case == "metres_as_degrees":  # EPSG:3857 coordinates in a layer that says EPSG:4326
        x, y = centre(raster)
        d.layer_combo.setLayer(memory_layer("Point", "EPSG:4326", [QgsGeometry.fromPointXY(QgsPointXY(x, y))]))
        d.field_combo.setField("label")
        d.set_school_values(["school"])
    elif case == "raster_without_crs":
        import rasterio

        with rasterio.open(raster.source()) as src:
            data, profile = src.read(), src.profile
        profile.update(crs=None, transform=rasterio.Affine.identity())
        with rasterio.open(tmp_path / "nogeo.tif", "w", **profile) as dst:
            dst.write(data)
        nogeo = QgsRasterLayer(str(tmp_path / "nogeo.tif"), "nogeo")
        QgsProject.instance().addMapLayer(nogeo)
        d.imagery_combo.setLayer(nogeo)
    task = d.start()
    if task is not None:
        wait_for_task(task)
    assert expected in d.status_label.text()
    assert not out.exists()


def test_build_dialog_multipoint_layer_in_another_crs_works(qgis_iface, layers, tmp_path):  # noqa: F811 (fixture)
    """Multi-point features in UTM, an output path with spaces and non-ASCII: it just works."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform

    raster, labels = layers
    to_utm = QgsCoordinateTransform(raster.crs(), QgsCoordinateReferenceSystem("EPSG:32736"), QgsProject.instance())
    x, y = centre(raster)
    pts = [to_utm.transform(QgsPointXY(x + dx, y)) for dx in (0, 400)]
    multi = memory_layer("MultiPoint", "EPSG:32736", [QgsGeometry.fromMultiPointXY(pts)])
    out = tmp_path / "données école" / "jeu 1"
    d = dialog_for(qgis_iface, raster, labels, out)
    d.layer_combo.setLayer(multi)
    d.field_combo.setField("label")
    d.set_school_values(["school"])
    d.background_spin.setValue(1.0)  # school chips alone: a dataset needs both classes
    task = d.start()
    assert task is not None, d.status_label.text()
    wait_for_task(task)
    assert task.error is None, task.error and task.error.message
    assert (out / "dataset.json").is_file()
