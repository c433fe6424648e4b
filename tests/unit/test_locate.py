import os
import stat

from school_detector.runtime.locate import ENV_VAR, locate_runtime, runtime_command, runtime_env, venv_python


def fake_python(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_precedence_setting_env_managed(tmp_path):
    managed = tmp_path / "managed"
    m = fake_python(venv_python(managed))
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
