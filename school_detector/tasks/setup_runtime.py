"""Create (or repair) the managed ML runtime venv with pip, in the background.

Nothing is installed at plugin load: this runs only when the user clicks "Set up ML
runtime…". A failed first install removes its half-made venv so the next attempt starts
clean; the log survives next to it for the bug report.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import traceback
from collections.abc import Sequence
from pathlib import Path

from qgis.core import QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from ..core.errors import JobCancelled, RuntimeSetupError, SchoolDetectorError
from ..qgis_io.network import answers
from ..runtime.install import (
    COMPLETE_MARKER,
    SUPPORTED_PYTHONS,
    check_free_space,
    check_path_length,
    check_platform,
    check_python,
    classify_pip_failure,
    index_url,
    python_words,
    windows_long_paths,
)
from ..runtime.locate import (
    NODEPS_FILE,
    REQUIREMENTS_FILE,
    base_python_candidates,
    runtime_command,
    runtime_env,
    venv_python,
)
from ..runtime.process import CONTROL_ARGS, popen_options, stream_process


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
        super().__init__("Set up the School detector ML runtime", QgsTask.Flag.CanCancel)
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
            where = f"{platform.system()} {platform.machine()}"
            # the whole log: pip's connection errors come early, its last lines may be other warnings
            log = "\n".join(self._log_lines)
            if "pip" in cmd:
                answered = answers(index_url(self.pip_args)) if "(from versions: none)" in log else None
                message = classify_pip_failure(log, where, answered)
            else:
                message = failure
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
            python = venv_python(self.target_dir)
            self._check_before_pip()
            if not python.is_file():
                base = self._base_python()
                created = True
                self.setProgress(2.0)
                self._run_step(
                    [str(base), "-m", "venv", str(self.target_dir)],
                    f"Could not create a virtual environment with {base} (is the venv module installed?).",
                )
            else:
                check_python(self._version_of(python), python)
            (self.target_dir / COMPLETE_MARKER).unlink(missing_ok=True)  # a repair is not complete until it is
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
            (self.target_dir / COMPLETE_MARKER).write_text(self.requirements.name + "\n", encoding="utf-8")
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

    def _base_python(self) -> Path:
        """The interpreter to make the venv with: the one given, else the first candidate of a
        version the packages exist for (QGIS's own may be older: then a python.org one)."""
        if self.base_python is not None:
            check_python(self._version_of(self.base_python), self.base_python)
            return self.base_python
        seen = []
        for candidate in base_python_candidates():
            try:
                version = self._version_of(candidate)
            except RuntimeSetupError:
                continue
            if version in SUPPORTED_PYTHONS:
                return candidate
            seen.append(f"{candidate} (Python {version[0]}.{version[1]})")
        raise RuntimeSetupError(
            f"No Python {python_words()} was found to create the ML runtime with"
            + (f"; found {', '.join(seen)}" if seen else "")
            + ". Install Python 3.12 (python.org; on Windows tick 'Add python.exe to PATH') and set up again, "
            "or point Settings (Python) at an existing runtime."
        )

    def _check_before_pip(self) -> None:
        """What would only fail after a long download, said first: platform, path, disk."""
        self.target_dir.parent.mkdir(parents=True, exist_ok=True)
        check_platform(platform.system().lower(), platform.machine(), training=self.verify_tensorflow)
        check_path_length(self.target_dir, windows_long_paths(), windows=os.name == "nt")
        check_free_space(self.target_dir.parent, shutil.disk_usage(self.target_dir.parent).free)

    def _version_of(self, python: Path) -> tuple[int, int]:
        """The (major, minor) of an interpreter, by running it: it must run at all."""
        try:
            # an argument list, no shell: the Python interpreter the runtime is made with
            out = subprocess.run(  # nosec B603
                [str(python), "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
                capture_output=True,
                text=True,
                timeout=60,
                env=runtime_env(),
                **popen_options(),
            )
            major, minor = (int(v) for v in out.stdout.split())
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            raise RuntimeSetupError(f"{python} does not run as a Python interpreter: {exc}") from exc
        self._log(f"{python}: Python {major}.{minor}")
        return major, minor

    def _write_log(self) -> None:
        try:
            self.log_path.write_text("\n".join(self._log_lines) + "\n", encoding="utf-8")
        except OSError:
            pass
