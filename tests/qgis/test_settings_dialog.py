"""Settings…: runtime location and state, and the managed set-up (offline path for real)."""

import socket

from school_detector.core.errors import RuntimeSetupError
from school_detector.gui.settings_dialog import SettingsDialog, describe_info
from school_detector.tasks.registry import TaskRegistry
from school_detector.tasks.setup_runtime import SetupRuntimeTask, classify_pip_failure
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
    assert f"plugin: {__version__}" in text and "QGIS: 3.22" in text and "TensorFlow: 2.21" in text
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
    dialog = SettingsDialog(qgis_iface, TaskRegistry())
    dialog.python_edit.setText(str(runtime_python))
    dialog._refresh_location()
    assert "from setting" in dialog.location_label.text()
    dialog.save()
    from qgis.core import QgsSettings

    assert QgsSettings().value("school_detector/runtime_python") == str(runtime_python)
    QgsSettings().remove("school_detector/runtime_python")


def test_offline_setup_fails_clearly_and_leaves_nothing(qgis_iface, without_runtime, tmp_path):
    dialog = SettingsDialog(qgis_iface, TaskRegistry())
    port = closed_port()
    task = dialog.setup_runtime(
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


def make_wheel(folder):
    """A minimal, valid pure-Python wheel (PEP 427) so pip can install offline."""
    import zipfile

    name = folder / "tinypkg-1.0-py3-none-any.whl"
    files = {
        "tinypkg/__init__.py": "VALUE = 42\n",
        "tinypkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n",
        "tinypkg-1.0.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = "".join(f"{k},,\n" for k in files) + "tinypkg-1.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(name, "w") as zf:
        for k, v in files.items():
            zf.writestr(k, v)
        zf.writestr("tinypkg-1.0.dist-info/RECORD", record)
    return name


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


def test_pip_failures_are_classified():
    assert "not reachable" in classify_pip_failure("... NewConnectionError(...) Connection refused")
    assert "disk space" in classify_pip_failure("OSError: [Errno 28] No space left on device")
    assert "see the log" in classify_pip_failure("some other error")


def test_describe_info():
    info = {
        "python": "3.11.2",
        "tensorflow": {
            "available": True,
            "version": "2.21.0",
            "gpus": [{"name": "/physical_device:GPU:0", "model": "NVIDIA H100"}],
        },
    }
    assert describe_info(info) == "Python 3.11.2 · TensorFlow 2.21.0 · GPUs: NVIDIA H100"
    assert "CPU only" in describe_info(
        {"python": "3.11", "tensorflow": {"available": True, "version": "2", "gpus": []}}
    )
    assert "not usable" in describe_info({"python": "3.11", "tensorflow": {"available": False, "error": "boom"}})
