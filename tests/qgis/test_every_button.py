"""Every button a person can press, pressed as a person presses it: a mouse click through QTest
on the real widget (never a call to the slot), in every dialog, the review dock, the toolbar
and the message bar. Each click is checked for what it is for: a task started (or stopped),
a prompt shown, a file or a setting written. A dialog's button that no step here clicks fails
its test, so a new button comes with its check.

Qt's clicked(bool) once reached slots with optional parameters: Settings' "Set up ML runtime…"
raised TypeError and Scan trusted models without asking. Clicks (not slot calls) are what
catch that kind of bug; gui.signals and tests/unit/test_signals.py keep it from coming back.
"""

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from qgis.core import Qgis, QgsProject, QgsRasterLayer, QgsSettings, QgsTask, QgsVectorLayer
from qgis.gui import QgsAuthConfigSelect, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QGuiApplication
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QFileDialog, QMessageBox, QPushButton, QToolBar

from school_detector.core.training import TrainConfig
from school_detector.runtime.install import COMPLETE_MARKER
from school_detector.settings import PluginSettings
from school_detector.tasks.runtime_job import RuntimeJobTask
from school_detector.tasks.setup_runtime import SetupRuntimeTask
from tests.qgis.conftest import pump, wait_for_task
from tests.qgis.test_settings_dialog import closed_port

#: QGIS's own composite widgets: their inner buttons are QGIS's to test, not ours
QGIS_WIDGETS = (QgsFileWidget, QgsAuthConfigSelect, QgsMapLayerComboBox)


class Prompts:
    """Modal questions and file choosers answered the way a person would, in order, and kept
    (what was asked). A prompt nobody expected fails the test (as the autouse guard does)."""

    def __init__(self, monkeypatch):
        self.asked: list[tuple[str, str]] = []
        self.answers: dict[str, list] = {}
        for name in ("question", "warning", "information", "critical"):
            monkeypatch.setattr(QMessageBox, name, staticmethod(self._recorder(name)))
        for name in ("getExistingDirectory", "getOpenFileName", "getSaveFileName"):
            monkeypatch.setattr(QFileDialog, name, staticmethod(self._recorder(name)))
        from qgis.PyQt.QtGui import QDesktopServices

        monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(self._recorder("openUrl")))

    def _recorder(self, kind):
        def prompt(*args, **kwargs):
            text = " ".join(a if isinstance(a, str) else getattr(a, "toLocalFile", lambda: "")() for a in args)
            self.asked.append((kind, text))
            queue = self.answers.get(kind) or []
            assert queue, f"an unexpected {kind} prompt: {text}"
            return queue.pop(0)

        return prompt

    def answer(self, kind, *values):
        self.answers.setdefault(kind, []).extend(values)

    def kinds(self):
        return [k for k, _ in self.asked]


@pytest.fixture()
def prompts(monkeypatch):
    return Prompts(monkeypatch)


class Clicker:
    """QTest clicks, each remembered, so a surface's buttons can be checked all clicked."""

    def __init__(self):
        self.clicked: list[QPushButton] = []

    def __call__(self, button, settle=0.05):
        assert button.isVisible() and button.isEnabled(), f"{button.text()!r} can't be clicked now"
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        self.clicked.append(button)
        pump(settle)

    def missing(self, root):
        """Our push buttons under ``root`` that no step clicked."""
        return [b.text() for b in our_buttons(root) if not any(b is c for c in self.clicked)]


def our_buttons(root):
    found = []
    for button in root.findChildren(QPushButton):
        parent = button.parentWidget()
        while parent is not None and parent is not root and not isinstance(parent, QGIS_WIDGETS):
            parent = parent.parentWidget()
        if parent is root or parent is None:
            found.append(button)
    return found


def toolbar_button(qgis_iface, plugin, key):
    qgis_iface.mainWindow().show()  # as in QGIS: the toolbar and the docks are on screen
    (toolbar,) = qgis_iface.mainWindow().findChildren(QToolBar, "SchoolDetectorToolbar")
    return toolbar.widgetForAction(plugin.actions[key])


def press_tool(qgis_iface, plugin, key):
    """A click on the plugin's toolbar button, as in QGIS."""
    QTest.mouseClick(toolbar_button(qgis_iface, plugin, key), Qt.MouseButton.LeftButton)
    pump(0.05)


def watch(task):
    """How ``task`` ends ("completed" or "terminated"), kept past the task's deletion."""
    ended = []
    task.taskCompleted.connect(lambda: ended.append("completed"))
    task.taskTerminated.connect(lambda: ended.append("terminated"))
    return ended


def stopped(task, ended):
    """Cancelled by the click: the task ended without completing (its end signal comes from its
    worker thread: queued to this one, it may take a moment on a busy machine)."""
    wait_for_task(task, timeout=240)
    for _ in range(200):
        if ended:
            break
        pump(0.05)
    if ended:
        return ended == ["terminated"]
    try:  # no signal seen (a busy machine): the task's own status says how it ended
        return task.status() == QgsTask.TaskStatus.Terminated and task.isCanceled()
    except RuntimeError:  # deleted, and no signal: it cannot have completed unseen
        return True


@pytest.fixture()
def scene_layers(world, qgis_new_project, qgis_canvas):
    raster = QgsRasterLayer(str(world / "scene" / "scene.tif"), "scene")
    labels = QgsVectorLayer(f"{world / 'scene' / 'labels.gpkg'}|layername=labels", "labels", "ogr")
    assert raster.isValid() and labels.isValid()
    QgsProject.instance().addMapLayers([raster, labels])
    qgis_canvas.setDestinationCrs(raster.crs())
    qgis_canvas.setExtent(raster.extent())
    return raster, labels


def test_settings_buttons(plugin, qgis_iface, with_runtime, prompts, tmp_path):
    click = Clicker()
    try:
        press_tool(qgis_iface, plugin, "settings")
        d = plugin.dialogs["settings"]
        assert d.isVisible()
        if d.current_task is not None:  # opening checks the runtime by itself
            wait_for_task(d.current_task)
        QGuiApplication.clipboard().clear()
        click(d.diagnostics_button)
        assert "School detector" in QGuiApplication.clipboard().text() and d.log_view.toPlainText()

        prompts.answer("getOpenFileName", (str(with_runtime), ""))
        d.python_edit.clear()
        click(d.browse_button)
        assert prompts.kinds() == ["getOpenFileName"] and d.python_edit.text() == str(with_runtime)

        click(d.check_button)
        task = d.current_task
        assert isinstance(task, RuntimeJobTask) and task.args == ["info"]
        wait_for_task(task)
        assert d.state_label.text().startswith("Python 3"), d.state_label.text()

        click(d.test_button)
        task = d.current_task
        assert isinstance(task, RuntimeJobTask) and task.args == ["selftest"]
        ended = watch(task)
        click(d.cancel_button)
        assert stopped(task, ended) and "ancel" in d.log_view.toPlainText()

        index = f"http://127.0.0.1:{closed_port()}/simple"
        d.index_edit.setText(index)
        click(d.setup_button)  # the button once raised TypeError: 'bool' object is not iterable
        task = d.current_task
        assert isinstance(task, SetupRuntimeTask) and task.pip_args == ["--index-url", index]
        ended = watch(task)
        click(d.cancel_button)
        assert stopped(task, ended)
        assert not (task.target_dir / COMPLETE_MARKER).exists()

        click(d.button_box.button(d.button_box.StandardButton.Save))
        assert not d.isVisible()
        assert QgsSettings().value("school_detector/runtime_python") == str(with_runtime)
        assert QgsSettings().value("school_detector/pip_index_url") == index
        press_tool(qgis_iface, plugin, "settings")
        assert d.isVisible()  # the same dialog again
        click(d.button_box.button(d.button_box.StandardButton.Close))
        assert not d.isVisible()
        assert not click.missing(d)
    finally:
        for key in ("runtime_python", "pip_index_url"):
            QgsSettings().remove(f"school_detector/{key}")


def test_build_dialog_buttons(plugin, qgis_iface, scene_layers, prompts, tmp_path):
    raster, labels = scene_layers
    click = Clicker()
    press_tool(qgis_iface, plugin, "build_data")
    d = plugin.dialogs["build_data"]
    d.layer_combo.setLayer(labels)
    d.field_combo.setField("label")
    d.imagery_combo.setLayer(raster)
    d.folder_widget.setFilePath(str(tmp_path / "cancelled"))
    click(d.preview_button)
    assert "Preview of 4 chips" in d.status_label.text()
    assert all(not label.pixmap().isNull() for label in d.preview_labels)

    click(d.run_button, settle=0)
    task = d.current_task
    assert task is not None and not d.run_button.isEnabled()
    ended = watch(task)
    click(d.cancel_button)
    assert stopped(task, ended) and "ancel" in d.status_label.text()

    d.folder_widget.setFilePath(str(tmp_path / "ds"))
    click(d.run_button)
    wait_for_task(d.current_task or task)
    info = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert info["complete"] and "chips in" in d.status_label.text()
    assert "labels in the same tile as another were merged" in d.status_label.text()
    assert QgsProject.instance().mapLayer(d.footprints_layer_id) is not None
    click(d.panel.close_button)
    assert not d.isVisible()
    assert not click.missing(d)


def test_train_dialog_buttons(plugin, qgis_iface, with_runtime, world, prompts, tmp_path, monkeypatch):
    saved = {}
    monkeypatch.setattr(PluginSettings, "load", classmethod(lambda cls: cls(**saved)))
    monkeypatch.setattr(PluginSettings, "save", lambda self: saved.update(vars(self)))
    click = Clicker()
    press_tool(qgis_iface, plugin, "train")
    d = plugin.dialogs["train"]
    d.data_widget.setFilePath(str(world / "data"))
    d.set_config(TrainConfig(backbone="tiny", weights="none", input_size=32, epochs=1, fine_tune_epochs=0))
    d.out_widget.setFilePath(str(tmp_path / "model"))

    click(d.train_button, settle=0)
    task = d.current_task
    assert isinstance(task, RuntimeJobTask) and task.args[0] == "train"
    ended = watch(task)
    click(d.cancel_button)
    assert stopped(task, ended)

    click(d.train_button)
    task = d.current_task
    wait_for_task(task, timeout=300)
    assert task.error is None, task.error and task.error.details
    report = Path(d.last_result["report"])
    prompts.answer("openUrl", True)
    click(d.report_button)
    assert prompts.asked == [("openUrl", str(report))] and report.is_file()
    click(d.use_button)
    assert saved["model_dir"] == d.last_result["model_dir"]
    assert d.status_label.text().startswith("Scans will use")  # said in the dialog, where the click was
    assert str(Path(saved["model_dir"]).resolve()) in saved["trusted_models"]  # trained here
    click(d.panel.close_button)
    assert not d.isVisible()
    assert not click.missing(d)


def test_scan_dialog_buttons(plugin, qgis_iface, with_runtime, world, scene_layers, prompts, tmp_path, monkeypatch):
    """A model folder nobody trusted yet: Scan asks first (No: nothing starts, nothing is
    trusted), then asks about the size (No: not started), then scans; Cancel stops it."""
    raster, _ = scene_layers
    model = tmp_path / "someone-elses-model"
    shutil.copytree(world / "model", model)
    saved = {"ask_above_tiles": 1}
    monkeypatch.setattr(PluginSettings, "load", classmethod(lambda cls: cls(**saved)))
    monkeypatch.setattr(PluginSettings, "save", lambda self: saved.update(vars(self)))
    click = Clicker()
    press_tool(qgis_iface, plugin, "scan_region")
    d = plugin.dialogs["scan"]
    d.model_widget.setFilePath(str(model))
    d.imagery_combo.setLayer(raster)
    d.out_widget.setFilePath(str(tmp_path / "first.gpkg"))

    prompts.answer("warning", QMessageBox.StandardButton.No)
    click(d.scan_button)
    assert prompts.kinds() == ["warning"] and "runs its code" in prompts.asked[-1][1]
    assert d.current_task is None and not saved.get("trusted_models")
    assert "not trusted" in d.status_label.text()

    prompts.answer("warning", QMessageBox.StandardButton.Yes)
    prompts.answer("question", QMessageBox.StandardButton.No)
    click(d.scan_button)
    assert prompts.kinds()[1:] == ["warning", "question"] and "Start it?" in prompts.asked[-1][1]
    assert d.current_task is None and d.status_label.text().startswith("Not started")
    assert saved["trusted_models"] == [str(model.resolve())]  # the person's yes, remembered

    prompts.answer("question", QMessageBox.StandardButton.Yes)
    click(d.scan_button, settle=0)
    task = d.current_task
    assert task is not None and prompts.kinds()[-1] == "question"  # trusted now: asked only the size
    ended = watch(task)
    click(d.cancel_button)
    assert stopped(task, ended) and "cancel" in d.status_label.text().lower()

    prompts.answer("question", QMessageBox.StandardButton.Yes)
    d.out_widget.setFilePath(str(tmp_path / "second.gpkg"))
    click(d.scan_button)
    task = d.current_task
    wait_for_task(task, timeout=300)
    assert task.error is None, task.error and task.error.message
    layer = QgsProject.instance().mapLayer(d.result_layer_id)
    assert layer is not None and layer.featureCount() == d.last_result["candidates"]
    click(d.panel.close_button)
    assert not d.isVisible()
    assert not click.missing(d)


@pytest.fixture()
def scanned(world, runtime_python, scene_layers, tmp_path):
    out = tmp_path / "scan.gpkg"
    subprocess.run(
        [str(runtime_python), "-m", "school_detector.cli", "scan", "--imagery", str(world / "scene" / "scene.tif"),
         "--model", str(world / "model"), "--threshold", "0.2", "--out", str(out)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return out


def statuses(path):
    with sqlite3.connect(path) as c:
        return dict(c.execute("SELECT fid, status FROM candidates"))


def test_review_dock_buttons(plugin, qgis_iface, world, scanned, prompts, tmp_path):
    from school_detector.qgis_io.results import load_results

    candidates, _ = load_results(scanned, "candidates")
    qgis_iface.setActiveLayer(candidates)
    click = Clicker()
    press_tool(qgis_iface, plugin, "review")
    dock = plugin.review_dock
    assert dock.isVisible() and dock.layer is candidates
    dock.places_check.setChecked(False)  # one candidate per decision: each click is one row
    assert len(dock.queue) >= 4, "the scene gives enough candidates for every decision button"
    first, second, third, fourth = (dock.queue[k][0] for k in range(4))
    click(dock.buttons["confirm"])
    click(dock.buttons["reject"])
    click(dock.buttons["unsure"])
    saved = statuses(scanned)
    assert (saved[first], saved[second], saved[third]) == ("confirmed", "rejected", "unsure")
    click(dock.buttons["back"])
    assert statuses(scanned)[third] == "unreviewed" and dock.current_fid() == third
    click(dock.buttons["skip"])
    assert dock.current_fid() == fourth

    out = tmp_path / "schools.geojson"
    prompts.answer("getSaveFileName", (str(out), ""))
    click(dock.export_button)
    exported = json.loads(out.read_text())
    assert [f["properties"]["status"] for f in exported["features"]] == ["confirmed"]

    data = tmp_path / "data"
    shutil.copytree(world / "data", data)
    with sqlite3.connect(scanned) as c:  # every other candidate decided too: a job long enough to cancel
        c.execute("UPDATE candidates SET status = 'rejected' WHERE status = 'unreviewed' AND fid % 2 = 0")
    prompts.answer("getExistingDirectory", str(data), str(data))
    click(dock.training_button, settle=0)
    task = dock.training_panel.current_task
    assert task is not None
    ended = watch(task)
    click(dock.training_panel.cancel_button)
    assert stopped(task, ended)
    rows = len((data / "manifest.csv").read_text().splitlines())
    click(dock.training_button)
    wait_for_task(dock.training_panel.current_task or task)
    said = dock.training_panel.status_label.text()
    added = len((data / "manifest.csv").read_text().splitlines()) - rows
    assert added >= 1 and said.startswith(f"Added {added} chips"), said

    other = QgsVectorLayer("Point?crs=EPSG:3857&field=score:double", "from another tool", "memory")
    QgsProject.instance().addMapLayer(other)
    dock.set_layer(other)
    click(dock.fix_button)
    assert other.fields().indexOf("status") >= 0 and not dock.fix_button.isVisible()
    assert not click.missing(dock)
    dock.set_layer(None)


def test_toolbar_and_message_bar_buttons(plugin, qgis_iface, world, scene_layers, monkeypatch, tmp_path):
    """Each toolbar button opens its dialog or starts its job; with no runtime, Train offers to
    set one up, and the offer's button opens Settings."""
    monkeypatch.delenv("SCHOOL_DETECTOR_PYTHON", raising=False)
    monkeypatch.setattr("school_detector.settings.managed_dir", lambda: tmp_path / "managed")
    saved = {"trusted_models": [str((world / "model").resolve())], "model_dir": str(world / "model")}
    saved["results_dir"] = str(tmp_path)
    monkeypatch.setattr(PluginSettings, "load", classmethod(lambda cls: cls(**saved)))
    monkeypatch.setattr(PluginSettings, "save", lambda self: saved.update(vars(self)))
    bar = qgis_iface.messageBar()
    bar.clear_messages()
    press_tool(qgis_iface, plugin, "train")
    offers = [w for w in bar.items() if w.findChildren(QPushButton)]
    assert len(offers) == 1 and "train" not in plugin.dialogs
    (offer,) = offers[0].findChildren(QPushButton)
    QTest.mouseClick(offer, Qt.MouseButton.LeftButton)
    pump()
    assert plugin.dialogs["settings"].isVisible()
    from tests.paths import RUNTIME_PYTHON

    monkeypatch.setenv("SCHOOL_DETECTOR_PYTHON", str(RUNTIME_PYTHON))
    for key in ("build_data", "train", "scan_region", "settings"):
        press_tool(qgis_iface, plugin, key)
        assert plugin.dialogs[{"scan_region": "scan"}.get(key, key)].isVisible(), key
    press_tool(qgis_iface, plugin, "scan_extent")
    task = plugin.dialogs["scan"].current_task
    assert task is not None, plugin.dialogs["scan"].status_label.text()
    wait_for_task(task, timeout=300)
    assert task.error is None and Path(task.out).is_file()
    press_tool(qgis_iface, plugin, "review")
    assert plugin.review_dock is not None and plugin.review_dock.isVisible()
    assert bar.get_messages(Qgis.MessageLevel.Critical) == []
