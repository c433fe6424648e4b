"""Keeps running tasks referenced (Python must not garbage-collect a live QgsTask), reports
their failures in one place, and cancels them all when the plugin unloads or QGIS quits."""

from __future__ import annotations

from typing import Any

from qgis.core import QgsApplication, QgsTask

from ..core.errors import JobCancelled
from ..notify import report_error, withdraw


class TaskRegistry:
    def __init__(self, iface: Any = None) -> None:
        self.iface = iface
        self._tasks: list[QgsTask] = []

    def start(self, task: QgsTask) -> QgsTask:
        self._tasks.append(task)
        task.taskCompleted.connect(lambda t=task: self._succeeded(t))
        task.taskTerminated.connect(lambda t=task: self._failed(t))
        QgsApplication.taskManager().addTask(task)
        return task

    def _forget(self, task: QgsTask) -> None:
        if task in self._tasks:
            self._tasks.remove(task)

    def _succeeded(self, task: QgsTask) -> None:
        """An earlier failure of the same job no longer holds: its message goes."""
        self._forget(task)
        withdraw(self.iface, getattr(task, "title", "") or task.description())

    def _failed(self, task: QgsTask) -> None:
        """Message bar for the user, details and stderr tail to the log; cancels stay quiet."""
        self._forget(task)
        error = getattr(task, "error", None)
        if error is not None and not isinstance(error, JobCancelled):
            # the task's own title: its description shows progress ("… (10/22 batches)")
            report_error(self.iface, error, title=getattr(task, "title", "") or task.description())

    @property
    def running(self) -> list[QgsTask]:
        return list(self._tasks)

    def cancel_all(self) -> None:
        """Ask every task to stop; runtime jobs terminate their subprocess within seconds."""
        for task in list(self._tasks):
            try:
                task.cancel()
            except RuntimeError:  # the C++ object is already gone
                self._forget(task)
