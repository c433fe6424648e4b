"""Scanning from QGIS: dialog -> task (QGIS rendering + local TF-Serving-compatible server) ->
results GeoPackage -> candidates layer; the one-click scan; the server's life cycle."""

import sqlite3
import subprocess

import pytest
from qgis.core import QgsProject, QgsRasterLayer, QgsRectangle

from school_detector.gui.scan_dialog import ScanDialog
from school_detector.runtime.local_server import LocalServer
from school_detector.sample.scene import SceneSpec, write_scene
from school_detector.settings import PluginSettings
from school_detector.tasks.registry import TaskRegistry
from tests.qgis.conftest import pump, wait_for_task


@pytest.fixture()
def server():
    s = LocalServer()
    yield s
    s.stop()


@pytest.fixture()
def scene_layer(world, qgis_new_project, qgis_canvas):
    layer = QgsRasterLayer(str(world / "scene" / "scene.tif"), "scene")
    QgsProject.instance().addMapLayer(layer)
    qgis_canvas.setDestinationCrs(layer.crs())
    qgis_canvas.setExtent(layer.extent())
    return layer


def scores(path):
    with sqlite3.connect(path) as c:
        return dict(c.execute("SELECT tile, score FROM tile_scores WHERE score IS NOT NULL"))


def trust(model_dir):
    """The person's earlier yes to loading this model folder (the dialog asks once)."""
    settings = PluginSettings.load()
    settings.trust(model_dir)
    settings.save()


def make_dialog(qgis_iface, server, runtime_python, world, layer, out, trusted=True):
    if trusted:
        trust(world / "model")
    d = ScanDialog(qgis_iface, TaskRegistry(qgis_iface), server, runtime_python)
    d.model_widget.setFilePath(str(world / "model"))
    d.imagery_combo.setLayer(layer)
    d.out_widget.setFilePath(str(out))
    d.resume_check.setChecked(False)
    return d


def test_scan_from_the_dialog_matches_the_cli(
    qgis_iface, qgis_canvas, server, runtime_python, world, scene_layer, tmp_path
):
    d = make_dialog(qgis_iface, server, runtime_python, world, scene_layer, tmp_path / "r.gpkg")
    d._update_estimate()
    # the canvas extent is the scene and a margin: the margin has no imagery and is not planned
    assert d.estimate_label.text().startswith("36 tiles at zoom 18 with imagery")
    assert "schools:1" in d.card_label.text()
    task = d.scan(ask_size=False)
    assert task is not None
    wait_for_task(task, timeout=300)
    assert task.error is None, task.error and (task.error.message + task.error.details)
    assert server.running and server.url.startswith("http://127.0.0.1:")
    layer = QgsProject.instance().mapLayer(d.result_layer_id)
    assert layer is not None and layer.isValid()
    assert layer.featureCount() == d.last_result["candidates"]
    assert " in 36 tiles (" in d.status_label.text() and "outside imagery" not in d.status_label.text()
    assert "on CPU, ONNX Runtime" in d.status_label.text()  # what scanned, said with every scan (the model has a copy)
    subprocess.run(
        [
            str(runtime_python),
            "-m",
            "school_detector.cli",
            "scan",
            "--imagery",
            str(world / "scene" / "scene.tif"),
            "--model",
            str(world / "model"),
            "--out",
            str(tmp_path / "cli.gpkg"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    a, b = scores(tmp_path / "r.gpkg"), scores(tmp_path / "cli.gpkg")
    assert a.keys() == b.keys() and len(a) == 36
    assert max(abs(a[k] - b[k]) for k in a) < 1e-5  # QGIS rendering + REST == rasterio + in-process


def test_one_click_scan_of_the_current_extent(
    qgis_iface, qgis_canvas, runtime_python, world, scene_layer, tmp_path, monkeypatch
):
    import school_detector

    monkeypatch.setenv("SCHOOL_DETECTOR_PYTHON", str(runtime_python))
    trusted = [str((world / "model").resolve())]  # agreed to before: no question this time
    monkeypatch.setattr(
        PluginSettings, "load", classmethod(lambda cls: cls(model_dir=str(world / "model"), trusted_models=trusted))
    )
    monkeypatch.setattr(PluginSettings, "save", lambda self: None)
    monkeypatch.setattr("school_detector.gui.scan_dialog.default_output", lambda: tmp_path / "oneclick.gpkg")
    e = scene_layer.extent()
    qgis_canvas.setExtent(QgsRectangle(e.xMinimum(), e.yMinimum(), e.xMinimum() + 300, e.yMinimum() + 300))
    plugin = school_detector.classFactory(qgis_iface)
    plugin.initGui()
    try:
        plugin.actions["scan_extent"].trigger()
        dialog = plugin.dialogs["scan"]
        task = dialog.current_task
        assert task is not None, dialog.status_label.text()
        wait_for_task(task, timeout=300)
        assert task.error is None
        assert 1 <= len(scores(tmp_path / "oneclick.gpkg")) < 36  # only what is visible, not the whole scene
        assert plugin.server.running
    finally:
        plugin.unload()
    assert not plugin.server.running  # unloading stops the local server


def test_bad_scan_input(qgis_iface, server, runtime_python, world, scene_layer, tmp_path):
    d = make_dialog(qgis_iface, server, runtime_python, world, scene_layer, tmp_path / "x.gpkg")
    d.model_widget.setFilePath(str(tmp_path))
    assert d.scan(ask_size=False) is None and "no model_card.json" in d.status_label.text()
    d.model_widget.setFilePath(str(world / "model"))
    d.remote_radio.setChecked(True)
    d.url_edit.setText("not a url")
    assert d.scan(ask_size=False) is None and "TF Serving URL" in d.status_label.text()
    (tmp_path / "exists.gpkg").write_bytes(b"")
    d.remote_radio.setChecked(False)
    d.local_radio.setChecked(True)
    d.out_widget.setFilePath(str(tmp_path / "exists.gpkg"))
    assert d.scan(ask_size=False) is None and "Resume" in d.status_label.text()


def test_remote_server_down_stops_clearly(qgis_iface, server, runtime_python, world, scene_layer, tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    d = make_dialog(qgis_iface, server, runtime_python, world, scene_layer, tmp_path / "down.gpkg")
    d.remote_radio.setChecked(True)
    d.url_edit.setText(f"http://127.0.0.1:{port}")
    task = d.scan(ask_size=False)
    wait_for_task(task, timeout=120)
    assert task.error is not None and "failed after" in task.error.message
    assert "failed after" in d.status_label.text() and f"127.0.0.1:{port} (connection refused)" in d.status_label.text()
    assert "Resume" not in d.status_label.text()  # nothing was scanned: nothing claimed kept


def test_scan_processing_algorithm(qgis_processing, runtime_python, world, tmp_path, monkeypatch):
    import processing
    from qgis.core import QgsApplication

    from school_detector.processing.provider import SchoolDetectorProvider

    monkeypatch.setenv("SCHOOL_DETECTOR_PYTHON", str(runtime_python))
    provider = SchoolDetectorProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    try:
        result = processing.run(
            "school_detector:scan",
            {
                "IMAGERY": str(world / "scene" / "scene.tif"),
                "MODEL": str(world / "model"),
                "TRUST_MODEL": True,  # loading a model runs its code: Processing asks for it too
                "OUTPUT": str(tmp_path / "p.gpkg"),
            },
        )
    finally:
        QgsApplication.processingRegistry().removeProvider(provider)
    assert result["TILES"] == 36 and len(scores(tmp_path / "p.gpkg")) == 36


def test_odd_map_extents_are_explained_not_raised(qgis_canvas):
    import math

    from qgis.core import QgsCoordinateReferenceSystem

    from school_detector.core.errors import InputError
    from school_detector.qgis_io.region import extent_region

    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    with pytest.raises(InputError, match="not set yet"):
        extent_region(QgsRectangle(-math.inf, -math.inf, math.inf, math.inf), wgs84)
    world = extent_region(QgsRectangle(-200, -95, 200, 95), wgs84)  # a world view: clamped, not an error
    assert world and all(math.isfinite(x) and math.isfinite(y) for x, y in world[0][0])


def test_loading_a_model_the_first_time_warns_that_it_runs_code(
    qgis_iface, server, runtime_python, world, scene_layer, tmp_path, monkeypatch
):
    """Clicked as a person clicks Scan: the warning comes first, a No starts nothing and
    trusts nothing, a Yes starts the scan and is remembered (the next click asks nothing)."""
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest
    from qgis.PyQt.QtWidgets import QMessageBox

    stored = {"trusted": []}
    monkeypatch.setattr(PluginSettings, "load", classmethod(lambda cls: cls(trusted_models=list(stored["trusted"]))))
    monkeypatch.setattr(PluginSettings, "save", lambda self: stored.update(trusted=list(self.trusted_models)))
    asked = []

    def answer(reply):
        def warning(parent, title, text, *args):
            asked.append(text)
            return reply

        return warning

    d = make_dialog(qgis_iface, server, runtime_python, world, scene_layer, tmp_path / "r.gpkg", trusted=False)
    d.show()
    monkeypatch.setattr(QMessageBox, "warning", answer(QMessageBox.StandardButton.No))
    QTest.mouseClick(d.scan_button, Qt.MouseButton.LeftButton)
    assert d.current_task is None and stored["trusted"] == []
    assert "runs its code" in asked[-1] and str(world / "model") in asked[-1]
    assert d.status_label.text() == "Not started: the model folder was not trusted."
    monkeypatch.setattr(QMessageBox, "warning", answer(QMessageBox.StandardButton.Yes))
    QTest.mouseClick(d.scan_button, Qt.MouseButton.LeftButton)
    task = d.current_task
    assert task is not None and len(asked) == 2
    assert stored["trusted"] == [str((world / "model").resolve())]
    wait_for_task(task, timeout=300)
    d.out_widget.setFilePath(str(tmp_path / "again.gpkg"))
    QTest.mouseClick(d.scan_button, Qt.MouseButton.LeftButton)
    assert d.current_task is not None and len(asked) == 2  # remembered: asked once only
    wait_for_task(d.current_task, timeout=300)


def test_a_processing_scan_is_reviewable_like_the_dialogs(
    qgis_iface, qgis_processing, server, runtime_python, world, scene_layer, tmp_path, monkeypatch
):
    """One scan job behind both: the same record in the results file, so the review panel finds
    the imagery and the chip size of a Processing scan as it does for the dialog's."""
    import processing
    from qgis.core import QgsApplication

    from school_detector.gui.review_dock import ReviewDock
    from school_detector.processing.provider import SchoolDetectorProvider
    from school_detector.qgis_io.results import load_results
    from school_detector.scan.store import read_info

    d = make_dialog(qgis_iface, server, runtime_python, world, scene_layer, tmp_path / "dialog.gpkg")
    task = d.scan(ask_size=False)
    wait_for_task(task, timeout=300)
    assert task.error is None
    monkeypatch.setenv("SCHOOL_DETECTOR_PYTHON", str(runtime_python))
    provider = SchoolDetectorProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    try:
        processing.run(
            "school_detector:scan",
            {"IMAGERY": scene_layer, "MODEL": str(world / "model"), "TRUST_MODEL": True,
             "OUTPUT": str(tmp_path / "processing.gpkg")},
        )  # fmt: skip
    finally:
        QgsApplication.processingRegistry().removeProvider(provider)
    by_dialog, by_processing = read_info(tmp_path / "dialog.gpkg"), read_info(tmp_path / "processing.gpkg")
    assert set(by_dialog) == set(by_processing)
    for key in ("model", "zoom", "supertile", "tile_size", "chip_px", "predictor"):
        assert by_dialog[key] == by_processing[key], key
    assert by_dialog["threshold"] == pytest.approx(by_processing["threshold"], abs=1e-3)  # the spin box's 3 decimals
    assert by_processing["imagery"]["path"] == str(world / "scene" / "scene.tif")
    layer, _ = load_results(tmp_path / "processing.gpkg", "from Processing")
    dock = ReviewDock(qgis_iface)
    try:
        dock.set_layer(layer)
        assert dock.imagery_combo.currentLayer() is scene_layer  # found from the scan's record
        dock.preview_check.setChecked(True)
        for _ in range(500):  # the preview is drawn in the background
            pump(0.02)
            if not dock.preview_label.isHidden():
                break
        assert not dock.preview_label.isHidden() and str(by_processing["chip_px"]) in dock.preview_label.toolTip()
    finally:
        dock.set_layer(None)
        dock.deleteLater()


def test_the_dialog_sets_known_schools_aside_and_skips_empty_land(
    qgis_iface, qgis_canvas, server, runtime_python, world, tmp_path
):
    """Through the dialog as a mapper does it: a known-schools layer and a buildings layer."""
    from qgis.core import QgsVectorLayer

    scene = tmp_path / "district"
    write_scene(SceneSpec(tiles=8, seed=3, schools=8, layout="district"), scene)
    raster = QgsRasterLayer(str(scene / "scene.tif"), "district")
    labels = scene / "labels.gpkg"
    known = QgsVectorLayer(f"{labels}|layername=labels", "mapped schools", "ogr")
    buildings = QgsVectorLayer(f"{labels}|layername=buildings", "buildings", "ogr")
    for layer in (raster, known, buildings):
        QgsProject.instance().addMapLayer(layer)
    qgis_canvas.setDestinationCrs(raster.crs())
    qgis_canvas.setExtent(raster.extent())
    d = make_dialog(qgis_iface, server, runtime_python, world, raster, tmp_path / "r.gpkg")
    d.known_combo.setLayer(known)
    d.buildings_combo.setLayer(buildings)
    d._update_estimate()
    assert "with buildings" in d.estimate_label.text()
    task = d.scan(ask_size=False)
    assert task is not None, d.status_label.text()
    wait_for_task(task, timeout=300)
    assert task.error is None, task.error and task.error.message
    res = d.last_result
    assert res["skipped"].get("uninhabited", 0) > 0 and res["to_review"] + res["known"] == res["candidates"]
    with sqlite3.connect(tmp_path / "r.gpkg") as c:
        located = dict(c.execute("SELECT location, COUNT(*) FROM candidates GROUP BY location"))
        info = dict(c.execute("SELECT key, value FROM scan_info"))
    assert set(located) == {"model"}  # every point is where the model placed the school
    assert '"count"' in info["known_schools"] and "buildings" in info["buildings"]


def test_a_zoomed_out_map_counts_only_tiles_with_imagery_and_asks_before_a_big_scan(
    qgis_iface, qgis_canvas, server, runtime_python, world, scene_layer, tmp_path, monkeypatch
):
    """Zoomed out far beyond the imagery: the estimate (fresh as the map moves) and the question
    count the tiles with imagery, not the map's millions; declined, the dialog says it did not start."""
    from qgis.PyQt.QtWidgets import QMessageBox

    d = make_dialog(qgis_iface, server, runtime_python, world, scene_layer, tmp_path / "r.gpkg")
    d.extent_radio.setChecked(True)
    d.show()
    qgis_canvas.setExtent(scene_layer.extent())
    pump(0.6)
    whole = d.estimate_label.text().split(" (")[0]  # "N tiles at zoom 18 with imagery": the scene
    e = scene_layer.extent()
    far = QgsRectangle(e.xMinimum() - 5e5, e.yMinimum() - 5e5, e.xMaximum() + 5e5, e.yMaximum() + 5e5)
    qgis_canvas.setExtent(far)
    pump(0.6)  # the estimate follows the map by itself, once it rests
    assert qgis_canvas.extent().width() > 1e6 and whole.endswith("with imagery")
    assert d.estimate_label.text().startswith(whole), d.estimate_label.text()
    asked = []

    def decline(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", decline)
    trusted = [str((world / "model").resolve())]  # agreed to before: the question here is the size
    monkeypatch.setattr(PluginSettings, "load", classmethod(lambda cls: cls(trusted_models=trusted)))
    d.settings.ask_above_tiles = 10
    assert d.start() is None and d.current_task is None
    assert whole in asked[0]
    assert d.status_label.text().startswith(f"Not started: {whole}")


@pytest.fixture()
def results_dir(tmp_path):
    """Scans of this unsaved project go to a folder chosen once (as the dialog asks)."""
    settings = PluginSettings.load()
    before = settings.results_dir
    settings.results_dir = str(tmp_path / "scans")
    (tmp_path / "scans").mkdir()
    settings.save()
    yield tmp_path / "scans"
    settings = PluginSettings.load()
    settings.results_dir = before
    settings.save()


def test_each_scan_gets_its_own_file_and_another_scans_file_is_refused(
    qgis_iface, server, runtime_python, world, scene_layer, results_dir, tmp_path
):
    """After a scan the dialog proposes a new file (a second scan does not resume into the first
    by default); resuming a file that holds another scan (here: other imagery) is refused with
    what differs, and a new file is proposed."""
    import shutil

    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest

    first = tmp_path / "first.gpkg"
    d = make_dialog(qgis_iface, server, runtime_python, world, scene_layer, first)
    d.show()
    task = d.scan(ask_size=False)
    wait_for_task(task, timeout=300)
    proposed = d.out_widget.filePath()
    assert task.error is None and proposed != str(first) and proposed.startswith(str(results_dir))
    assert "places (" in d.status_label.text() and "near a mapped school" in d.status_label.text()
    copy = tmp_path / "elsewhere.tif"
    shutil.copy(world / "scene" / "scene.tif", copy)
    other = QgsRasterLayer(str(copy), "elsewhere")
    QgsProject.instance().addMapLayer(other)
    d.imagery_combo.setLayer(other)
    d.out_widget.setFilePath(str(first))
    d.resume_check.setChecked(True)
    QTest.mouseClick(d.scan_button, Qt.MouseButton.LeftButton)
    assert d.current_task is None
    said = d.status_label.text()
    assert "first.gpkg holds another scan: the imagery (" in said and "A new results file is proposed" in said
    assert d.out_widget.filePath() != str(first) and d.out_widget.filePath().startswith(str(results_dir))


def test_processing_replaces_an_existing_results_file_unless_resuming(
    qgis_processing, runtime_python, world, tmp_path, monkeypatch
):
    import processing
    from qgis.core import QgsApplication, QgsProcessingException

    from school_detector.processing.provider import SchoolDetectorProvider

    monkeypatch.setenv("SCHOOL_DETECTOR_PYTHON", str(runtime_python))
    provider = SchoolDetectorProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    out = tmp_path / "p.gpkg"
    base = {"IMAGERY": str(world / "scene" / "scene.tif"), "MODEL": str(world / "model"), "TRUST_MODEL": True,
            "OUTPUT": str(out)}  # fmt: skip
    try:
        processing.run("school_detector:scan", {**base, "THRESHOLD": 0.99})
        few = sqlite3.connect(out).execute("SELECT COUNT(*) FROM candidates").fetchone()[0]
        processing.run("school_detector:scan", {**base, "THRESHOLD": 0.01})  # QGIS asked "replace?": replaced
        with sqlite3.connect(out) as c:
            many = c.execute("SELECT COUNT(*) FROM candidates").fetchone()[0]
            floor = c.execute("SELECT value FROM scan_info WHERE key = 'candidate_floor'").fetchone()[0]
        assert many > few and float(floor) == 0.01 and len(scores(out)) == 36
        copy = tmp_path / "elsewhere.tif"
        copy.write_bytes((world / "scene" / "scene.tif").read_bytes())
        with pytest.raises(QgsProcessingException, match="holds another scan: the imagery"):
            processing.run("school_detector:scan", {**base, "IMAGERY": str(copy), "RESUME": True})
    finally:
        QgsApplication.processingRegistry().removeProvider(provider)
