"""Build training data the way a mapper does: dialog -> task -> dataset folder -> map layer."""

import csv
import json

import numpy as np
import pytest
from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer

from school_detector.core.chip_plan import SCHOOL
from school_detector.gui.build_dataset_dialog import BuildDatasetDialog
from school_detector.qgis_io.layer_source import QgisLayerSource, qimage_to_rgba
from school_detector.sample.scene import SceneSpec, write_scene, write_xyz_tiles
from school_detector.tasks.registry import TaskRegistry
from tests.qgis.conftest import wait_for_task
from tests.support.tile_server import TileServer


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    out = tmp_path_factory.mktemp("scene")
    write_scene(SceneSpec(tiles=6, seed=21), out)
    write_xyz_tiles(out / "scene.tif", out / "tiles")
    return out


@pytest.fixture()
def layers(scene, qgis_new_project):
    raster = QgsRasterLayer(str(scene / "scene.tif"), "scene")
    labels = QgsVectorLayer(f"{scene / 'labels.gpkg'}|layername=labels", "labels", "ogr")
    assert raster.isValid() and labels.isValid()
    QgsProject.instance().addMapLayers([raster, labels])
    return raster, labels


def dialog_for(qgis_iface, raster, labels, out):
    d = BuildDatasetDialog(qgis_iface, TaskRegistry(qgis_iface))
    d.layer_combo.setLayer(labels)
    d.field_combo.setField("label")
    d.imagery_combo.setLayer(raster)
    d.folder_widget.setFilePath(str(out))
    return d


def manifest(folder):
    with (folder / "manifest.csv").open() as f:
        return list(csv.DictReader(f))


def test_dialog_builds_the_dataset_and_adds_footprints(qgis_iface, layers, tmp_path, scene):
    raster, labels = layers
    d = dialog_for(qgis_iface, raster, labels, tmp_path / "ds")
    assert d.school_values() == ["school"]  # guessed from the values
    assert "m/px" in d.resolution_label.text()
    d.background_spin.setValue(1.0)
    task = d.start()
    assert task is not None and not d.run_button.isEnabled()
    wait_for_task(task)
    assert task.error is None, task.error and task.error.details
    info = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert info["complete"] and info["chips"] == len(manifest(tmp_path / "ds")) > 10
    assert info["imagery"]["type"] == "qgis-gdal"
    assert "chips in" in d.status_label.text() and d.run_button.isEnabled()
    fp = QgsProject.instance().mapLayer(d.footprints_layer_id)
    assert fp is not None and fp.isValid() and fp.featureCount() == info["chips"]
    # built again into the same folder (resumed): the layer on the map is reloaded; no second
    # copy of it is added
    again = d.start()
    wait_for_task(again)
    assert again.error is None, again.error and again.error.details
    info = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    shown = [lyr for lyr in QgsProject.instance().mapLayers().values() if "chips.gpkg" in lyr.source()]
    assert len(shown) == 1 and shown[0].id() == fp.id() and fp.featureCount() == info["chips"]


def test_qgis_rendered_chips_match_the_cli_chips(qgis_iface, layers, tmp_path, scene, runtime_python):
    """The QGIS path and the runtime path cut the same pixels from the same GeoTIFF."""
    import subprocess

    from PIL import Image

    raster, labels = layers
    d = dialog_for(qgis_iface, raster, labels, tmp_path / "qgis")
    wait_for_task(d.start())
    subprocess.run(
        [
            str(runtime_python),
            "-m",
            "school_detector.cli",
            "chips",
            "--imagery",
            str(scene / "scene.tif"),
            "--labels",
            str(scene / "labels.gpkg"),
            "--out",
            str(tmp_path / "cli"),
        ],
        check=True,
        capture_output=True,
    )
    a, b = manifest(tmp_path / "qgis"), manifest(tmp_path / "cli")
    assert [(r["file"], r["split"]) for r in a] == [(r["file"], r["split"]) for r in b]
    for ra in a:
        ia = np.asarray(Image.open(tmp_path / "qgis" / ra["file"]).convert("RGB"))
        ib = np.asarray(Image.open(tmp_path / "cli" / ra["file"]).convert("RGB"))
        assert np.array_equal(ia, ib), ra["file"]


def test_xyz_layer_from_a_loopback_tile_server(qgis_iface, layers, tmp_path, scene):
    _, labels = layers
    with TileServer(scene / "tiles") as server:
        xyz = QgsRasterLayer(f"type=xyz&url={server.template}&zmax=19&zmin=0", "basemap", "wms")
        assert xyz.isValid()
        QgsProject.instance().addMapLayer(xyz)
        d = dialog_for(qgis_iface, xyz, labels, tmp_path / "xyz")
        d.supertile_radio.setChecked(True)
        task = d.start()
        wait_for_task(task)
        assert sum(server.requests.values()) > 0
    assert task.error is None, task.error and task.error.message
    info = json.loads((tmp_path / "xyz" / "dataset.json").read_text())
    assert info["chip_px"] == 512 and info["imagery"]["type"] == "qgis-xyz" and info["chips"] >= 3
    assert "127.0.0.1" not in json.dumps(info["imagery"])  # the URL (which may hold a key) is not recorded


def test_unreachable_tile_server_says_so(qgis_iface, layers, tmp_path):
    import socket

    _, labels = layers
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    xyz = QgsRasterLayer(
        f"type=xyz&url=http://127.0.0.1:{port}/%7Bz%7D/%7Bx%7D/%7By%7D.png&zmax=19&zmin=0", "dead", "wms"
    )
    QgsProject.instance().addMapLayer(xyz)
    d = dialog_for(qgis_iface, xyz, labels, tmp_path / "dead")
    task = d.start()
    wait_for_task(task, timeout=300)
    assert task.error is not None and "server reachable" in task.error.message
    assert "no imagery" in d.status_label.text()
    assert not (tmp_path / "dead").exists()


def test_preview_shows_chips(qgis_iface, layers, tmp_path):
    raster, labels = layers
    d = dialog_for(qgis_iface, raster, labels, tmp_path / "p")
    d.preview()
    shown = [lbl for lbl in d.preview_labels if lbl.pixmap() is not None and not lbl.pixmap().isNull()]
    assert len(shown) == 4 and "Preview of 4 chips" in d.status_label.text()
    assert not (tmp_path / "p").exists()  # a preview writes nothing


def test_cancel_keeps_a_resumable_folder(qgis_iface, layers, tmp_path):
    raster, labels = layers
    d = dialog_for(qgis_iface, raster, labels, tmp_path / "c")
    task = d.start()
    task.cancel()
    wait_for_task(task)
    if (tmp_path / "c" / "dataset.json").exists():
        assert json.loads((tmp_path / "c" / "dataset.json").read_text())["complete"] is False
    task = d.start()
    wait_for_task(task)
    assert task.error is None
    assert json.loads((tmp_path / "c" / "dataset.json").read_text())["complete"] is True


def test_readonly_output_folder(qgis_iface, layers, tmp_path):
    raster, labels = layers
    blocker = tmp_path / "file"
    blocker.write_text("x")
    d = dialog_for(qgis_iface, raster, labels, blocker / "ds")
    wait_for_task(d.start())
    assert "Cannot write to the output folder" in d.status_label.text()


def test_layer_source_marks_outside_as_no_data(layers):
    raster, _ = layers
    src = QgisLayerSource(raster)
    e = src.extent_3857()
    from school_detector.core.tiles import Bounds

    half = Bounds(e.west - 50, e.north - 100, e.west + 50, e.north)
    chip = src.read(half, 100)
    assert 0.4 < chip.valid_fraction < 0.6
    assert qimage_to_rgba(src.render(half, 10)).shape == (10, 10, 4)
    assert SCHOOL == "school"
