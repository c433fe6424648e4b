"""The first hour in QGIS, driven as a new user drives it (clicks and keys through the real
widgets): each test is one step that once broke or confused."""

import re
import sqlite3

from qgis.core import QgsProject, QgsRectangle
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QToolBar

from school_detector.core.results import Prediction
from school_detector.core.tiles import Tile
from school_detector.qgis_io.results import load_results
from school_detector.scan.store import ResultStore
from tests.qgis.conftest import pump


def press_tool(qgis_iface, plugin, key):
    qgis_iface.mainWindow().show()
    (toolbar,) = qgis_iface.mainWindow().findChildren(QToolBar, "SchoolDetectorToolbar")
    QTest.mouseClick(toolbar.widgetForAction(plugin.actions[key]), Qt.MouseButton.LeftButton)
    pump(0.05)


def columns(path, table):
    with sqlite3.connect(path) as c:
        return [r[1] for r in c.execute(f'PRAGMA table_info("{table}")')]


def test_review_opens_on_the_scans_candidates_not_its_tile_footprints(plugin, qgis_iface, tmp_path, qgis_new_project):
    """A scan adds its tile footprints last, so they are the active layer: Review detections
    opens on the candidates of that file, and nothing is added to the file."""
    path = tmp_path / "scan.gpkg"
    store = ResultStore(path, "schools:1", 0.5)
    store.commit([(Tile(152970 + i, 132500, 18), Prediction(0.9 - i / 10, 0.5, 0.5)) for i in range(3)])
    store.close()
    before = columns(path, "candidate_footprints")
    candidates, footprints = load_results(path, "Candidates · scan")
    qgis_iface.setActiveLayer(footprints)
    press_tool(qgis_iface, plugin, "review")
    dock = plugin.review_dock
    assert dock.layer is candidates and len(dock.queue) == 3
    assert not dock.fix_button.isVisible() and "lacks the fields" not in dock.current_label.text()
    dock.set_layer(footprints)  # handed the footprints by other code: still the candidates of that file
    assert dock.layer is candidates
    assert columns(path, "candidate_footprints") == before
    QgsProject.instance().removeMapLayer(candidates.id())
    press_tool(qgis_iface, plugin, "review")  # its candidates layer removed: loaded again from the file
    assert plugin.review_dock.layer is not None and plugin.review_dock.layer.source().endswith("layername=candidates")
    dock.set_layer(None)


def test_the_one_click_scan_takes_the_model_in_use_and_the_raster_on_the_map(
    plugin, qgis_iface, qgis_canvas, world, with_runtime, tmp_path, monkeypatch, qgis_new_project
):
    """The Scan dialog lives as long as QGIS: opened once with no model, then *Use this model*,
    then *Scan current extent* over another GeoTIFF than the last one scanned: the scan uses the
    model in use and the raster under the map; reopening clears the last run's words."""
    from qgis.core import QgsRasterLayer

    from school_detector.sample.scene import SceneSpec, write_scene
    from school_detector.settings import PluginSettings
    from tests.qgis.conftest import wait_for_task

    saved = {"results_dir": str(tmp_path)}
    monkeypatch.setattr(PluginSettings, "load", classmethod(lambda cls: cls(**saved)))
    monkeypatch.setattr(PluginSettings, "save", lambda self: saved.update(vars(self)))
    write_scene(SceneSpec(tiles=4, seed=31, lon=30.2), tmp_path / "east")
    first = QgsRasterLayer(str(world / "scene" / "scene.tif"), "first scene")
    east = QgsRasterLayer(str(tmp_path / "east" / "scene.tif"), "east scene")
    QgsProject.instance().addMapLayers([first, east])
    press_tool(qgis_iface, plugin, "scan_region")
    dialog = plugin.dialogs["scan"]
    assert dialog.model_widget.filePath() == ""  # no model yet
    dialog.imagery_combo.setLayer(first)
    dialog._remember()  # the last imagery scanned: the first scene
    saved.update(model_dir=str(world / "model"), trusted_models=[str((world / "model").resolve())])  # Use this model
    qgis_canvas.setDestinationCrs(east.crs())
    qgis_canvas.setExtent(east.extent())
    press_tool(qgis_iface, plugin, "scan_extent")
    task = dialog.current_task
    assert task is not None, dialog.status_label.text()
    assert dialog.model_widget.filePath() == str(world / "model") and dialog.imagery_combo.currentLayer() is east
    wait_for_task(task, timeout=300)
    assert task.error is None and " in 16 tiles (" in dialog.status_label.text()
    press_tool(qgis_iface, plugin, "scan_region")  # opened again: the last run's words are gone
    assert dialog.status_label.text() == "" and dialog.progress.value() == 0
    qgis_canvas.setExtent(QgsRectangle(east.extent().xMaximum() + 5e4, 0, east.extent().xMaximum() + 6e4, 1e4))
    QgsProject.instance().layerTreeRoot().findLayer(first.id()).setItemVisibilityChecked(False)
    press_tool(qgis_iface, plugin, "scan_extent")  # nothing on the map there: said, nothing started
    assert dialog.current_task is None and "No visible raster layer covers the map" in dialog.status_label.text()


def test_a_web_basemap_over_the_world_never_freezes_the_estimate(qgis_iface, qgis_canvas, world, tmp_path):
    """An XYZ basemap has no extent: zoomed out to the world, the region is 68 billion tiles at
    zoom 18. The estimate says "up to" at once instead of counting them (40-100 s frozen in
    0.2.0), and only once the map rests."""
    import time

    from qgis.core import QgsCoordinateReferenceSystem, QgsRasterLayer

    from school_detector.gui.scan_dialog import ScanDialog
    from school_detector.runtime.local_server import LocalServer
    from school_detector.tasks.registry import TaskRegistry

    web = QgsRasterLayer(f"type=xyz&url=file://{tmp_path}/{{z}}/{{x}}/{{y}}.png&zmax=19", "web basemap", "wms")
    assert web.isValid()
    QgsProject.instance().addMapLayer(web)
    qgis_canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    d = ScanDialog(qgis_iface, TaskRegistry(qgis_iface), LocalServer(), None)
    d.model_widget.setFilePath(str(world / "model"))
    d.imagery_combo.setLayer(web)
    d.show()
    start = time.perf_counter()
    qgis_canvas.setExtent(QgsRectangle(-2e7, -2e7, 2e7, 2e7))
    for _ in range(20):  # a pan: many extent changes
        qgis_canvas.setExtent(QgsRectangle(-2e7 + _, -2e7, 2e7 + _, 2e7))
    pump(0.6)
    assert time.perf_counter() - start < 3.0
    text = d.estimate_label.text()
    assert re.match(r"up to [\d,]{14} tiles at zoom 18", text) and "zoom in, or choose a district" in text, text
    qgis_canvas.setExtent(QgsRectangle(3.346e6, -2.19e5, 3.348e6, -2.17e5))  # a town: counted exactly
    pump(0.6)
    assert "tiles at zoom 18 with imagery" in d.estimate_label.text() and "up to" not in d.estimate_label.text()
    d.close()


def test_lowering_the_threshold_after_reviewing_never_queues_a_decided_school_again(
    qgis_iface, tmp_path, qgis_new_project
):
    """Confirm a school, then slide the threshold down: a second, weaker view of that school (a
    neighbouring tile, 30 m from its point) joins the decided place instead of coming back as a
    new one; a weak candidate elsewhere is queued."""
    from school_detector.core.places import chip_point, ground_scale
    from school_detector.core.tiles import bounds_3857
    from school_detector.gui.review_dock import ReviewDock

    a, b, c = Tile(152970, 132500, 18), Tile(152971, 132500, 18), Tile(152975, 132500, 18)
    school = chip_point(bounds_3857(a), 0.9, 0.5)
    bb = bounds_3857(b)
    second = ((school[0] + 30 / ground_scale(school[1]) - bb.west) / (bb.east - bb.west), 0.5)
    path = tmp_path / "scan.gpkg"
    store = ResultStore(path, "schools:1", 0.5)
    store.set_info({"model": "schools:1", "threshold": 0.5})
    store.commit([(a, Prediction(0.9, 0.9, 0.5)), (b, Prediction(0.4, *second)), (c, Prediction(0.42, 0.5, 0.5))])
    store.close()
    candidates, _ = load_results(path, "Candidates · scan")
    dock = ReviewDock(qgis_iface)
    dock.set_layer(candidates)
    dock.show()
    assert len(dock.queue) == 1
    QTest.keyClick(dock.widget(), Qt.Key.Key_Y)  # confirmed
    dock.threshold_slider.setFocus()
    for _ in range(2):
        QTest.keyClick(dock.threshold_slider, Qt.Key.Key_PageDown)  # 0.50 -> 0.30, by the keyboard
    pump(0.5)  # the slider rests: the threshold is applied
    assert dock.threshold_slider.value() == 30
    queued = [candidates.getFeature(g[0])["tile"] for g in dock.queue]
    assert queued == [c.id]
    assert "1 more on places already decided" in dock.stats_label.text()
    dock.set_layer(None)


def test_typing_a_dataset_path_fills_the_model_folder_only_when_done(
    plugin, qgis_iface, world, with_runtime, monkeypatch, tmp_path
):
    """Typed key by key, the dataset path is "/" first: the model folder must not become
    "/_model". It is filled from a real dataset folder once the typing ends; right after a build,
    Train classifier offers that dataset."""
    from school_detector.settings import PluginSettings

    saved = {"last_dataset": str(world / "data")}
    monkeypatch.setattr(PluginSettings, "load", classmethod(lambda cls: cls(**saved)))
    monkeypatch.setattr(PluginSettings, "save", lambda self: saved.update(vars(self)))
    press_tool(qgis_iface, plugin, "train")
    d = plugin.dialogs["train"]
    assert d.data_widget.filePath() == str(world / "data")  # the last dataset built, offered
    assert d.out_widget.filePath() == str(world / "data_model")
    d.data_widget.setFilePath("")
    d.out_widget.setFilePath("")
    edit = d.data_widget.lineEdit()
    edit.setFocus()
    QTest.keyClicks(edit, str(world / "data"))
    assert d.out_widget.filePath() == ""  # nothing while typing
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert d.out_widget.filePath() == str(world / "data_model") and "train:" in d.counts_label.text()
    d.out_widget.setFilePath("")
    edit.clear()
    QTest.keyClicks(edit, str(tmp_path))  # a folder, but no dataset
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert d.out_widget.filePath() == "" and "not a chip dataset" in d.counts_label.text()


def test_the_build_dialog_guesses_only_what_a_layer_says(plugin, qgis_iface, world, tmp_path, qgis_new_project):
    """With a buildings layer first in the project, Build training data starts on the labels
    layer (points with a class field that says school), never guesses `fid`, advises two layers
    when no field fits, and warns when a split gets no school."""
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsRasterLayer, QgsVectorLayer

    from tests.qgis.conftest import wait_for_task

    scene = world / "scene"
    buildings = QgsVectorLayer("Polygon?crs=EPSG:3857&field=fid:integer&field=area:double", "buildings", "memory")
    square = QgsGeometry.fromWkt("POLYGON((3346000 -218000, 3346010 -218000, 3346010 -217990, 3346000 -218000))")
    feature = QgsFeature(buildings.fields())
    feature.setGeometry(square)
    feature.setAttributes([1, 100.0])
    buildings.dataProvider().addFeatures([feature])
    labels = QgsVectorLayer(f"{scene / 'labels.gpkg'}|layername=labels", "labels", "ogr")
    raster = QgsRasterLayer(str(scene / "scene.tif"), "scene")
    QgsProject.instance().addMapLayers([buildings, labels, raster])
    press_tool(qgis_iface, plugin, "build_data")
    d = plugin.dialogs["build_data"]
    assert d.layer_combo.currentLayer() is labels and d.field_combo.currentField() == "label"
    assert d.school_values() == ["school"]
    d.layer_combo.setLayer(buildings)  # footprints: no class field (a field named fid, '1' in it)
    assert d.field_combo.currentField() == "" and d.school_values() == []
    assert "has no class field" in d.status_label.text() and "Two layers" in d.status_label.text()
    e = raster.extent()  # one school and a few not-schools: one split gets it, the others none
    few = QgsVectorLayer("Point?crs=EPSG:3857&field=label:string", "few", "memory")
    features = []
    for i, label in enumerate(["school", "not-school", "not-school", "not-school"]):
        f = QgsFeature(few.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(e.xMinimum() + 200 + 300 * i, e.yMaximum() - 200)))
        f["label"] = label
        features.append(f)
    few.dataProvider().addFeatures(features)
    QgsProject.instance().addMapLayer(few)
    d.layer_combo.setLayer(few)
    d.imagery_combo.setLayer(raster)
    d.folder_widget.setFilePath(str(tmp_path / "few"))
    QTest.mouseClick(d.run_button, Qt.MouseButton.LeftButton)
    wait_for_task(d.current_task)
    assert "Warning: no school chip in" in d.status_label.text(), d.status_label.text()


def test_one_message_per_event_replaced_or_withdrawn(qgis_app):
    """On a real message bar: a job's error is replaced by its next error and withdrawn when the
    job succeeds; a topic's messages replace each other (the review slider moved 30 times is one
    message); a two-line summary shows on one line, whole behind "More"."""
    from qgis.gui import QgsMessageBar

    from school_detector.core.errors import InputError
    from school_detector.notify import report_error, report_info, withdraw

    class Iface:
        bar = QgsMessageBar()

        def messageBar(self):  # noqa: N802 (QGIS API)
            return self.bar

    iface = Iface()
    report_error(iface, InputError("Could not download the ImageNet weights."), title="Train classifier")
    report_error(iface, InputError("Could not download the ImageNet weights (again)."), title="Train classifier")
    assert len(iface.bar.items()) == 1
    for n in range(30):
        report_info(iface, f"{n} more candidates from the scan's kept scores.", topic="review threshold")
    assert len(iface.bar.items()) == 2
    withdraw(iface, "Train classifier")  # the next training succeeded
    assert len(iface.bar.items()) == 1 and "29 more" in iface.bar.items()[0].text()
    report_info(iface, "Model saved.\nCaution: only 9 schools in the test split.", topic="train")
    item = iface.bar.currentItem()
    assert "\n" not in item.text() and "Caution" in item.text()


def test_a_pasted_runtime_path_is_checked_without_leaving_the_field(qgis_iface, with_runtime, monkeypatch):
    """Pasted: Check and Test are ready at once; Enter checks it; "Set up for" says the runtime
    in use is a training one."""
    from qgis.PyQt.QtGui import QGuiApplication

    from school_detector.gui.settings_dialog import SettingsDialog
    from school_detector.runtime.install import TRAINING
    from school_detector.settings import PluginSettings
    from school_detector.tasks.registry import TaskRegistry
    from tests.qgis.conftest import wait_for_task

    monkeypatch.delenv("SCHOOL_DETECTOR_PYTHON")
    monkeypatch.setattr(PluginSettings, "load", classmethod(lambda cls: cls()))
    d = SettingsDialog(qgis_iface, TaskRegistry())
    d.show()
    assert not d.check_button.isEnabled()
    QGuiApplication.clipboard().setText(str(with_runtime))
    d.python_edit.setFocus()
    QTest.keyClick(d.python_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert d.python_edit.text() == str(with_runtime)  # pasted; the field was not left
    assert d.check_button.isEnabled() and d.test_button.isEnabled()
    assert d.flavour_combo.currentData() == TRAINING
    QTest.keyClick(d.python_edit, Qt.Key.Key_Return)
    assert d.current_task is not None and d.current_task.args == ["info"] and d.isVisible()
    wait_for_task(d.current_task)
    assert d.state_label.text().startswith("Python 3")


def test_each_scan_is_one_layer_group_named_by_its_time(tmp_path, qgis_new_project):
    """Two one-click scans: two groups, each holding "Candidates" and "Tiles", named by what
    tells them apart first; showing a file again (a resume) reloads its layers, adds none."""
    from school_detector.qgis_io.results import scan_group_name, show_results

    paths = []
    for stamp in ("20261204-153012", "20261204-160544"):
        path = tmp_path / f"scan-{stamp}.gpkg"
        store = ResultStore(path, "schools:1", 0.5)
        store.commit([(Tile(152970, 132500, 18), Prediction(0.9, 0.5, 0.5))])
        store.close()
        paths.append(path)
        show_results(path)
    root = QgsProject.instance().layerTreeRoot()
    groups = [g.name() for g in root.children()]
    assert groups == ["16:05:44 · 4 Dec scan", "15:30:12 · 4 Dec scan"]  # the newest on top
    assert [n.name() for n in root.children()[0].children()] == ["Candidates", "Tiles"]
    assert not root.children()[0].children()[1].isVisible()  # the tiles: hidden until asked for
    count = len(QgsProject.instance().mapLayers())
    again = show_results(paths[0])  # resumed into: reloaded, not added
    assert len(QgsProject.instance().mapLayers()) == count and again.source().endswith("layername=candidates")
    assert scan_group_name(tmp_path / "my district.gpkg") == "my district"


def test_decisions_are_recorded_under_the_name_the_mapper_gives(qgis_iface, tmp_path, qgis_new_project, monkeypatch):
    """Not the computer's login: the dock's Reviewer field, typed once and kept."""
    from school_detector.gui.review_dock import ReviewDock
    from school_detector.settings import PluginSettings

    saved = {}
    monkeypatch.setattr(PluginSettings, "load", classmethod(lambda cls: cls(**saved)))
    monkeypatch.setattr(PluginSettings, "save", lambda self: saved.update(vars(self)))
    path = tmp_path / "scan.gpkg"
    store = ResultStore(path, "schools:1", 0.5)
    store.commit([(Tile(152970 + i, 132500, 18), Prediction(0.9, 0.5, 0.5)) for i in range(0, 6, 3)])
    store.close()
    candidates, _ = load_results(path, "Candidates")
    dock = ReviewDock(qgis_iface)
    dock.set_layer(candidates)
    dock.show()
    QTest.keyClicks(dock.reviewer_edit, "Amina K.")
    QTest.keyClick(dock.reviewer_edit, Qt.Key.Key_Return)
    QTest.keyClick(dock.widget(), Qt.Key.Key_Y)
    with sqlite3.connect(path) as c:
        assert c.execute("SELECT reviewer FROM candidates WHERE status = 'confirmed'").fetchone()[0] == "Amina K."
    assert saved["reviewer"] == "Amina K."
    again = ReviewDock(qgis_iface)  # the next session: asked nothing, the name is there
    assert again.reviewer == "Amina K." and again.reviewer_edit.text() == "Amina K."
    dock.set_layer(None)


def test_a_degenerate_model_is_never_summarised_as_a_good_one(qgis_iface, world, tmp_path):
    """Its card says the scores are flat and the test split tiny: the Scan dialog says so next to
    the ROC AUC, with what the figure rests on."""
    import json
    import shutil

    from school_detector.gui.scan_dialog import ScanDialog
    from school_detector.runtime.local_server import LocalServer
    from school_detector.tasks.registry import TaskRegistry

    model = tmp_path / "flat model"
    shutil.copytree(world / "model", model)
    card = json.loads((model / "model_card.json").read_text())
    card["metrics"].update(roc_auc=1.0, n=5, positives=2)
    card["warnings"] = ["Every test image scores 0.13-0.15: the model answers the same for everything."]
    (model / "model_card.json").write_text(json.dumps(card))
    d = ScanDialog(qgis_iface, TaskRegistry(qgis_iface), LocalServer(), None)
    d.model_widget.setFilePath(str(model))
    text = d.card_label.text()
    assert "test ROC AUC 1.000 on 2 schools / 3 not-schools" in text and "⚠ Every test image scores" in text


def test_preview_of_a_raster_without_crs_says_why(plugin, qgis_iface, world, tmp_path, qgis_new_project):
    import rasterio
    from qgis.core import QgsRasterLayer, QgsVectorLayer

    with rasterio.open(world / "scene" / "scene.tif") as src:
        data, profile = src.read(), src.profile
    profile.update(crs=None)
    with rasterio.open(tmp_path / "nocrs.tif", "w", **profile) as dst:
        dst.write(data)
    raster = QgsRasterLayer(str(tmp_path / "nocrs.tif"), "no crs")
    labels = QgsVectorLayer(f"{world / 'scene' / 'labels.gpkg'}|layername=labels", "labels", "ogr")
    QgsProject.instance().addMapLayers([labels, raster])
    press_tool(qgis_iface, plugin, "build_data")
    d = plugin.dialogs["build_data"]
    d.imagery_combo.setLayer(raster)
    d.folder_widget.setFilePath(str(tmp_path / "ds"))
    QTest.mouseClick(d.preview_button, Qt.MouseButton.LeftButton)
    assert "no coordinate reference system" in d.status_label.text()


def test_the_region_starts_on_a_district_layer_or_none_and_etas_need_a_real_scan(
    qgis_iface, world, qgis_new_project, monkeypatch
):
    from qgis.core import QgsVectorLayer

    from school_detector.gui.scan_dialog import RATE_MIN_TILES, ScanDialog
    from school_detector.runtime.local_server import LocalServer
    from school_detector.settings import PluginSettings
    from school_detector.tasks.registry import TaskRegistry

    buildings = QgsVectorLayer("Polygon?crs=EPSG:3857", "buildings", "memory")
    QgsProject.instance().addMapLayer(buildings)
    d = ScanDialog(qgis_iface, TaskRegistry(qgis_iface), LocalServer(), None)
    assert d.region_combo.currentLayer() is None  # buildings are polygons, not a region
    districts = QgsVectorLayer("Polygon?crs=EPSG:3857", "Admin districts", "memory")
    QgsProject.instance().addMapLayer(districts)
    assert (
        ScanDialog(qgis_iface, TaskRegistry(qgis_iface), LocalServer(), None).region_combo.currentLayer() is districts
    )
    saved = {"last_rate": 0.0}
    monkeypatch.setattr(PluginSettings, "load", classmethod(lambda cls: cls(**saved)))
    monkeypatch.setattr(PluginSettings, "save", lambda self: saved.update(vars(self)))

    class Done:  # a scan task's outcome, as _on_completed reads it
        out = world / "nowhere.gpkg"

        def __init__(self, scored, rate):
            self.result_data = {"tiles_per_s": rate, "scored_now": scored, "candidates": 0, "tiles": scored}

    monkeypatch.setattr("school_detector.gui.scan_dialog.show_results", lambda *a, **k: buildings)
    d._on_completed(Done(4, 3.0))
    assert saved["last_rate"] == 0.0  # 4 tiles: no rate to plan with
    d._on_completed(Done(RATE_MIN_TILES, 80.0))
    assert saved["last_rate"] == 80.0


def test_the_build_dialog_cuts_nothing_off_with_advanced_open(qgis_iface, qgis_new_project):
    from school_detector.gui.build_dataset_dialog import BuildDatasetDialog
    from school_detector.tasks.registry import TaskRegistry

    d = BuildDatasetDialog(qgis_iface, TaskRegistry(qgis_iface))
    d.show()
    for collapsed in (True, False):
        d.advanced.setCollapsed(collapsed)
        pump(0.2)
        assert d.scroll.widget().minimumSizeHint().width() <= d.scroll.viewport().width(), collapsed
    d.close()
