"""Base for tasks that run our engine inside the QGIS process (chips, scans): core.progress
events become the task's progress, a description with rate and ETA, and a Qt signal."""

from __future__ import annotations

import traceback
from typing import Any

from qgis.core import QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from ..core.errors import InputError, SchoolDetectorError
from ..core.progress import LOG, PROGRESS, Event, Reporter
from ..notify import log_level
from ..runtime.jobs import describe_progress


class InProcessTask(QgsTask):
    eventReceived = pyqtSignal(object)  # noqa: N815 (Qt naming)

    def __init__(self, title: str, unit_label: str) -> None:
        super().__init__(title, QgsTask.Flag.CanCancel)
        self.title = title
        self.unit_label = unit_label
        self.result_data: dict[str, Any] | None = None
        self.error: SchoolDetectorError | None = None
        self.eventReceived.connect(self._show_progress)

    def reporter(self) -> Reporter:
        return Reporter("callback", sink=self._sink)

    def _sink(self, obj: dict[str, Any]) -> None:
        """Worker thread: progress to the task manager, every event to the main thread."""
        event = Event(obj["event"], {k: v for k, v in obj.items() if k != "event"})
        if event.event == PROGRESS and event.percent is not None:
            self.setProgress(event.percent)
        elif event.event == LOG:  # to QGIS's log too (thread-safe), as a runtime job's lines go
            log_level(f"{self.title}: {event.data.get('message', '')}", str(event.data.get("level", "info")))
        self.eventReceived.emit(event)

    def _show_progress(self, event: Event) -> None:
        if event.event != PROGRESS:
            return
        self.setDescription(describe_progress(self.title, event.data, self.unit_label))

    def capture(self, exc: BaseException, what: str) -> None:
        """Store ``exc`` as the task's error (run() must never raise: that takes QGIS down).
        ``what`` names the job for unexpected errors: "Building the dataset"."""
        if isinstance(exc, SchoolDetectorError):  # JobCancelled included
            self.error = exc
        elif isinstance(exc, OSError):
            self.error = InputError(
                f"Could not write {exc.filename or 'the output'}: {exc.strerror or exc}.", traceback.format_exc()
            )
        else:
            self.error = SchoolDetectorError(f"{what} failed: {exc}", traceback.format_exc())
