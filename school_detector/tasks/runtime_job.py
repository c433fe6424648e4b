"""A QgsTask that runs one ``school-detector`` command in the ML runtime (runtime.jobs).

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
from ..core.progress import LOG, PROGRESS, Event
from ..notify import log_level
from ..runtime.jobs import describe_progress, run_cli_job


class RuntimeJobTask(QgsTask):
    """Run ``python -m school_detector.cli ARGS --progress jsonl`` and follow it."""

    #: Every parsed event (core.progress.Event), delivered on the main thread.
    eventReceived = pyqtSignal(object)  # noqa: N815 (Qt naming)

    def __init__(self, description: str, python: Path, args: Sequence[str], can_cancel: bool = True) -> None:
        flags = QgsTask.Flag.CanCancel if can_cancel else QgsTask.Flags()
        super().__init__(description, flags)
        self.title = description  # stable: the description shows progress
        self.python = Path(python)
        self.args = list(args)
        self.result_data: dict[str, Any] | None = None
        self.error: SchoolDetectorError | None = None
        self.eventReceived.connect(self._show_progress)

    def _show_progress(self, event: Event) -> None:
        """Main thread: put rate and ETA into the task manager's description."""
        if event.event != PROGRESS:
            return
        self.setDescription(describe_progress(self.title, event.data))

    def _on_event(self, event: Event) -> None:
        if event.event == PROGRESS and event.percent is not None:
            self.setProgress(event.percent)
        elif event.event == LOG:  # the job's own log lines land in QGIS's log too (thread-safe)
            log_level(f"{self.title}: {event.data.get('message', '')}", str(event.data.get("level", "info")))
        self.eventReceived.emit(event)

    def finished(self, result: bool) -> None:
        """Main thread: the task manager lists the job under its title again, not its last ETA."""
        self.setDescription(self.title)

    def run(self) -> bool:
        try:
            self.result_data = run_cli_job(self.python, self.args, self.title, self._on_event, self.isCanceled)
            return True
        except SchoolDetectorError as exc:
            self.error = exc
            if isinstance(exc, JobCancelled):
                self.result_data = exc.result  # what a cancelled job still delivered (a model so far)
        except Exception as exc:  # noqa: BLE001 - never let an exception escape run()
            self.error = RuntimeJobError(f"{self.title} could not run: {exc}", traceback.format_exc())
        return False
