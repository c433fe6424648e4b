"""One place that tells the user about outcomes: short text on the message bar, the full
story (details, stderr tail, traceback) in the QGIS log under "School detector"."""

from __future__ import annotations

from collections import deque
from typing import Any

from qgis.core import Qgis, QgsMessageLog

from .core.errors import SchoolDetectorError

LOG_TAG = "School detector"
#: The last errors, for the diagnostics report.
RECENT_ERRORS: deque[str] = deque(maxlen=20)


def log(message: str, level: Any = Qgis.Info) -> None:
    QgsMessageLog.logMessage(message, LOG_TAG, level)


def error_text(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, SchoolDetectorError):
        return exc.message, exc.details
    return f"Unexpected error: {exc}", ""


def report_error(iface: Any, exc: BaseException, title: str = "School detector") -> None:
    """Message bar: what happened and what to do. Log: everything needed to debug it."""
    message, details = error_text(exc)
    RECENT_ERRORS.append(message)
    log(message + (f"\n{details}" if details else ""), Qgis.Critical)
    bar = iface.messageBar() if iface is not None else None
    if bar is not None:
        bar.pushMessage(
            title,
            message + (" (details in the log: View > Panels > Log Messages)" if details else ""),
            Qgis.Critical,
            0,
        )


def report_info(iface: Any, message: str, title: str = "School detector", duration: int = 6) -> None:
    log(message)
    bar = iface.messageBar() if iface is not None else None
    if bar is not None:
        bar.pushMessage(title, message, Qgis.Info, duration)
