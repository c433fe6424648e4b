"""What every dialog that runs a job shares: a progress bar, a status line, the run and cancel
buttons, the task started through the TaskRegistry (kept referenced, cancelled at unload, its
failure reported once), and the dialog told when it ends.

Slots are bound methods of this QObject, never lambdas: Qt drops the connections when the
dialog (its parent) is deleted, so a task that ends after the plugin unloaded cannot touch
dead widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qgis.core import QgsTask
from qgis.PyQt.QtCore import QObject
from qgis.PyQt.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ..core.errors import JobCancelled
from ..notify import error_text
from ..runtime.jobs import format_eta
from ..tasks.registry import TaskRegistry
from .signals import on_click

Callback = Callable[[Any], None]


def plural(unit: str) -> str:
    """ "tile" -> "tiles", "batch" -> "batches": a progress event's unit, counted."""
    return unit + ("es" if unit.endswith(("ch", "sh", "s", "x")) else "s") if unit else ""


class JobPanel(QObject):
    def __init__(
        self,
        tasks: TaskRegistry,
        run_text: str,
        cancel_text: str,
        close_text: str | None = None,
        parent: QWidget | None = None,
        on_close: Callable[[], object] | None = None,
    ) -> None:
        """``close_text``: a Close button at the row's end, running ``on_close`` (a dialog's reject)."""
        super().__init__(parent)
        self.tasks = tasks
        self.current_task: QgsTask | None = None
        self._on_done: Callback | None = None
        self._on_failed: Callback | None = None
        self._on_event: Callback | None = None
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.run_button = QPushButton(run_text)
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton(cancel_text)
        self.cancel_button.setEnabled(False)
        on_click(self.cancel_button, self.cancel)
        self.close_button = QPushButton(close_text) if close_text else None
        if self.close_button is not None and on_close is not None:
            on_click(self.close_button, on_close)
        #: buttons a dialog adds on the left of the row (Preview, Open report…)
        self.extra_row = QHBoxLayout()

    def widget(self, narrow: bool = False) -> QWidget:
        """Progress, status and the button row, to add at the bottom of a dialog; ``narrow`` (a
        dock beside the map) puts the extra buttons on a row of their own."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        row = QHBoxLayout()
        if narrow:
            layout.addLayout(self.extra_row)
        else:
            row.addLayout(self.extra_row)
            row.addStretch(1)
        for b in (self.run_button, self.cancel_button, self.close_button):
            if b is not None:
                row.addWidget(b)
        layout.addLayout(row)
        return box

    def say(self, text: str) -> None:
        self.status_label.setText(text)

    def start(
        self,
        task: QgsTask,
        on_done: Callback | None = None,
        on_failed: Callback | None = None,
        on_event: Callback | None = None,
        busy: tuple[QWidget, ...] = (),
    ) -> QgsTask:
        """Run ``task``; ``on_done(task)`` after success, ``on_failed(task)`` after an error or a
        cancel (the status line already says which), ``on_event(event)`` for its progress events.
        ``busy``: more widgets to disable while it runs."""
        self.current_task = task
        self._on_done, self._on_failed, self._on_event = on_done, on_failed, on_event
        self._busy_widgets = (self.run_button, *busy)
        for w in self._busy_widgets:
            w.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        task.progressChanged.connect(self._progress)
        if hasattr(task, "eventReceived"):
            task.eventReceived.connect(self._event)
        task.taskCompleted.connect(self._completed)
        task.taskTerminated.connect(self._terminated)
        self.tasks.start(task)
        return task

    def cancel(self) -> None:
        if self.current_task is not None:
            self.current_task.cancel()

    # -- slots --------------------------------------------------------------------------------
    def _progress(self, value: float) -> None:
        self.progress.setValue(int(value))

    def _event(self, event: Any) -> None:
        if event.event == "progress":
            d = event.data
            units = plural(str(d.get("unit", "")))
            eta = format_eta(d.get("eta_s"))
            rate = f" · {d['rate']:.1f} {units}/s" if d.get("rate") else ""
            self.say(f"{d.get('done')}/{d.get('total')} {units}{rate}" + (f" · ETA {eta}" if eta else ""))
        elif event.event == "log":
            self.say(str(event.data.get("message", "")))
        if self._on_event is not None:
            self._on_event(event)

    def _idle(self) -> QgsTask | None:
        task, self.current_task = self.current_task, None
        for w in getattr(self, "_busy_widgets", (self.run_button,)):
            w.setEnabled(True)
        self.cancel_button.setEnabled(False)
        return task

    def _completed(self) -> None:
        task = self._idle()
        self.progress.setValue(100)
        if task is not None and self._on_done is not None:
            self._on_done(task)

    def _terminated(self) -> None:
        task = self._idle()
        if task is None:
            return
        error = getattr(task, "error", None) or JobCancelled("Cancelled.")
        self.say(error_text(error)[0])
        if self._on_failed is not None:
            self._on_failed(task)
