"""One place that tells the user about outcomes: short text on the message bar, the full
story (details, stderr tail, traceback) in the QGIS log under "School detector"."""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from qgis.core import Qgis, QgsMessageLog

from .core.errors import SchoolDetectorError

LOG_TAG = "School detector"
#: The last errors, for the diagnostics report.
RECENT_ERRORS: deque[str] = deque(maxlen=20)


def log(message: str, level: Any = Qgis.MessageLevel.Info) -> None:
    QgsMessageLog.logMessage(message, LOG_TAG, level)


#: a runtime job's log level (core.progress) as QGIS's
LEVELS = {"warning": Qgis.MessageLevel.Warning, "error": Qgis.MessageLevel.Critical}


def log_level(message: str, level: str) -> None:
    """Log a runtime job's line at its own level (``info`` unless it says otherwise)."""
    log(message, LEVELS.get(level, Qgis.MessageLevel.Info))


class QgisLogHandler(logging.Handler):
    """The package's ``logging`` records (a results file that can't be read, a skipped layer)
    in QGIS's log under "School detector": without it they go to a stderr nobody sees."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level = (
                Qgis.MessageLevel.Critical
                if record.levelno >= logging.ERROR
                else Qgis.MessageLevel.Warning
                if record.levelno >= logging.WARNING
                else Qgis.MessageLevel.Info
            )
            QgsMessageLog.logMessage(self.format(record), LOG_TAG, level)  # thread-safe
        except Exception:  # noqa: BLE001 - logging must never raise into the caller
            self.handleError(record)


def route_logging() -> QgisLogHandler:
    """Send the package's log records to QGIS's log (the plugin calls it at load, and
    :func:`unroute_logging` at unload)."""
    handler = QgisLogHandler()
    package = logging.getLogger(__name__.rsplit(".", 1)[0])
    package.addHandler(handler)
    if package.level == logging.NOTSET or package.level > logging.INFO:
        package.setLevel(logging.INFO)
    return handler


def unroute_logging(handler: logging.Handler) -> None:
    logging.getLogger(__name__.rsplit(".", 1)[0]).removeHandler(handler)


def error_text(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, SchoolDetectorError):
        return exc.message, exc.details
    return f"Unexpected error: {exc}", ""


#: a message longer than this shows its first sentence on the bar, the rest behind "More"
SHORT = 160
#: the message on the bar for each topic (a job's title…): the next one replaces it
_topics: dict[str, Any] = {}


def withdraw(iface: Any, topic: str) -> None:
    """Take a topic's message off the bar (it no longer holds: the job succeeded since)."""
    item = _topics.pop(topic, None)
    bar = iface.messageBar() if iface is not None else None
    if item is None or bar is None:
        return
    try:
        if item in bar.items():
            bar.popWidget(item)
    except RuntimeError:  # the mapper closed it already
        pass


def _push(iface: Any, title: str, message: str, level: Any, duration: int, topic: str | None = None) -> None:
    """One message on the bar: short text there, the whole of a long one behind its "More"
    button (the bar would cut it off, and shows one line); a message of the same ``topic``
    replaces the previous one (a slider moved 30 times is one message, not 30)."""
    bar = iface.messageBar() if iface is not None else None
    if bar is None:
        return
    if topic is not None:
        withdraw(iface, topic)
    line = " · ".join(part.strip() for part in message.splitlines() if part.strip())
    if len(line) <= SHORT:  # lines joined: the bar shows one
        bar.pushMessage(title, line, level, duration)
    else:
        first = line.split(". ")[0].rstrip(".") + "."
        bar.pushMessage(title, first if len(first) <= SHORT else line[: SHORT - 1] + "…", message, level, duration)
    item = bar.currentItem() if hasattr(bar, "currentItem") else None
    if topic is not None and item is not None:
        _topics[topic] = item


def report_error(iface: Any, exc: BaseException, title: str = "School detector") -> None:
    """Message bar: what happened and what to do (once: an error some part of the plugin has
    already shown is only logged), replacing the last message of the same title (a job's
    error is withdrawn when the job succeeds: :func:`withdraw`). Log: everything needed to debug it."""
    message, details = error_text(exc)
    RECENT_ERRORS.append(message)
    log(message + (f"\n{details}" if details else ""), Qgis.MessageLevel.Critical)
    if isinstance(exc, SchoolDetectorError) and exc.shown:
        return
    hint = " (details in the log: View > Panels > Log Messages)" if details else ""
    _push(iface, title, message + hint, Qgis.MessageLevel.Critical, 0, topic=title)


def report_info(
    iface: Any, message: str, title: str = "School detector", duration: int = 6, topic: str | None = None
) -> None:
    """An outcome on the bar (and in the log); ``topic``: it replaces the last message of that topic."""
    log(message)
    _push(iface, title, message, Qgis.MessageLevel.Info, duration, topic)


_runtime_offer: list[Any] = []  # the bar's "Set up ML runtime…" message, while it is shown


def offer_runtime_setup(iface: Any, text: str, button_text: str, on_setup: Any) -> None:
    """One message with a button to set the runtime up (not also an error for the same thing);
    shown once, until :func:`runtime_ready` takes it away or the mapper closes it."""
    bar = iface.messageBar() if iface is not None else None
    if bar is None:
        return
    if _runtime_offer:
        if any(item in _runtime_offer for item in bar.items()):
            return  # still on the bar
        _runtime_offer.clear()  # the mapper closed it: the next action that needs the runtime offers again
    from qgis.PyQt.QtWidgets import QPushButton

    from .gui.signals import on_click

    widget = bar.createMessage("School detector", text)
    button = QPushButton(button_text, widget)
    on_click(button, on_setup)
    widget.layout().addWidget(button)
    bar.pushWidget(widget, Qgis.MessageLevel.Warning, 0)
    _runtime_offer.append(widget)


def runtime_ready(iface: Any) -> None:
    """The runtime is set up: the offer to set it up goes away."""
    bar = iface.messageBar() if iface is not None else None
    while _runtime_offer:
        widget = _runtime_offer.pop()
        if bar is not None:
            try:
                bar.popWidget(widget)
            except RuntimeError:  # the mapper closed it already
                pass
