"""Settings…: runtime location and state, and the managed set-up (offline path for real)."""

import socket

from school_detector.core.errors import RuntimeSetupError
from school_detector.gui.settings_dialog import SettingsDialog, describe_info
from school_detector.tasks.registry import TaskRegistry
from school_detector.tasks.setup_runtime import SetupRuntimeTask
from tests.qgis.conftest import wait_for_task


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_shows_where_the_runtime_is_and_what_it_has(qgis_iface, with_runtime):
    dialog = SettingsDialog(qgis_iface, TaskRegistry())
    assert "from env" in dialog.location_label.text() and str(with_runtime) in dialog.location_label.text()
    task = dialog.check_runtime()
    assert not dialog.check_button.isEnabled()  # one job at a time
    wait_for_task(task)
    text = dialog.state_label.text()
    assert "TensorFlow 2.21" in text and "Python 3." in text and ("GPU" in text)
    assert dialog.check_button.isEnabled() and dialog.progress.value() == 100
    # Diagnostics, after the check: versions, TF and GPUs, the last errors; secrets masked
    from qgis.core import Qgis
    from qgis.PyQt.QtGui import QGuiApplication

    from school_detector.notify import RECENT_ERRORS
    from school_detector.version import __version__

    RECENT_ERRORS.append("Tile server https://tiles.example.com/{z}/{x}/{y}.png?key=SECRET-PLANTED-1 said 403")
    RECENT_ERRORS.append("Serving refused: Authorization: Bearer SECRET-PLANTED-2")
    try:
        text = dialog.copy_diagnostics()
    finally:
        RECENT_ERRORS.clear()
    assert QGuiApplication.clipboard().text() == text
    assert f"plugin: {__version__}" in text and f"QGIS: {Qgis.QGIS_VERSION}" in text and "TensorFlow: 2.21" in text
    assert "GPUs:" in text and "tiles.example.com" in text and "said 403" in text
    assert "SECRET-PLANTED" not in text


def test_selftest_from_the_dialog(qgis_iface, with_runtime):
    dialog = SettingsDialog(qgis_iface, TaskRegistry())
    task = dialog.test_runtime()
    wait_for_task(task)
    assert "images/s" in dialog.log_view.toPlainText()


def test_without_runtime_the_dialog_says_what_to_do(qgis_iface, without_runtime):
    dialog = SettingsDialog(qgis_iface, TaskRegistry())
    assert "Set up ML runtime" in dialog.location_label.text()
    assert not dialog.check_button.isEnabled() and dialog.setup_button.isEnabled()
    assert dialog.check_runtime() is None


def test_setting_a_python_path_is_saved(qgis_iface, without_runtime, runtime_python):
    """As a user types it: nothing wakes up per key, Enter checks the path (and keeps the
    dialog open), Save stores it and says so."""
    from qgis.core import Qgis, QgsSettings
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest

    try:
        qgis_iface.messageBar().clear_messages()
        dialog = SettingsDialog(qgis_iface, TaskRegistry())
        dialog.show()
        dialog.python_edit.setFocus()
        QTest.keyClicks(dialog.python_edit, str(runtime_python)[:-2])
        assert not dialog.check_button.isEnabled()  # a half-typed path looks nothing up
        QTest.keyClicks(dialog.python_edit, str(runtime_python)[-2:])
        assert dialog.check_button.isEnabled()  # the whole path names the runtime: ready at once
        QTest.keyClick(dialog.python_edit, Qt.Key.Key_Return)
        assert dialog.isVisible()  # Enter in the field checks it; it does not close the dialog
        assert "from setting" in dialog.location_label.text() and dialog.current_task is not None
        wait_for_task(dialog.current_task)
        dialog.button_box.button(dialog.button_box.StandardButton.Save).click()
        assert not dialog.isVisible()
        assert any("saved" in m for m in qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Info))
        assert QgsSettings().value("school_detector/runtime_python") == str(runtime_python)
    finally:
        QgsSettings().remove("school_detector/runtime_python")


def test_an_index_that_answers_is_told_apart_from_one_that_is_gone(tmp_path):
    """pip says "(from versions: none)" both when the index is gone and when it has nothing for
    this platform: a plain request through QGIS's network manager (its proxy) tells which."""
    from school_detector.qgis_io.network import answers
    from school_detector.runtime.install import index_url
    from tests.support.tile_server import TileServer

    gone = f"http://127.0.0.1:{closed_port()}/simple"
    assert index_url(["--isolated", "--index-url", gone]) == gone
    assert index_url([]) == "https://pypi.org/simple/"
    assert answers(gone, timeout_s=2) is False
    with TileServer(tmp_path) as server:  # a 404 is a server that is there
        assert answers(f"http://127.0.0.1:{server.port}/simple", timeout_s=2) is True
    silent = socket.socket()  # accepts, never answers: the timeout decides
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        assert answers(f"http://127.0.0.1:{silent.getsockname()[1]}/simple", timeout_s=1) is False
    finally:
        silent.close()


def test_offline_setup_fails_clearly_and_leaves_nothing(qgis_iface, without_runtime, tmp_path):
    dialog = SettingsDialog(qgis_iface, TaskRegistry())
    port = closed_port()
    task = dialog.start_setup(
        pip_args=["--isolated", "--index-url", f"http://127.0.0.1:{port}/simple", "--retries", "0", "--timeout", "2"]
    )
    wait_for_task(task, timeout=180)
    assert isinstance(task.error, RuntimeSetupError)
    assert "package index (PyPI) is not reachable" in task.error.message
    assert "package index (PyPI) is not reachable" in dialog.state_label.text()
    managed = tmp_path / "managed"
    assert not managed.exists(), "a failed first set-up must not leave a half-made venv"
    assert task.log_path.is_file() and "pip" in task.log_path.read_text()
    assert dialog.setup_button.isEnabled()


#: what `school-detector info` reads of TensorFlow, for a stand-in package of that name
TF_STAND_IN = """__version__ = "0.0.1"
class config:
    list_physical_devices = staticmethod(lambda kind: [])
class sysconfig:
    get_build_info = staticmethod(lambda: {"is_cuda_build": False})
"""


def make_wheel(folder, name="tinypkg", version="1.0", code="VALUE = 42\n"):
    """A minimal, valid pure-Python wheel (PEP 427) so pip can install offline."""
    import zipfile

    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    files = {
        f"{name}/__init__.py": code,
        f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{name}-{version}.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = "".join(f"{k},,\n" for k in files) + f"{name}-{version}.dist-info/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as zf:
        for k, v in files.items():
            zf.writestr(k, v)
        zf.writestr(f"{name}-{version}.dist-info/RECORD", record)
    return wheel


def test_both_kinds_of_runtime_are_set_up_from_the_dialog(qgis_iface, without_runtime, tmp_path, monkeypatch):
    """First "Scanning and review" (the default), then "Training too" on top of it, offline from
    a local package folder; stand-in packages (a tiny "tensorflow") keep it fast."""
    from school_detector import settings as plugin_settings
    from school_detector.gui import settings_dialog
    from school_detector.runtime.install import COMPLETE_MARKER, SCAN_ONLY, TRAINING, runtime_kind

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(wheels)
    make_wheel(wheels, "tensorflow", "0.0.1", TF_STAND_IN)
    scan, training = tmp_path / "scan.txt", tmp_path / "training.txt"
    scan.write_text("tinypkg==1.0\n")
    training.write_text("tinypkg==1.0\ntensorflow==0.0.1\n")
    monkeypatch.setattr(settings_dialog, "SCAN_REQUIREMENTS_FILE", scan)
    monkeypatch.setattr(settings_dialog, "REQUIREMENTS_FILE", training)
    offline = ["--isolated", "--no-index", "--find-links", str(wheels)]
    dialog = SettingsDialog(qgis_iface, TaskRegistry())
    assert dialog.flavour_combo.currentData() == settings_dialog.SCAN_ONLY  # the light one first
    assert "MB download" in dialog.flavour_combo.currentText()
    wait_for_task(dialog.start_setup(offline))
    location = plugin_settings.current_runtime()
    assert location.found and location.source == "managed", location.describe()
    assert runtime_kind(location.python) == SCAN_ONLY
    assert (plugin_settings.managed_dir() / COMPLETE_MARKER).read_text().strip() == "scan.txt"
    dialog.flavour_combo.setCurrentIndex(dialog.flavour_combo.findData(settings_dialog.TRAINING))
    task = dialog.start_setup(offline)
    wait_for_task(task)
    assert task.error is None, task.error and task.error.details
    assert runtime_kind(location.python) == TRAINING
    assert (plugin_settings.managed_dir() / COMPLETE_MARKER).read_text().strip() == "training.txt"


def test_setup_succeeds_from_a_local_package_folder(tmp_path):
    """The success path, offline: the requirement comes from a local wheel folder."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(wheels)
    reqs = tmp_path / "reqs.txt"
    reqs.write_text("tinypkg==1.0\n")
    target = tmp_path / "rt"
    task = SetupRuntimeTask(
        target,
        requirements=reqs,
        verify_tensorflow=False,
        pip_args=["--isolated", "--no-index", "--find-links", str(wheels)],
    )
    lines = []
    task.logLine.connect(lines.append)
    from qgis.core import QgsApplication

    QgsApplication.taskManager().addTask(task)
    wait_for_task(task, timeout=240)
    assert task.error is None, task.error and task.error.details
    assert (target / "bin" / "python").is_file()
    assert any("Successfully installed tinypkg" in ln for ln in lines)
    assert any('"school_detector"' in ln for ln in lines)  # the verify step ran the CLI in the new venv


def test_describe_info():
    info = {
        "python": "3.11.2",
        "onnxruntime": {"available": True, "scanning_on": "CPU, ONNX Runtime 1.32.0, 2 threads"},
        "tensorflow": {
            "available": True,
            "version": "2.21.0",
            "gpus": [{"name": "/physical_device:GPU:0", "model": "NVIDIA H100"}],
        },
    }
    assert describe_info(info).splitlines() == [
        "Python 3.11.2",
        "Scanning on: CPU, ONNX Runtime 1.32.0, 2 threads",
        "Training: TensorFlow 2.21.0 · GPUs: NVIDIA H100",
    ]
    assert "CPU only" in describe_info(
        {"python": "3.11", "tensorflow": {"available": True, "version": "2", "gpus": []}}
    )
    assert "not usable" in describe_info({"python": "3.11", "tensorflow": {"available": False, "error": "boom"}})
    scan_only = {"python": "3.12", "tensorflow": {"available": False, "installed": False}}
    assert "scanning and review only" in describe_info(scan_only)
