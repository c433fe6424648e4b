"""A QgsTask that runs one ``school-detector`` command in the ML runtime.

Progress arrives as JSON lines (core.progress); the task turns them into the task
manager's percentage and a description with rate and ETA, re-emits every event for the
dialog that started it, and keeps the command's result. Errors are stored, never raised:
an exception escaping ``QgsTask.run`` takes QGIS down.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qgis.core import QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from ..core.errors import JobCancelled, RuntimeJobError, SchoolDetectorError
from ..core.progress import ERROR, PROGRESS, RESULT, Event, parse_line
from ..runtime.locate import runtime_command, runtime_env
from .process import stream_process


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def describe_progress(title: str, d: dict[str, Any], unit: str | None = None) -> str:
    """'Title (3/10 tiles, 1.5 tiles/s, ETA 4 s)': what every task shows in the task manager."""
    unit = unit or str(d.get("unit", ""))
    parts = [f"{d.get('done')}/{d.get('total')} {unit}"]
    if d.get("rate"):
        parts.append(f"{d['rate']:.1f} {unit}/s")
    if d.get("eta_s") is not None:
        parts.append("ETA " + format_eta(d["eta_s"]))
    return f"{title} ({', '.join(parts)})"


class RuntimeJobTask(QgsTask):
    """Run ``python -m school_detector.cli ARGS --progress jsonl`` and follow it."""

    #: Every parsed event (core.progress.Event), delivered on the main thread.
    eventReceived = pyqtSignal(object)  # noqa: N815 (Qt naming)

    def __init__(self, description: str, python: Path, args: Sequence[str], can_cancel: bool = True) -> None:
        flags = QgsTask.CanCancel if can_cancel else QgsTask.Flags()
        super().__init__(description, flags)
        self.base_description = description
        self.python = Path(python)
        self.args = list(args)
        self.result_data: dict[str, Any] | None = None
        self.error: SchoolDetectorError | None = None
        self.last_progress: Event | None = None
        self.cancel_message = ""
        self.eventReceived.connect(self._show_progress)

    def _show_progress(self, event: Event) -> None:
        """Main thread: put rate and ETA into the task manager's description."""
        if event.event != PROGRESS:
            return
        self.setDescription(describe_progress(self.base_description, event.data))

    @property
    def command(self) -> list[str]:
        return runtime_command(self.python, [*self.args, "--progress", "jsonl"])

    def _on_line(self, line: str) -> None:
        event = parse_line(line)
        if event is None:
            return
        if event.event == PROGRESS:
            self.last_progress = event
            pct = event.percent
            if pct is not None:
                self.setProgress(pct)
        elif event.event == RESULT:
            self.result_data = event.data
        elif event.event == ERROR and event.data.get("kind") == "JobCancelled":
            self.cancel_message = str(event.data.get("message", ""))
        elif event.event == ERROR:
            self.error = RuntimeJobError(
                str(event.data.get("message", "The job failed.")), details=str(event.data.get("details", ""))
            )
        self.eventReceived.emit(event)

    def run(self) -> bool:
        try:
            if not self.python.is_file():
                raise RuntimeJobError(
                    f"The ML runtime Python {self.python} does not exist. Open Settings… and choose "
                    "one, or click 'Set up ML runtime…'."
                )
            outcome = stream_process(self.command, runtime_env(), self._on_line, self.isCanceled)
            if outcome.cancelled:
                self.error = JobCancelled(self.cancel_message or f"{self.base_description}: cancelled.")
                return False
            if outcome.returncode != 0:
                if self.error is None:
                    self.error = RuntimeJobError(
                        f"{self.base_description} failed (exit code {outcome.returncode}).", outcome.stderr_tail
                    )
                elif outcome.stderr_tail:
                    self.error.details = (self.error.details + "\n--- stderr ---\n" + outcome.stderr_tail).strip()
                return False
            return self.error is None
        except SchoolDetectorError as exc:
            self.error = exc
        except Exception as exc:  # noqa: BLE001 - never let an exception escape run()
            self.error = RuntimeJobError(f"{self.base_description} could not run: {exc}", traceback.format_exc())
        return False
