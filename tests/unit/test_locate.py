import os
import stat
from pathlib import Path

import pytest

from school_detector.core.errors import RuntimeSetupError
from school_detector.runtime.install import (
    COMPLETE_MARKER,
    check_path_length,
    check_platform,
    check_python,
    classify_pip_failure,
)
from school_detector.runtime.locate import (
    ENV_VAR,
    locate_runtime,
    managed_runtime_dir,
    runtime_command,
    runtime_env,
    venv_python,
)


def fake_python(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def finished(venv):
    """A managed runtime whose set-up finished (it writes this marker last)."""
    (venv / COMPLETE_MARKER).write_text("runtime-requirements.txt\n")
    return venv


def test_precedence_setting_env_managed(tmp_path):
    managed = tmp_path / "managed"
    m = fake_python(venv_python(managed))
    finished(managed)
    e = fake_python(tmp_path / "env" / "python")
    s = fake_python(tmp_path / "setting" / "python")
    assert locate_runtime(str(s), {ENV_VAR: str(e)}, managed).python == s
    loc = locate_runtime("", {ENV_VAR: str(e)}, managed)
    assert (loc.python, loc.source) == (e, "env")
    loc = locate_runtime("", {}, managed)
    assert (loc.python, loc.source) == (m, "managed")


def test_missing_candidates_are_reported_and_skipped(tmp_path):
    managed = tmp_path / "managed"
    m = fake_python(venv_python(managed))
    finished(managed)
    loc = locate_runtime(str(tmp_path / "nope"), {ENV_VAR: "/also/missing"}, managed)
    assert loc.python == m and len(loc.tried) == 2
    loc = locate_runtime("", {}, tmp_path / "empty")
    assert not loc.found and "missing" in loc.describe()


def test_a_venv_folder_is_accepted(tmp_path):
    venv = tmp_path / "rt"
    py = fake_python(venv_python(venv))
    assert locate_runtime(str(venv), {}, None).python == py


def test_commands_and_environment():
    assert runtime_command("/x/python", ["info"])[1:] == ["-m", "school_detector.cli", "info"]
    env = runtime_env({"PYTHONHOME": "/usr", "PATH": "/bin"})
    assert "PYTHONHOME" not in env and env["PATH"] == "/bin"
    assert os.path.isdir(os.path.join(env["PYTHONPATH"], "school_detector"))
    scrubbed = runtime_env(
        {
            "PATH": "/bin",
            "PROJ_LIB": "/qgis/proj",
            "PROJ_DATA": "/qgis/proj",
            "GDAL_DATA": "/qgis/gdal",
            "GDAL_DRIVER_PATH": "/qgis/plugins",
            "PYTHONUSERBASE": "/u",
            "LD_LIBRARY_PATH": "/qgis/lib",
            "DYLD_LIBRARY_PATH": "/qgis/lib",
            "DYLD_FRAMEWORK_PATH": "/qgis/fw",
            "PIP_TARGET": "/elsewhere",
            "PIP_USER": "1",
            "PIP_INDEX_URL": "https://mirror.example/simple",
            "PIP_CERT": "/etc/ca.pem",
        }
    )
    assert set(scrubbed) >= {"PATH", "PIP_INDEX_URL", "PIP_CERT"}  # how to reach the index: kept
    leaked = {k for k in scrubbed if k.startswith(("PROJ", "GDAL", "DYLD", "LD_", "PIP_TARGET", "PIP_USER"))}
    assert not leaked and "PYTHONUSERBASE" not in scrubbed


def test_a_half_installed_or_orphaned_runtime_is_not_found(tmp_path):
    managed = tmp_path / "managed"
    fake_python(venv_python(managed))
    loc = locate_runtime("", {}, managed)  # pip never finished: no completion marker
    assert not loc.found and "did not finish" in loc.describe()
    finished(managed)
    assert locate_runtime("", {}, managed).found
    (managed / "pyvenv.cfg").write_text(f"home = {tmp_path / 'uninstalled-qgis' / 'bin'}\nversion = 3.12.4\n")
    loc = locate_runtime("", {ENV_VAR: str(venv_python(managed))}, None)  # the base Python is gone
    assert not loc.found and "base Python" in loc.describe()


def test_a_short_runtime_root_on_windows(tmp_path):
    profile = Path("C:/Users/mapper01/AppData/Roaming/QGIS/QGIS3/profiles/default")
    local = "C:/Users/mapper01/AppData/Local"
    assert managed_runtime_dir(profile, {"LOCALAPPDATA": local}, windows=True) == Path(
        local, "school_detector", "runtime"
    )
    assert (
        managed_runtime_dir(profile, {"LOCALAPPDATA": local}, windows=False) == profile / "school_detector" / "runtime"
    )
    deep = Path("C:/Users/mapper01/AppData/Roaming/QGIS/QGIS3/profiles/default/school_detector/runtime")
    with pytest.raises(RuntimeSetupError, match="too deep for Windows"):
        check_path_length(deep, long_paths=False, windows=True)
    check_path_length(deep, long_paths=True, windows=True)  # long paths enabled: fine
    check_path_length(Path(local, "school_detector", "runtime"), long_paths=False, windows=True)


def test_python_and_platform_are_checked_before_the_download():
    check_python((3, 12), Path("python3.12"))
    for old_or_new in ((3, 10), (3, 14)):
        with pytest.raises(RuntimeSetupError, match=r"exist for Python 3\.11, 3\.12 or 3\.13"):
            check_python(old_or_new, Path("python"))
    with pytest.raises(RuntimeSetupError, match="Intel Macs"):
        check_platform("darwin", "x86_64", training=True)
    check_platform("darwin", "x86_64", training=False)  # scanning only: ONNX Runtime has Intel Mac packages
    check_platform("darwin", "arm64", training=True)
    check_platform("windows", "AMD64", training=True)


def test_pip_failures_are_said_as_what_they_are():
    offline = "WARNING: Retrying ... NewConnectionError(...): Failed to establish a new connection"
    assert "not reachable" in classify_pip_failure(offline + "\nNo matching distribution found for numpy==2.4.6")
    no_wheel = (
        "ERROR: Could not find a version that satisfies the requirement tensorflow-cpu==2.21.0 (from versions: none)\n"
        "ERROR: No matching distribution found for tensorflow-cpu==2.21.0"
    )
    said = classify_pip_failure(no_wheel, "Darwin arm64, Python 3.12")
    assert said.startswith("tensorflow-cpu==2.21.0 has no package for this platform") and "Darwin arm64" in said
    assert "not reachable" not in said
    assert "disk space" in classify_pip_failure("OSError: [Errno 28] No space left on device")
    assert "see the log" in classify_pip_failure("some other error")


def test_pythons_to_make_the_runtime_with_are_looked_for_where_installers_put_them(tmp_path):
    from school_detector.runtime.locate import base_python_candidates

    local = tmp_path / "AppData" / "Local"
    windows = fake_python(local / "Programs" / "Python" / "Python312" / "python.exe")
    found = base_python_candidates({"LOCALAPPDATA": str(local)})
    assert windows in found and len(found) == len(set(found))
    assert all(p.is_file() for p in found)


def test_an_index_that_lists_nothing_is_told_apart_from_one_that_is_gone():
    """pip says "(from versions: none)" both when the index is unreachable and when it has
    nothing for this platform: whether the index answered decides the words (asked through
    QGIS's network manager: tests/qgis/test_settings_dialog.py)."""
    log = (
        "ERROR: Could not find a version that satisfies the requirement onnxruntime==1.32.0 (from versions: none)\n"
        "ERROR: No matching distribution found for onnxruntime==1.32.0"
    )
    assert "not reachable" in classify_pip_failure(log, index_reachable=False)
    assert "has no package for this platform" in classify_pip_failure(log, index_reachable=True)
