"""Keeps running tasks referenced (Python must not garbage-collect a live QgsTask) and
lets the plugin cancel them all when it unloads or QGIS closes."""

from __future__ import annotations

from qgis.core import QgsApplication, QgsTask


class TaskRegistry:
    def __init__(self) -> None:
        self._tasks: list[QgsTask] = []

    def start(self, task: QgsTask) -> QgsTask:
        self._tasks.append(task)
        task.taskCompleted.connect(lambda t=task: self._forget(t))
        task.taskTerminated.connect(lambda t=task: self._forget(t))
        QgsApplication.taskManager().addTask(task)
        return task

    def _forget(self, task: QgsTask) -> None:
        if task in self._tasks:
            self._tasks.remove(task)

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
