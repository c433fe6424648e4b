"""The review panel's working tools, driven like mappers do: the live threshold, places, the
walk order, splitting a queue between two mappers and merging, the chip preview, export,
adding decisions to the training data, and files that are read-only or written elsewhere."""

import csv
import hashlib
import json
import os
import sqlite3
import subprocess
import time

import numpy as np
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsMarkerSymbol,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsSingleSymbolRenderer,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest

from school_detector.core.progress import Reporter
from school_detector.core.results import ReviewStatus
from school_detector.core.tiles import Tile, bounds_3857, tile_for_xy
from school_detector.dataset.builder import BuildOptions, build_dataset
from school_detector.dataset.labels_io import LabelMapping, read_labels
from school_detector.gui.review_dock import ReviewDock
from school_detector.qgis_io.layer_source import QgisLayerSource, qimage_save_png, qimage_to_rgba
from school_detector.qgis_io.results import SCORE_CLASSES, STATUS_SYMBOLS, THRESHOLD_VARIABLE, load_results
from school_detector.qgis_io.review_layer import has_threshold_rule, threshold_of
from school_detector.sample.scene import SceneSpec, write_scene
from school_detector.scan.store import ResultStore, merge
from tests.qgis.conftest import flush_deletes, pump, wait_for_task

PLACE = [Tile(1000, 2000, 18), Tile(1001, 2000, 18), Tile(1001, 2001, 18)]  # touching tiles: one school
SCORED = [
    (PLACE[0], 0.95),
    (PLACE[1], 0.9),
    (PLACE[2], 0.7),
    (Tile(1010, 2000, 18), 0.8),
    (Tile(1020, 2005, 18), 0.6),
    (Tile(1030, 2010, 18), 0.55),
    (Tile(1040, 2000, 18), 0.4),  # below the scan's threshold: only in the kept scores
    (Tile(1041, 2020, 18), 0.2),
]


def make_results(path, scored=SCORED):
    store = ResultStore(path, "schools:1", 0.5)
    store.set_info({"threshold": 0.5, "zoom": 18, "supertile": False})
    store.commit(scored)
    store.close()
    return path


def rows(path):
    with sqlite3.connect(path) as c:
        return {t: (s, r) for t, s, r in c.execute("SELECT tile, status, reviewer FROM candidates")}


@pytest.fixture()
def results(tmp_path, qgis_new_project):
    return make_results(tmp_path / "r.gpkg")


DOCKS = []


@pytest.fixture(autouse=True)
def close_docks(qgis_iface):
    """Docks go before their layers, and before the next test (a late garbage collection of
    Qt objects whose layers QGIS already deleted would crash); the test canvas, which pans
    with the dock, stops drawing before its layers go."""
    yield
    canvas = qgis_iface.mapCanvas()
    canvas.stopRendering()
    canvas.setLayers([])
    while DOCKS:
        dock = DOCKS.pop()
        dock.set_layer(None)
        dock.close()
        dock.deleteLater()
    QgsProject.instance().removeAllMapLayers()
    flush_deletes()


def open_dock(qgis_iface, path):
    layer, footprints = load_results(path)
    dock = ReviewDock(qgis_iface)
    DOCKS.append(dock)
    dock.places_check.setChecked(False)  # one candidate at a time, unless a test asks for places
    dock.set_layer(layer)
    dock.show()
    return dock, layer, footprints


def threshold_filter(layer):
    """(the filter the threshold rule applies now, what it means, rules under it), or None."""
    if not has_threshold_rule(layer):
        return None
    rule = layer.renderer().rootRule().children()[0]
    threshold = threshold_of(layer) or 0.0
    if threshold <= 0:
        return "", "all scores", len(rule.children())
    applied = rule.filterExpression().replace(f"coalesce(@{THRESHOLD_VARIABLE}, 0)", f"{threshold:.4f}")
    return applied, f"score ≥ {threshold:.2f}", len(rule.children())


def test_threshold_is_a_live_layer_filter_that_can_go_below_the_scan(qgis_iface, results):
    dock, layer, footprints = open_dock(qgis_iface, results)
    assert dock.threshold_slider.value() == 50 and len(dock.queue) == 6
    dock.set_threshold(0.85)
    for each in (layer, footprints):  # the style filters both layers; the data stays whole
        rules = len(STATUS_SYMBOLS) + len(SCORE_CLASSES)  # the review style: status and score classes
        assert threshold_filter(each) == ('"score" >= 0.8500', "score ≥ 0.85", rules if each is layer else 1)
        assert each.featureCount() == 6
    assert len(dock.queue) == 2
    dock.set_threshold(0.3)  # below the scan's 0.5: candidates come from the kept scores, no rescan
    assert len(dock.queue) == 7 and len(rows(results)) == 7
    layer.setRenderer(QgsSingleSymbolRenderer(QgsMarkerSymbol.createSimple({"color": "blue"})))  # restyled
    dock.set_threshold(0.6)
    assert threshold_filter(layer) == ('"score" >= 0.6000', "score ≥ 0.60", 1)  # the mapper's style, filtered
    dock.threshold_slider.setValue(92)  # the slider itself: filters once it rests
    pump(0.6)
    assert len(dock.queue) == 1 and dock.threshold_label.text() == "≥ 0.92"
    # reopened later, the layer keeps its filter and the file its lower floor
    QgsProject.instance().removeAllMapLayers()
    dock2, _, _ = open_dock(qgis_iface, results)
    assert dock2.threshold_slider.value() == 30 and len(dock2.queue) == 7


def test_one_decision_per_site_and_back_undoes_the_whole_site(qgis_iface, results, tmp_path):
    dock, _, _ = open_dock(qgis_iface, results)
    dock.places_check.setChecked(True)
    assert [len(g) for g in dock.queue] == [3, 1, 1, 1]
    assert "a place of 3 tiles" in dock.current_label.text()
    QTest.keyClick(dock.widget(), Qt.Key.Key_Y)
    assert all(rows(results)[t.id][0] == "confirmed" for t in PLACE)
    QTest.keyClick(dock.widget(), Qt.Key.Key_B)
    assert all(rows(results)[t.id][0] == "unreviewed" for t in PLACE)
    for key in (Qt.Key.Key_Y, Qt.Key.Key_Y, Qt.Key.Key_N):
        QTest.keyClick(dock.widget(), key)
    assert rows(results)["18/1010/2000"][0] == "confirmed" and rows(results)["18/1020/2005"][0] == "rejected"
    res = dock.export_to(tmp_path / "schools.geojson")
    features = json.loads((tmp_path / "schools.geojson").read_text())["features"]
    assert res["exported"] == 2 and sorted(f["properties"]["place_tiles"] for f in features) == [1, 3]
    assert res["review_precision"] == pytest.approx(4 / 5)  # per tile: 4 confirmed, 1 rejected
    dock.places_check.setChecked(False)
    dock.export_to(tmp_path / "schools.csv")
    exported = list(csv.DictReader((tmp_path / "schools.csv").open()))
    assert sorted(r["tile"] for r in exported) == sorted([t.id for t in PLACE] + ["18/1010/2000"])
    assert dock.export_to(tmp_path / "schools.shp") is None  # an unknown format: a message, no file
    assert not (tmp_path / "schools.shp").exists()


def test_nearest_first_walks_from_the_map_centre(qgis_iface, qgis_canvas, results):
    dock, layer, _ = open_dock(qgis_iface, results)  # the map goes to the best candidate...
    QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    qgis_canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    b = bounds_3857(Tile(1030, 2010, 18))  # ...and the mapper pans elsewhere
    qgis_canvas.setExtent(QgsRectangle(b.west, b.south, b.east, b.north))
    dock.order_combo.setCurrentIndex(dock.order_combo.findData("nearest"))
    tiles = [layer.getFeature(g[0])["tile"] for g in dock.queue]
    assert tiles[:2] == ["18/1030/2010", "18/1020/2005"] and len(tiles) == 6


def test_two_mappers_split_the_queue_and_their_files_merge_without_conflicts(qgis_iface, results, tmp_path):
    import shutil

    copies = [tmp_path / "ana.gpkg", tmp_path / "ben.gpkg"]
    seen = []
    for part, copy in enumerate(copies, start=1):
        shutil.copy(results, copy)
        dock, _, _ = open_dock(qgis_iface, copy)
        dock.reviewer = copy.stem
        dock.places_check.setChecked(True)
        dock.share_combo.setCurrentIndex(dock.share_combo.findData("stride"))
        dock.parts_spin.setValue(2)
        dock.part_spin.setValue(part)
        seen.append({fid for g in dock.queue for fid in g})
        for _ in range(len(dock.queue)):
            QTest.keyClick(dock.widget(), Qt.Key.Key_Y)
        QgsProject.instance().removeAllMapLayers()
    assert not seen[0] & seen[1] and len(seen[0] | seen[1]) == 6  # disjoint, together everything
    counts = merge(tmp_path / "all.gpkg", [results, *copies])
    assert counts["conflicts"] == 0 and counts["candidates"] == 6
    merged = rows(tmp_path / "all.gpkg")
    assert {s for s, _ in merged.values()} == {"confirmed"}
    assert {r for _, r in merged.values()} == {"ana", "ben"}
    assert merged[PLACE[0].id][1] == merged[PLACE[2].id][1]  # a place stays with one mapper


def test_a_decision_made_elsewhere_meanwhile_is_not_silently_overwritten(qgis_iface, results):
    dock, layer, _ = open_dock(qgis_iface, results)
    first = layer.getFeature(dock.current_fid())["tile"]
    with sqlite3.connect(results) as c:  # another QGIS (or a merge) decides the same candidate
        c.execute("UPDATE candidates SET status='confirmed', reviewer='bob' WHERE tile=?", (first,))
    assert not dock.decide(ReviewStatus.REJECTED)
    assert "confirmed by bob" in dock.current_label.text() and rows(results)[first] == ("confirmed", "bob")
    assert dock.decide(ReviewStatus.REJECTED)  # pressed again: the mapper means it
    assert rows(results)[first][0] == "rejected"
    # a writer holding the file locked: a clear message, nothing half-written, fine once it lets go
    second = layer.getFeature(dock.current_fid())["tile"]
    lock = sqlite3.connect(results, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    start = time.monotonic()
    try:
        assert not dock.decide(ReviewStatus.CONFIRMED)
        assert "locked" in dock.current_label.text()
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert time.monotonic() - start < 30  # QGIS is not frozen for long
    assert rows(results)[second][0] == "unreviewed"
    assert dock.decide(ReviewStatus.CONFIRMED) and rows(results)[second][0] == "confirmed"


def make_read_only(path):
    """chmod for ordinary users; for root (CI containers), the immutable attribute too."""
    os.chmod(path, 0o444)
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True, capture_output=True)
    with pytest.raises(OSError):
        open(path, "r+b").close()  # the precondition: the file really is read-only


def test_a_read_only_file_says_so_and_changes_nothing(qgis_iface, results):
    make_read_only(results)
    digest = hashlib.sha256(results.read_bytes()).hexdigest()
    try:
        dock, _, _ = open_dock(qgis_iface, results)
        assert len(dock.queue) == 6  # still reviewable to read
        assert not dock.decide(ReviewStatus.CONFIRMED)
        assert "read-only" in dock.current_label.text() and dock.position == 0
        QgsProject.instance().removeAllMapLayers()
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(results)], check=True)
        os.chmod(results, 0o644)
    assert hashlib.sha256(results.read_bytes()).hexdigest() == digest


@pytest.fixture()
def scene(tmp_path, qgis_new_project):
    write_scene(SceneSpec(tiles=8, seed=5), tmp_path / "scene")
    layer = QgsRasterLayer(str(tmp_path / "scene" / "scene.tif"), "scene")
    QgsProject.instance().addMapLayer(layer)
    return layer


def scene_tiles(layer, n):
    e = layer.extent()
    first = tile_for_xy(e.xMinimum() + 1, e.yMaximum() - 1, 18)
    return [Tile(first.x + i, first.y + j, 18) for j in range(8) for i in range(8)][:n]


def test_chip_preview_shows_what_the_model_saw(qgis_iface, scene, tmp_path):
    tiles = scene_tiles(scene, 3)
    path = make_results(tmp_path / "r.gpkg", [(tiles[0], 0.9), (tiles[2], 0.8)])
    dock, _, _ = open_dock(qgis_iface, path)
    assert dock.preview_label.isHidden()
    dock.imagery_combo.setLayer(scene)
    dock.preview_check.setChecked(True)
    for _ in range(500):  # drawn in the background: the dock never waits for the imagery
        pump(0.02)
        if not dock.preview_label.isHidden():
            break
    assert not dock.preview_label.isHidden()
    shown = qimage_to_rgba(dock.preview_label.pixmap().toImage())[..., :3].astype(float)
    source = QgisLayerSource(scene)
    chip = source.read(bounds_3857(tiles[0]), 256).rgb.astype(float)
    source.close()
    assert shown.shape == (160, 160, 3)
    # the same picture, scaled: same colours overall and quadrant by quadrant
    for a, b in ((0, 80), (80, 160), (0, 160)):  # preview rows/columns a:b are chip pixels a*1.6:b*1.6
        small = shown[a:b, a:b].mean(axis=(0, 1))
        big = chip[a * 256 // 160 : b * 256 // 160, a * 256 // 160 : b * 256 // 160].mean(axis=(0, 1))
        assert np.abs(small - big).max() < 6
    assert tiles[0].id in dock.preview_label.toolTip()


def test_add_reviewed_to_training_data_from_the_panel(qgis_iface, scene, tmp_path):
    points, _ = read_labels(tmp_path / "scene" / "labels.gpkg", LabelMapping())
    source = QgisLayerSource(scene)
    build_dataset(points, source, tmp_path / "data", BuildOptions(), Reporter("callback"), save_png=qimage_save_png)
    source.close()
    present = {r["tile"] for r in csv.DictReader((tmp_path / "data" / "manifest.csv").open())}
    fresh = [t for t in scene_tiles(scene, 64) if t.id not in present][:4]
    path = make_results(tmp_path / "r.gpkg", [(t, 0.9) for t in fresh])
    dock, _, _ = open_dock(qgis_iface, path)
    for key in (Qt.Key.Key_Y, Qt.Key.Key_N, Qt.Key.Key_Y, Qt.Key.Key_U):
        QTest.keyClick(dock.widget(), key)
    assert dock.add_to_training(tmp_path / "data") is None  # no imagery chosen yet: says so
    dock.imagery_combo.setLayer(scene)
    task = dock.add_to_training(tmp_path / "data")
    wait_for_task(task, 120)
    assert task.error is None, task.error
    assert task.result_data["by_label"] == {"school": 2, "not-school": 1}
    info = json.loads((tmp_path / "data" / "dataset.json").read_text())
    assert info["dataset_version"] == 2
    added = [r for r in csv.DictReader((tmp_path / "data" / "manifest.csv").open()) if r["origin"].startswith("review")]
    assert len(added) == 3 and all((tmp_path / "data" / r["file"]).is_file() for r in added)
    assert "Added 3 chips" in dock.training_panel.status_label.text()
    again = dock.add_to_training(tmp_path / "data")  # the same decisions again: says why nothing is added
    wait_for_task(again, 120)
    assert again.result_data["added"] == 0
    assert "Nothing new to add" in dock.training_panel.status_label.text()
    said = dock.training_panel.status_label.text()
    assert "already in the dataset as school" in said and "already in the dataset as not-school" in said
