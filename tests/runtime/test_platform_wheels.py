"""The pinned runtime packages exist where mappers are: Windows x86-64 and macOS on Apple silicon
with QGIS 4's Python 3.12, Linux with Python 3.11 (Debian 12) and 3.13 (Debian 13).

pip's ``--platform`` does not change how environment markers are read, so each requirement's
marker is evaluated for the target first (packaging.markers) and pip resolves what remains,
wheels only, as a dry run against the package index. Unreachable index: the test skips and
says so; a package missing for a platform fails it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from school_detector.runtime.install import NETWORK_PATTERNS
from school_detector.runtime.locate import NODEPS_FILE, REQUIREMENTS_FILE, SCAN_REQUIREMENTS_FILE

#: (pip --platform tags, python version, the marker environment of such a machine)
TARGETS = {
    "windows-x86_64-py3.12": (
        ["win_amd64"],
        "3.12",
        {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64", "os_name": "nt"},
    ),
    "macos-arm64-py3.12": (
        ["macosx_14_0_arm64"],
        "3.12",
        {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64", "os_name": "posix"},
    ),
    "linux-x86_64-py3.11": (
        ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"],
        "3.11",
        {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix"},
    ),
    "linux-x86_64-py3.13": (
        ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"],
        "3.13",
        {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix"},
    ),
}


def for_target(requirements: Path, environment: dict[str, str], python: str) -> list[str]:
    """The requirement lines that apply on the target, without their markers."""
    lines = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        req = Requirement(line)
        env = {**environment, "python_version": python, "python_full_version": f"{python}.0"}
        if req.marker is None or req.marker.evaluate(env):
            lines.append(f"{req.name}{req.specifier}")
    return lines


def dry_run(lines: list[str], platforms: list[str], python: str, tmp_path: Path, *extra: str) -> dict:
    tmp_path.mkdir(parents=True, exist_ok=True)
    req = tmp_path / "requirements.txt"
    req.write_text("\n".join(lines) + "\n")
    report = tmp_path / "report.json"
    tags = [arg for tag in platforms for arg in ("--platform", tag)]
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--only-binary=:all:"]
    cmd += ["--target", str(tmp_path / "t"), *tags, "--python-version", python, "--report", str(report), *extra]
    run = subprocess.run([*cmd, "-r", str(req)], capture_output=True, text=True, timeout=600)
    if run.returncode != 0 and NETWORK_PATTERNS.search(run.stdout + run.stderr):
        pytest.skip(f"the package index is not reachable from here, wheel resolution not checked:\n{run.stderr[-800:]}")
    assert run.returncode == 0, f"does not resolve for {platforms} / Python {python}:\n{run.stderr[-3000:]}"
    return json.loads(report.read_text())


@pytest.mark.parametrize("target", TARGETS)
def test_the_training_runtime_resolves_on(target, tmp_path):
    platforms, python, environment = TARGETS[target]
    lines = for_target(REQUIREMENTS_FILE, environment, python)
    tf = [ln for ln in lines if ln.startswith("tensorflow")]
    assert tf == (["tensorflow==2.21.0"] if environment["sys_platform"] == "darwin" else ["tensorflow-cpu==2.21.0"])
    report = dry_run(lines, platforms, python, tmp_path)
    installed = {item["metadata"]["name"].lower().replace("_", "-") for item in report["install"]}
    assert {"numpy", "rasterio", "keras"} <= installed and any(n.startswith("tensorflow") for n in installed)
    dry_run(for_target(NODEPS_FILE, environment, python), platforms, python, tmp_path / "nodeps", "--no-deps")


SCAN_TARGETS = {
    **TARGETS,
    "macos-x86_64-py3.12": (
        ["macosx_13_0_x86_64"],
        "3.12",
        {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "x86_64", "os_name": "posix"},
    ),
}


@pytest.mark.parametrize("target", SCAN_TARGETS)
def test_the_scan_only_runtime_resolves_on(target, tmp_path):
    """Scanning and review without TensorFlow, Intel Macs included."""
    platforms, python, environment = SCAN_TARGETS[target]
    lines = for_target(SCAN_REQUIREMENTS_FILE, environment, python)
    report = dry_run(lines, platforms, python, tmp_path)
    installed = {item["metadata"]["name"].lower().replace("_", "-") for item in report["install"]}
    assert {"onnxruntime", "numpy", "rasterio", "pillow"} <= installed
    assert not any(name.startswith(("tensorflow", "keras")) for name in installed)


def test_an_intel_mac_gets_no_tensorflow_line():
    """No TensorFlow 2.21 exists for Intel Macs: the file installs none there (the set-up says
    so before it starts, runtime.install.check_platform), rather than failing half-way."""
    intel = {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "x86_64", "os_name": "posix"}
    assert not [ln for ln in for_target(REQUIREMENTS_FILE, intel, "3.12") if ln.startswith("tensorflow")]
