"""A QgsTask that runs one ``school-detector`` command in the ML runtime.

Progress arrives as JSON lines (core.progress); the task turns them into the task
manager's percentage and a description with rate and ETA, re-emits every event for the
dialog that started it, and keeps the command's result. Errors are stored, never raised:
an exception escaping ``QgsTask.run`` takes QGIS down.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
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


def run_cli_job(
    python: Path,
    args: Sequence[str],
    title: str,
    on_event: Callable[[Event], None],
    is_cancelled: Callable[[], bool],
) -> dict[str, Any]:
    """Run ``python -m school_detector.cli ARGS --progress jsonl``, hand every event to
    ``on_event``, and return the command's result, or raise what stopped it (the job's own
    error with the stderr tail, JobCancelled, or a RuntimeJobError). The runtime tasks and the
    Processing algorithms both follow jobs through this."""
    if not Path(python).is_file():
        raise RuntimeJobError(
            f"The ML runtime Python {python} does not exist. Open Settings… and choose one, or click "
            "'Set up ML runtime…'."
        )
    result: dict[str, Any] = {}
    errors: list[RuntimeJobError] = []
    cancel_message = ""

    def on_line(line: str) -> None:
        nonlocal cancel_message
        event = parse_line(line)
        if event is None:
            return
        if event.event == RESULT:
            result.update(event.data)
        elif event.event == ERROR and event.data.get("kind") == "JobCancelled":
            cancel_message = str(event.data.get("message", ""))
        elif event.event == ERROR:
            errors.append(
                RuntimeJobError(
                    str(event.data.get("message", "The job failed.")), details=str(event.data.get("details", ""))
                )
            )
        on_event(event)

    command = runtime_command(Path(python), [*args, "--progress", "jsonl"])
    outcome = stream_process(command, runtime_env(), on_line, is_cancelled)
    if outcome.cancelled:
        raise JobCancelled(cancel_message or f"{title}: cancelled.")
    if errors:
        if outcome.stderr_tail:
            errors[0].details = (errors[0].details + "\n--- stderr ---\n" + outcome.stderr_tail).strip()
        raise errors[0]
    if outcome.returncode != 0:
        raise RuntimeJobError(f"{title} failed (exit code {outcome.returncode}).", outcome.stderr_tail)
    return result


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
        self.eventReceived.connect(self._show_progress)

    def _show_progress(self, event: Event) -> None:
        """Main thread: put rate and ETA into the task manager's description."""
        if event.event != PROGRESS:
            return
        self.setDescription(describe_progress(self.base_description, event.data))

    def _on_event(self, event: Event) -> None:
        if event.event == PROGRESS and event.percent is not None:
            self.setProgress(event.percent)
        self.eventReceived.emit(event)

    def run(self) -> bool:
        try:
            self.result_data = run_cli_job(
                self.python, self.args, self.base_description, self._on_event, self.isCanceled
            )
            return True
        except SchoolDetectorError as exc:
            self.error = exc
        except Exception as exc:  # noqa: BLE001 - never let an exception escape run()
            self.error = RuntimeJobError(f"{self.base_description} could not run: {exc}", traceback.format_exc())
        return False
