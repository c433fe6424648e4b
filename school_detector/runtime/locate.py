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

ENV_VAR = "SCHOOL_DETECTOR_PYTHON"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
REQUIREMENTS_FILE = PACKAGE_DIR / "runtime-requirements.txt"
NODEPS_FILE = PACKAGE_DIR / "runtime-nodeps.txt"


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


def managed_runtime_dir(profile_dir: Path) -> Path:
    """Where "Set up ML runtime…" puts the venv: inside the active QGIS profile."""
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
        if path.is_file() and os.access(path, os.X_OK):
            return RuntimeLocation(path, source, tuple(tried))
        tried.append(f"{source}: {value} (missing)")
    return RuntimeLocation(None, "none", tuple(tried))


def runtime_command(python: Path, args: Sequence[str]) -> list[str]:
    return [str(python), "-m", "school_detector.cli", *args]


def runtime_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for runtime subprocesses: this package first on the path, quiet TF logs.

    QGIS's own Python variables are dropped: they point at QGIS's site-packages, whose
    numpy 1.x would shadow the runtime's numpy 2.
    """
    env = dict(os.environ if base is None else base)
    for key in ("PYTHONHOME", "PYTHONSTARTUP", "PYTHONEXECUTABLE"):
        env.pop(key, None)
    env["PYTHONPATH"] = str(PACKAGE_DIR.parent)
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def find_base_python() -> Path | None:
    """A Python to create the managed venv with.

    Inside QGIS ``sys.executable`` is often the QGIS binary, not Python, so look for the
    interpreter of the same installation first, then any python3 on PATH.
    """
    import shutil

    exe = Path(sys.executable)
    if exe.name.lower().startswith("python") and exe.is_file():
        return exe
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    names = [f"python{version}", "python3", "python"]
    dirs = [Path(sys.exec_prefix) / "bin", Path(sys.exec_prefix)]
    for d in dirs:
        for n in names:
            for cand in (d / n, d / f"{n}.exe"):
                if cand.is_file():
                    return cand
    for n in names:
        found = shutil.which(n)
        if found:
            return Path(found)
    return None
