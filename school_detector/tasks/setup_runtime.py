"""Create (or repair) the managed ML runtime venv with pip, in the background.

Nothing is installed at plugin load: this runs only when the user clicks "Set up ML
runtime…". A failed first install removes its half-made venv so the next attempt starts
clean; the log survives next to it for the bug report.
"""

from __future__ import annotations

import re
import shutil
import traceback
from collections.abc import Sequence
from pathlib import Path

from qgis.core import QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from ..core.errors import JobCancelled, RuntimeSetupError, SchoolDetectorError
from ..runtime.locate import (
    NODEPS_FILE,
    REQUIREMENTS_FILE,
    find_base_python,
    runtime_command,
    runtime_env,
    venv_python,
)
from ..runtime.process import CONTROL_ARGS, stream_process

#: Free space a TensorFlow runtime needs, with headroom for pip's temporary files.
REQUIRED_FREE_BYTES = 3 * 1024**3

OFFLINE_PATTERNS = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|"
    r"Name or service not known|Connection refused|Network is unreachable|ConnectTimeout|"
    r"Max retries exceeded|Could not fetch URL|No matching distribution found|Could not find a version",
    re.IGNORECASE,
)


def classify_pip_failure(log_text: str) -> str:
    if OFFLINE_PATTERNS.search(log_text):
        return (
            "Could not download the ML runtime packages: the package index (PyPI) is not reachable. "
            "Connect to the internet (or set a PyPI mirror in Settings) and try again, or point "
            "Settings to an existing runtime Python (see the README, 'Offline machines')."
        )
    if re.search(r"No space left on device", log_text, re.IGNORECASE):
        return "Installing the ML runtime ran out of disk space; it needs about 3 GB free."
    return "Installing the ML runtime packages failed; see the log for pip's message."


class SetupRuntimeTask(QgsTask):
    """venv -> pip install -r runtime-requirements.txt -> verify with ``school-detector info``."""

    logLine = pyqtSignal(str)  # noqa: N815 (Qt naming)

    def __init__(
        self,
        target_dir: Path,
        base_python: Path | None = None,
        requirements: Path = REQUIREMENTS_FILE,
        pip_args: Sequence[str] = (),
        verify_tensorflow: bool = True,
    ) -> None:
        super().__init__("Set up the School detector ML runtime", QgsTask.CanCancel)
        self.title = self.description()
        self.target_dir = Path(target_dir)
        self.base_python = base_python
        self.requirements = Path(requirements)
        # the --no-deps extras belong to the shipped requirement set only
        self.nodeps = NODEPS_FILE if self.requirements == REQUIREMENTS_FILE else None
        self.pip_args = list(pip_args)
        self.verify_tensorflow = verify_tensorflow
        self.error: SchoolDetectorError | None = None
        self.log_path = self.target_dir.parent / "runtime-setup.log"
        self._log_lines: list[str] = []
        self._expected = max(1, sum(1 for ln in self._requirement_lines()) * 6)
        self._collected = 0

    def _requirement_lines(self) -> list[str]:
        try:
            text = self.requirements.read_text(encoding="utf-8")
        except OSError:
            return []
        return [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]

    def _log(self, line: str) -> None:
        self._log_lines.append(line)
        self.logLine.emit(line)
        if line.startswith("Collecting"):
            self._collected += 1
            self.setProgress(min(70.0, 10.0 + 60.0 * self._collected / self._expected))
        elif line.startswith("Installing collected packages"):
            self.setProgress(75.0)
        elif line.startswith("Successfully installed"):
            self.setProgress(90.0)

    def _run_step(self, cmd: list[str], failure: str, control: bool = False) -> None:
        """One step; ``control``: a school-detector command (cancel through its channel), else
        pip or venv (terminated on cancel)."""
        self._log("$ " + " ".join(cmd))
        outcome = stream_process(cmd, runtime_env(), self._log, self.isCanceled, merge_stderr=True, control=control)
        if outcome.cancelled:
            raise JobCancelled("Setting up the ML runtime was cancelled; nothing half-installed was kept.")
        if outcome.returncode != 0:
            tail = "\n".join(self._log_lines[-40:])
            message = classify_pip_failure(tail) if "pip" in cmd else failure
            raise RuntimeSetupError(message, details=tail)

    def _pip(self, python: Path, requirements: Path, *extra: str) -> None:
        self._run_step(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--progress-bar",
                "off",
                *extra,
                "--retries",
                "2",
                "--timeout",
                "30",
                *self.pip_args,
                "-r",
                str(requirements),
            ],
            "pip failed.",
        )

    def run(self) -> bool:
        created = False
        try:
            self.target_dir.parent.mkdir(parents=True, exist_ok=True)
            free = shutil.disk_usage(self.target_dir.parent).free
            if free < REQUIRED_FREE_BYTES:
                raise RuntimeSetupError(
                    f"The ML runtime needs about 3 GB free in {self.target_dir.parent}; only "
                    f"{free / 1024**3:.1f} GB are free. Free some space and try again."
                )
            python = venv_python(self.target_dir)
            if not python.is_file():
                base = self.base_python or find_base_python()
                if base is None:
                    raise RuntimeSetupError(
                        "No Python interpreter was found to create the ML runtime with. Install Python 3.10-3.12 "
                        "and set its path in Settings, or set SCHOOL_DETECTOR_PYTHON."
                    )
                created = True
                self.setProgress(2.0)
                self._run_step(
                    [str(base), "-m", "venv", str(self.target_dir)],
                    f"Could not create a virtual environment with {base} (is the venv module installed?).",
                )
            self.setProgress(8.0)
            self._pip(python, self.requirements)
            if self.nodeps is not None and self.nodeps.is_file():
                self._pip(python, self.nodeps, "--no-deps")
            self.setProgress(92.0)
            verify = ["info"] if self.verify_tensorflow else ["info", "--no-tensorflow"]
            self._run_step(
                runtime_command(python, [*verify, *CONTROL_ARGS]),
                "The ML runtime was installed but does not start; see the log.",
                control=True,
            )
            self.setProgress(100.0)
            return True
        except SchoolDetectorError as exc:
            self.error = exc
        except Exception as exc:  # noqa: BLE001 - never let an exception escape run()
            self.error = RuntimeSetupError(f"Setting up the ML runtime failed: {exc}", traceback.format_exc())
        finally:
            self._write_log()
        if created:
            shutil.rmtree(self.target_dir, ignore_errors=True)
        return False

    def _write_log(self) -> None:
        try:
            self.log_path.write_text("\n".join(self._log_lines) + "\n", encoding="utf-8")
        except OSError:
            pass
