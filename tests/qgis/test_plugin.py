"""The plugin the way QGIS drives it: classFactory -> initGui -> actions -> unload."""

import sys

import pytest
from qgis.core import Qgis
from qgis.PyQt.QtWidgets import QToolBar

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
    critical = qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert any("ML runtime is not set up" in m for m in critical)


def test_every_action_triggers_without_error(plugin, qgis_iface, with_runtime):
    qgis_iface.messageBar().clear_messages()
    for action in plugin.actions.values():
        action.trigger()
    assert qgis_iface.messageBar().get_messages(Qgis.Critical) == []
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
