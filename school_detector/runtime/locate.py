"""Find the ML runtime's Python and build the command lines that run the CLI in it.

Order of precedence, the first that exists wins:
1. the plugin setting (Settings… > ML runtime Python),
2. the ``SCHOOL_DETECTOR_PYTHON`` environment variable,
3. the managed venv that "Set up ML runtime…" creates in the QGIS profile.

The runtime always runs *this* plugin's copy of the package (PYTHONPATH points at the
folder holding it) so the plugin and the runtime can never disagree on a protocol.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .install import SUPPORTED_PYTHONS, scrub_environment, venv_problem

ENV_VAR = "SCHOOL_DETECTOR_PYTHON"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
REQUIREMENTS_FILE = PACKAGE_DIR / "runtime-requirements.txt"
NODEPS_FILE = PACKAGE_DIR / "runtime-nodeps.txt"
#: the scan-only runtime: ONNX Runtime, no TensorFlow
SCAN_REQUIREMENTS_FILE = PACKAGE_DIR / "scan-requirements.txt"


@dataclass(frozen=True)
class RuntimeLocation:
    python: Path | None
    source: str  # "setting", "env", "managed" or "none"
    tried: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.python is not None

    def describe(self) -> str:
        if self.python is None:
            return "No ML runtime found (looked at: " + ("; ".join(self.tried) or "nothing") + ")."
        return f"{self.python} (from {self.source})"


def venv_python(venv_dir: Path) -> Path:
    """The interpreter inside a venv, on Windows and elsewhere."""
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def managed_runtime_dir(profile_dir: Path, env: Mapping[str, str] | None = None, windows: bool | None = None) -> Path:
    """Where "Set up ML runtime…" puts the venv: inside the active QGIS profile, except on
    Windows, where a short root under %LOCALAPPDATA% keeps TensorFlow's deepest file under the
    260-character path limit (the profile folder alone is about 80 characters deep)."""
    env = os.environ if env is None else env
    if (os.name == "nt" if windows is None else windows) and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / "school_detector" / "runtime"
    return Path(profile_dir) / "school_detector" / "runtime"


def locate_runtime(setting: str, env: Mapping[str, str], managed_dir: Path | None) -> RuntimeLocation:
    tried: list[str] = []
    candidates: list[tuple[str, str]] = []
    if setting.strip():
        candidates.append(("setting", setting.strip()))
    if env.get(ENV_VAR, "").strip():
        candidates.append(("env", env[ENV_VAR].strip()))
    if managed_dir is not None:
        candidates.append(("managed", str(venv_python(managed_dir))))
    for source, value in candidates:
        path = Path(value).expanduser()
        if path.is_dir():  # a venv folder instead of its interpreter
            path = venv_python(path)
        if not (path.is_file() and os.access(path, os.X_OK)):
            tried.append(f"{source}: {value} (missing)")
            continue
        problem = venv_problem(path, managed=source == "managed")
        if problem:
            tried.append(f"{source}: {value} ({problem})")
            continue
        return RuntimeLocation(path, source, tuple(tried))
    return RuntimeLocation(None, "none", tuple(tried))


def runtime_command(python: Path, args: Sequence[str]) -> list[str]:
    return [str(python), "-m", "school_detector.cli", *args]


def runtime_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for runtime subprocesses: this package first on the path, quiet TF logs.

    What QGIS sets for itself is dropped (runtime.install.scrub_environment): its Python
    variables point at QGIS's site-packages, whose numpy 1.x would shadow the runtime's numpy 2;
    its PROJ and GDAL data would clash with rasterio's own.
    """
    env = scrub_environment(os.environ if base is None else base)
    env["PYTHONPATH"] = str(PACKAGE_DIR.parent)
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def base_python_candidates(env: Mapping[str, str] | None = None) -> list[Path]:
    """Pythons to create the managed venv with, most fitting first: QGIS's own interpreter (inside
    QGIS ``sys.executable`` is often the QGIS binary, not Python), then the versions the runtime
    supports where their installers put them (python.org, Homebrew, the Windows py launcher's
    folders), then any python3 on PATH. A GUI app on macOS does not see the shell's PATH, so the
    usual folders are looked at directly. Existing files only, no duplicates."""
    import shutil

    env = os.environ if env is None else env
    found: list[Path] = []

    def add(path: Path | str | None) -> None:
        if path and Path(path).is_file() and Path(path) not in found:
            found.append(Path(path))

    exe = Path(sys.executable)
    if exe.name.lower().startswith("python"):
        add(exe)
    own = f"{sys.version_info.major}.{sys.version_info.minor}"
    for folder in (Path(sys.exec_prefix) / "bin", Path(sys.exec_prefix)):
        for name in (f"python{own}", "python3", "python", "python.exe"):
            add(folder / name)
    for major, minor in reversed(SUPPORTED_PYTHONS):  # the newest first
        version = f"{major}.{minor}"
        add(Path(f"/Library/Frameworks/Python.framework/Versions/{version}/bin/python{version}"))
        add(Path(f"/opt/homebrew/bin/python{version}"))
        add(Path(f"/usr/local/bin/python{version}"))
        add(Path(f"/usr/bin/python{version}"))
        if env.get("LOCALAPPDATA"):
            add(Path(env["LOCALAPPDATA"]) / "Programs" / "Python" / f"Python{major}{minor}" / "python.exe")
        add(shutil.which(f"python{version}"))
    for name in ("python3", "python"):
        add(shutil.which(name))
    return found
