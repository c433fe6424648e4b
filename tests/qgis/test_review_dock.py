"""The review dock driven like a mapper: keyboard decisions saved at once, back, filters, and
a layer from another tool."""

import sqlite3

import pytest
from qgis.core import QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest

from school_detector.core.gpkg import GeoPackage
from school_detector.core.tiles import Tile
from school_detector.gui.review_dock import ReviewDock
from school_detector.qgis_io.results import load_results
from school_detector.scan.store import ResultStore


@pytest.fixture()
def results(tmp_path, qgis_new_project):
    path = tmp_path / "r.gpkg"
    store = ResultStore(path, "schools:1", 0.5)
    store.commit(zip([Tile(1000 + i, 2000, 18) for i in range(5)], [0.95, 0.9, 0.8, 0.7, 0.6]))
    store.close()
    return path


def statuses(path):
    with sqlite3.connect(path) as c:
        return dict(c.execute("SELECT tile, status FROM candidates"))


def test_keyboard_review_saves_every_decision_at_once(qgis_iface, results):
    layer, _ = load_results(results)
    dock = ReviewDock(qgis_iface)
    dock.places_check.setChecked(False)  # one candidate at a time (places: test_review_workflow)
    dock.set_layer(layer)
    dock.show()
    assert [layer.getFeature(g[0])["score"] for g in dock.queue] == [0.95, 0.9, 0.8, 0.7, 0.6]  # highest first
    dock.note_edit.setText("big yard, pitch")
    for key in (Qt.Key.Key_Y, Qt.Key.Key_N, Qt.Key.Key_U):
        QTest.keyClick(dock.widget(), key)
    saved = statuses(results)  # straight from the file: nothing waits for a "save"
    assert saved["18/1000/2000"] == "confirmed" and saved["18/1001/2000"] == "rejected"
    assert saved["18/1002/2000"] == "unsure" and saved["18/1003/2000"] == "unreviewed"
    with sqlite3.connect(results) as c:
        note, reviewer, at = c.execute(
            "SELECT note, reviewer, reviewed_at FROM candidates WHERE tile='18/1000/2000'"
        ).fetchone()
    assert note == "big yard, pitch" and reviewer and at.endswith("+00:00")
    QTest.keyClick(dock.widget(), Qt.Key.Key_B)  # back: undo "unsure"
    assert statuses(results)["18/1002/2000"] == "unreviewed"
    QTest.keyClick(dock.widget(), Qt.Key.Key_S)  # skip it
    QTest.keyClick(dock.widget(), Qt.Key.Key_N)
    assert statuses(results)["18/1003/2000"] == "rejected"
    assert "Reviewed 3/5" in dock.stats_label.text()
    # reopen from disk, as after closing QGIS: the decisions are there, the queue skips them
    QgsProject.instance().removeAllMapLayers()
    layer2, _ = load_results(results)
    dock.set_layer(layer2)
    assert len(dock.queue) == 2  # unreviewed only by default
    dock.status_combo.setCurrentIndex(dock.status_combo.findData("confirmed"))
    assert len(dock.queue) == 1
    dock.status_combo.setCurrentIndex(dock.status_combo.findData(""))
    dock.set_threshold(0.85)
    assert len(dock.queue) == 2


def test_keys_work_after_a_click_on_the_list_or_the_map_but_not_in_the_note(qgis_iface, results):
    """The queue list would take letters for its type-to-search and the map canvas has the
    focus while a mapper looks: Y/N still decide there. A note is typed, not decided."""
    layer, _ = load_results(results)
    dock = ReviewDock(qgis_iface)
    dock.places_check.setChecked(False)
    dock.set_layer(layer)
    dock.show()
    rows = dock.queue_list
    QTest.mouseClick(rows.viewport(), Qt.MouseButton.LeftButton, pos=rows.visualItemRect(rows.item(0)).center())
    QTest.keyClick(rows, Qt.Key.Key_Y)
    assert statuses(results)["18/1000/2000"] == "confirmed"
    canvas = qgis_iface.mapCanvas()
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton)
    QTest.keyClick(canvas, Qt.Key.Key_N)
    assert statuses(results)["18/1001/2000"] == "rejected"
    dock.note_edit.setFocus()
    QTest.keyClicks(dock.note_edit, "Yes by the new road, no sign")
    assert dock.note_edit.text() == "Yes by the new road, no sign"
    assert sorted(statuses(results).values()).count("unreviewed") == 3  # typing decided nothing
    dock.hide()  # a closed dock leaves the map's keys alone
    QTest.keyClick(canvas, Qt.Key.Key_Y)
    assert sorted(statuses(results).values()).count("unreviewed") == 3


def test_a_geopackage_from_another_tool_gets_the_fields_it_lacks(qgis_iface, tmp_path, qgis_new_project):
    path = tmp_path / "other.gpkg"
    with GeoPackage(path) as g:
        g.create_feature_table("candidates", "POINT", 3857, [("score", "REAL")])
        g.insert_features("candidates", [((0.0, 0.0), {"score": 0.8})])
    layer = QgsVectorLayer(f"{path}|layername=candidates", "other", "ogr")
    QgsProject.instance().addMapLayer(layer)
    dock = ReviewDock(qgis_iface)
    dock.set_layer(layer)
    assert "lacks the fields" in dock.current_label.text() and not dock.fix_button.isHidden()
    dock.add_missing_fields()
    assert dock.fix_button.isHidden()
    names = {f.name() for f in layer.fields()}
    assert {"status", "reviewer", "reviewed_at", "note", "tile"} <= names


def test_the_plugin_opens_the_dock_on_the_active_candidates(qgis_iface, results):
    import school_detector

    layer, _ = load_results(results)
    qgis_iface.setActiveLayer(layer)
    plugin = school_detector.classFactory(qgis_iface)
    plugin.initGui()
    try:
        plugin.actions["review"].trigger()
        assert plugin.review_dock is not None and plugin.review_dock.layer is layer
        assert sum(len(place) for place in plugin.review_dock.queue) == 5  # every candidate, in places
    finally:
        plugin.unload()
    assert plugin.review_dock is None


def test_a_candidate_beside_a_mapped_school_is_queued_with_its_distance(qgis_iface, tmp_path, qgis_new_project):
    """A new school 100 m from a mapped one: in the queue, saying how far the mapped one is, so
    the mapper tells a second school from the same one seen again."""
    from school_detector.core.places import KnownSchools, chip_point, ground_scale
    from school_detector.core.results import Prediction
    from school_detector.core.tiles import bounds_3857
    from school_detector.scan.store import PlaceRules

    tile, east = Tile(152970, 132500, 18), Tile(152971, 132500, 18)
    mapped = chip_point(bounds_3857(tile), 0.9, 0.5)
    b = bounds_3857(east)
    new_x = mapped[0] + 100 / ground_scale(mapped[1])
    path = tmp_path / "r.gpkg"
    store = ResultStore(path, "schools:1", 0.5, PlaceRules(KnownSchools([mapped])))
    store.commit(
        [(tile, Prediction(0.9, 0.9, 0.5)), (east, Prediction(0.95, (new_x - b.west) / (b.east - b.west), 0.5))]
    )
    store.close()
    layer, _ = load_results(path)
    dock = ReviewDock(qgis_iface)
    dock.set_layer(layer)
    assert len(dock.queue) == 1  # the mapped school's own candidate is set aside, its neighbour is not
    assert dock.queue_list.item(0).text().endswith("· 100 m from a mapped school")
    assert "100 m from a mapped school" in dock.current_label.text()
    dock.set_layer(None)
