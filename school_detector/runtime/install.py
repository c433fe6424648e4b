"""What installing the ML runtime needs on each platform, said before pip runs, and pip's
failures said as what they are (no network, no package for this platform, no disk space).

Pure: no Qt, no QGIS. The QGIS task (tasks/setup_runtime.py) and the tests use it.

Platforms, as measured with ``pip install --dry-run --only-binary=:all: --platform …``
(tests/runtime/test_platform_wheels.py keeps it true):
* Windows x86-64, Linux x86-64: ``tensorflow-cpu``; macOS on Apple silicon: ``tensorflow``
  (``tensorflow-cpu`` has no macOS package). The requirement file picks by environment marker.
* Intel Macs: TensorFlow stops at 2.16, so training is not offered there; the scan-only runtime
  (ONNX Runtime, no TensorFlow) installs and scans.
* Python 3.11 to 3.13: numpy 2.4 needs 3.11 or newer; TensorFlow 2.21 has no 3.14 package.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path

from ..core.errors import RuntimeSetupError

#: Pythons the pinned packages exist for (all platforms)
SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))
#: Free space an install needs, with headroom for pip's temporary files
REQUIRED_FREE_BYTES = 3 * 1024**3
#: file written into a runtime once it installed and answered ``info``: a half install is not "found"
COMPLETE_MARKER = ".school_detector-complete"
#: the longest path TensorFlow's wheel puts under a venv on Windows (Lib\site-packages\tensorflow\include\…)
DEEPEST_WINDOWS_PATH = 185
#: Windows' classic path limit (MAX_PATH less the terminating NUL)
WINDOWS_MAX_PATH = 259

#: variables a QGIS installation sets for itself that must not reach the runtime's Python: its
#: own PROJ/GDAL data (rasterio brings its own: "proj.db … from another PROJ installation"),
#: library paths, user site-packages
LEAKY_VARIABLES = (
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONEXECUTABLE",
    "PYTHONUSERBASE",
    "PROJ_LIB",
    "PROJ_DATA",
    "GDAL_DATA",
    "GDAL_DRIVER_PATH",
    "GDAL_PLUGINS",
    "LD_LIBRARY_PATH",
    "QT_PLUGIN_PATH",
)
#: pip settings that say how to reach a package index: kept (a mirror or proxy the user chose);
#: every other PIP_* (PIP_TARGET, PIP_PREFIX, PIP_USER, PIP_REQUIRE_VIRTUALENV…) is dropped
PIP_NETWORK = {
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
    "PIP_TRUSTED_HOST",
    "PIP_CERT",
    "PIP_CLIENT_CERT",
    "PIP_PROXY",
    "PIP_TIMEOUT",
    "PIP_DEFAULT_TIMEOUT",
    "PIP_RETRIES",
    "PIP_CONFIG_FILE",
    "PIP_DISABLE_PIP_VERSION_CHECK",
}


def scrub_environment(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` without what QGIS's own installation puts there for itself (see above)."""
    return {
        k: v
        for k, v in env.items()
        if k not in LEAKY_VARIABLES
        and not k.startswith("DYLD_")
        and not (k.startswith("PIP_") and k not in PIP_NETWORK)
    }


def python_words(versions: tuple[tuple[int, int], ...] = SUPPORTED_PYTHONS) -> str:
    """ "3.11, 3.12 or 3.13"."""
    names = [f"{a}.{b}" for a, b in versions]
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def check_python(version: tuple[int, int], python: Path) -> None:
    """Before pip: a Python the packages exist for, or a message that says which ones do."""
    if tuple(version[:2]) in SUPPORTED_PYTHONS:
        return
    raise RuntimeSetupError(
        f"{python} is Python {version[0]}.{version[1]}; the ML runtime's packages (TensorFlow 2.21, "
        f"numpy 2.4) exist for Python {python_words()} only. Install one of those (python.org, or your "
        "system's packages) and choose it in Settings (ML runtime Python), then set up again."
    )


def check_platform(system: str, machine: str, training: bool) -> None:
    """Before pip: a platform TensorFlow's packages exist for (only a training runtime needs them)."""
    if training and system == "darwin" and machine.lower() in ("x86_64", "amd64", "i386"):
        raise RuntimeSetupError(
            "TensorFlow has no package for Intel Macs past version 2.16, so the training runtime "
            "cannot be installed here. Choose 'Scanning and review only' (ONNX Runtime, no TensorFlow) "
            "to scan with a model trained elsewhere, or train on Apple silicon, Windows or Linux."
        )


def check_path_length(root: Path, long_paths: bool, windows: bool) -> None:
    """Windows without long-path support cannot hold TensorFlow's deepest file under a long root."""
    if not windows or long_paths:
        return
    length = len(str(root)) + 1 + DEEPEST_WINDOWS_PATH
    if length > WINDOWS_MAX_PATH:
        raise RuntimeSetupError(
            f"The ML runtime folder {root} is too deep for Windows: TensorFlow's files would reach "
            f"{length} characters, over Windows' limit of {WINDOWS_MAX_PATH + 1}. Enable long paths "
            "(Windows settings: 'Enable Win32 long paths', or the LongPathsEnabled registry value) "
            "and set up again, or point SCHOOL_DETECTOR_PYTHON at a runtime in a shorter folder."
        )


def windows_long_paths() -> bool:
    """Whether Windows lets programs use paths over 260 characters (False elsewhere)."""
    if sys.platform != "win32":
        return False
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SYSTEM\CurrentControlSet\Control\FileSystem") as key:
            return bool(winreg.QueryValueEx(key, "LongPathsEnabled")[0])
    except OSError:
        return False


def check_free_space(folder: Path, free: int) -> None:
    if free < REQUIRED_FREE_BYTES:
        raise RuntimeSetupError(
            f"The ML runtime needs about 3 GB free in {folder}; only {free / 1024**3:.1f} GB are free. "
            "Free some space and try again."
        )


NETWORK_PATTERNS = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|"
    r"Name or service not known|nodename nor servname|getaddrinfo failed|Connection refused|"
    r"Network is unreachable|ConnectTimeout|ReadTimeout|Max retries exceeded|Could not fetch URL|"
    r"SSLError|ProxyError",
    re.IGNORECASE,
)
NO_PACKAGE = re.compile(r"No matching distribution found for ([^\s]+)", re.IGNORECASE)


OFFLINE = (
    "Could not download the ML runtime packages: the package index (PyPI) is not reachable. "
    "Connect to the internet (or set a PyPI mirror in Settings) and try again, or point "
    "Settings to an existing runtime Python (see the README, 'Offline machines')."
)


def classify_pip_failure(log_text: str, where: str = "", index_reachable: bool | None = None) -> str:
    """pip's failure in a user's words: no network, no package for this platform/Python, no
    disk space, or pip's own message (in the log). ``where``: e.g. "Windows x86-64, Python 3.12".
    ``index_reachable``: whether the index answered a plain request, for the one case pip's log
    can't tell apart: "(from versions: none)" is both "no index" and "nothing for this platform"."""
    if NETWORK_PATTERNS.search(log_text):
        return OFFLINE
    missing = NO_PACKAGE.search(log_text)
    if missing and index_reachable is False and "(from versions: none)" in log_text:
        return OFFLINE
    if missing:
        return (
            f"{missing.group(1)} has no package for this platform and Python{f' ({where})' if where else ''}. "
            f"The ML runtime needs Python {python_words()} on Windows x86-64, macOS on Apple silicon "
            "or Linux x86-64 (see the README, 'Installing')."
        )
    if re.search(r"No space left on device|Errno 28|not enough space", log_text, re.IGNORECASE):
        return "Installing the ML runtime ran out of disk space; it needs about 3 GB free."
    return "Installing the ML runtime packages failed; see the log for pip's message."


def index_url(pip_args: list[str]) -> str:
    """The index pip was told to use (``--index-url``/``-i``), else PyPI's."""
    for k, arg in enumerate(pip_args):
        if arg in ("--index-url", "-i") and k + 1 < len(pip_args):
            return pip_args[k + 1]
        if arg.startswith("--index-url="):
            return arg.split("=", 1)[1]
    return "https://pypi.org/simple/"


def base_python_home(venv_dir: Path) -> Path | None:
    """The folder of the Python a venv was made from (``home`` in pyvenv.cfg), if it says."""
    try:
        text = (venv_dir / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip().lower() == "home" and value.strip():
            return Path(value.strip())
    return None


def venv_problem(python: Path, managed: bool) -> str:
    """Why an interpreter that exists cannot be used ("" when it can): the Python its venv was
    made from is gone (QGIS uninstalled or upgraded), or a managed runtime never finished."""
    venv_dir = python.parent.parent
    home = base_python_home(venv_dir)
    if home is not None and not home.exists():
        return f"its base Python {home} is gone (set the runtime up again)"
    if managed and not (venv_dir / COMPLETE_MARKER).is_file():
        return "its set-up did not finish (set the runtime up again)"
    return ""


TRAINING, SCAN_ONLY = "training", "scan-only"
#: what each runtime costs, measured on Linux x86-64 with Python 3.11 (pip download; du of the
#: venv; TensorFlow's Windows wheel is ~80 MB larger): (download, installed). The README says the same.
SIZES = {SCAN_ONLY: ("90 MB", "330 MB"), TRAINING: ("450 MB", "1.8 GB")}


def runtime_kind(python: Path) -> str:
    """ "training" when the runtime has TensorFlow, "scan-only" when it does not (looked up in
    its site-packages, without starting it: the plugin asks before every training)."""
    venv = python.parent.parent
    patterns = ("lib/python3*/site-packages/tensorflow", "Lib/site-packages/tensorflow")
    if any(any(venv.glob(pattern)) for pattern in patterns):
        return TRAINING
    has_packages = any(any(venv.glob(p.rsplit("/", 1)[0])) for p in patterns)
    return SCAN_ONLY if has_packages else TRAINING  # not a venv we can read: let it try
