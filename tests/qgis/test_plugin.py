"""The plugin the way QGIS drives it: classFactory -> initGui -> actions -> unload."""

import sys

import pytest
from qgis.core import Qgis
from qgis.PyQt.QtWidgets import QPushButton, QToolBar

from school_detector.core.errors import RuntimeMissingError
from tests.qgis.conftest import flush_deletes

EXPECTED = [
    "Build training data…",
    "Train classifier…",
    "Scan current extent",
    "Scan region…",
    "Review detections",
    "Settings…",
]


def test_actions_toolbar_and_menu(qgis_iface, monkeypatch):
    import school_detector

    menu = []
    monkeypatch.setattr(qgis_iface, "addPluginToMenu", lambda name, a: menu.append((name, a)), raising=False)
    monkeypatch.setattr(qgis_iface, "removePluginMenu", lambda name, a: menu.remove((name, a)), raising=False)
    p = school_detector.classFactory(qgis_iface)
    p.initGui()
    assert [a.text() for a in p.actions.values()] == EXPECTED
    assert all(not a.icon().isNull() for a in p.actions.values())
    assert [a.text() for _, a in menu] == EXPECTED
    toolbars = qgis_iface.mainWindow().findChildren(QToolBar, "SchoolDetectorToolbar")
    assert len(toolbars) == 1 and [a.text() for a in toolbars[0].actions()] == EXPECTED
    from qgis.core import QgsApplication

    assert QgsApplication.processingRegistry().providerById("school_detector") is not None
    p.unload()
    flush_deletes()
    assert QgsApplication.processingRegistry().providerById("school_detector") is None
    assert menu == []
    assert p.actions == {}
    assert qgis_iface.mainWindow().findChildren(QToolBar, "SchoolDetectorToolbar") == []


def test_load_unload_twice_leaves_nothing(qgis_iface):
    import school_detector

    for _ in range(2):
        p = school_detector.classFactory(qgis_iface)
        p.initGui()
        p.on_settings()
        p.unload()
        flush_deletes()
    assert qgis_iface.mainWindow().findChildren(QToolBar, "SchoolDetectorToolbar") == []
    assert p.dialogs == {} and p.tasks.running == []


def test_actions_that_need_the_runtime_offer_to_set_it_up(plugin, qgis_iface, without_runtime):
    qgis_iface.messageBar().clear_messages()
    with pytest.raises(RuntimeMissingError, match="Set up ML runtime"):
        plugin.require_runtime()
    plugin.actions["train"].trigger()  # through the slot: shown, not raised
    plugin.actions["train"].trigger()  # twice: still one offer, not a stack of them
    bar = qgis_iface.messageBar()
    assert bar.get_messages(Qgis.MessageLevel.Critical) == []  # one message with a button, not also an error
    offers = [w for w in bar.items() if w.findChildren(QPushButton)]
    assert len(offers) == 1
    bar.popWidget(offers[0])  # the mapper closes the message without setting up
    plugin.actions["train"].trigger()  # the next action offers again, it is not left silent
    offers = [w for w in bar.items() if w.findChildren(QPushButton)]
    assert len(offers) == 1
    (button,) = offers[0].findChildren(QPushButton)
    assert button.text() == "Set up ML runtime…"
    button.click()
    assert plugin.dialogs["settings"].isVisible()
    from school_detector.notify import runtime_ready

    runtime_ready(qgis_iface)
    assert not [w for w in bar.items() if w.findChildren(QPushButton)]


def test_every_action_triggers_without_error(plugin, qgis_iface, with_runtime, monkeypatch):
    from school_detector.settings import PluginSettings

    monkeypatch.setattr(PluginSettings, "load", classmethod(lambda cls: cls()))  # a first run: no model yet
    qgis_iface.messageBar().clear_messages()
    for action in plugin.actions.values():
        action.trigger()
    assert qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Critical) == []
    assert plugin.dialogs["settings"].isVisible()


def test_tensorflow_never_enters_the_qgis_process(plugin, with_runtime):
    """Load the plugin, open every dialog, run a runtime job: TF stays in the subprocess."""
    from tests.qgis.conftest import wait_for_task

    for action in plugin.actions.values():
        action.trigger()
    dialog = plugin.dialogs["settings"]
    task = dialog.current_task or dialog.check_runtime()
    wait_for_task(task)
    assert dialog.last_info and dialog.last_info["tensorflow"]["available"]
    assert not [m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "tf_keras")]


def test_training_on_a_scan_only_runtime_offers_to_add_training(plugin, qgis_iface, monkeypatch, tmp_path):
    """A runtime without TensorFlow (scanning and review only): Train says so once, with a
    button that opens Settings on "Training too"."""
    from school_detector.runtime.install import TRAINING

    venv = tmp_path / "scan-runtime"
    (venv / "lib" / "python3.12" / "site-packages" / "onnxruntime").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.parent.mkdir()
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    monkeypatch.setenv("SCHOOL_DETECTOR_PYTHON", str(python))
    monkeypatch.setattr("school_detector.settings.managed_dir", lambda: tmp_path / "managed")
    bar = qgis_iface.messageBar()
    bar.clear_messages()
    with pytest.raises(RuntimeMissingError, match="Training too"):
        plugin.require_runtime(training=True)
    assert plugin.require_runtime() == python  # scanning is fine with it
    offers = [w for w in bar.items() if w.findChildren(QPushButton)]
    assert len(offers) == 1
    (button,) = offers[0].findChildren(QPushButton)
    assert button.text() == "Add training…"
    button.click()
    assert plugin.dialogs["settings"].flavour_combo.currentData() == TRAINING
    from school_detector.notify import runtime_ready

    runtime_ready(qgis_iface)


def test_the_packages_log_records_reach_the_qgis_log(plugin):
    """A warning logged anywhere in the package (a results file that can't be read) is in
    QGIS's log under "School detector" while the plugin is loaded, and no longer after."""
    import logging

    from qgis.core import QgsApplication

    seen = []
    log = QgsApplication.messageLog()
    log.messageReceived.connect(lambda message, tag, level: seen.append((message, tag, level)))
    logging.getLogger("school_detector.scan.store").warning("Could not read the probe.gpkg")
    assert ("Could not read the probe.gpkg", "School detector", Qgis.MessageLevel.Warning) in seen
    plugin.unload()
    seen.clear()
    logging.getLogger("school_detector.scan.store").warning("after unload")
    assert not [m for m in seen if m[0] == "after unload"]
