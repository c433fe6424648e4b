"""Dialogs that fit a laptop: the form scrolls, the progress and buttons stay on screen.

A 1366x768 screen leaves about 700 px for a dialog under its title bar and the task bar. The
form (labels, imagery, model, places…) goes into a scroll area; the job panel (progress, status,
Run/Cancel/Close) stays below it, always visible. The dialog opens at the size the form wants
when the screen has room, and no larger than the screen when it has not.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import QRect, QSize, Qt
from qgis.PyQt.QtGui import QGuiApplication
from qgis.PyQt.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

#: room a window manager takes around a dialog (title bar, borders) and a task bar leaves
WINDOW_MARGIN = QSize(40, 80)


def scrolling(content: QWidget, parent: QWidget) -> QScrollArea:
    """``content`` in a frameless area that scrolls vertically when it must, never narrower
    than the content; should the content outgrow it (a group box opened), it scrolls sideways
    rather than cut its right edge off."""
    scroll = QScrollArea(parent)
    scroll.setMinimumWidth(content.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return scroll


def scroll_body(parent: QWidget) -> tuple[QScrollArea, QVBoxLayout]:
    """A scrolling area and the layout its form goes into."""
    body = QWidget(parent)
    layout = QVBoxLayout(body)
    layout.setContentsMargins(0, 0, 0, 0)
    return scrolling(body, parent), layout


def fitted(want: QSize, available: QRect) -> QSize:
    """The size to open at: what the content wants, bounded by the screen less its margins."""
    return QSize(
        min(want.width(), available.width() - WINDOW_MARGIN.width()),
        min(want.height(), available.height() - WINDOW_MARGIN.height()),
    )


def fit_to_screen(dialog: QWidget, scroll: QScrollArea) -> None:
    """Resize ``dialog`` to show its whole form without scrolling where the screen allows."""
    body = scroll.widget()
    hint = dialog.sizeHint()
    bar = scroll.verticalScrollBar().sizeHint().width()
    want = QSize(
        max(hint.width(), body.sizeHint().width() + bar + 2 * scroll.frameWidth()),
        hint.height() - scroll.sizeHint().height() + body.sizeHint().height() + 2 * scroll.frameWidth(),
    )
    screen = dialog.screen() if hasattr(dialog, "screen") else None
    screen = screen or QGuiApplication.primaryScreen()
    if screen is not None:
        want = fitted(want, screen.availableGeometry())
    dialog.resize(want)


def keep_width(dialog: QWidget, scroll: QScrollArea, *collapsibles: QWidget) -> None:
    """Opening a collapsible group box can make the form wider than the dialog (the area never
    scrolls sideways): widen the dialog to it, within the screen."""

    def refit(collapsed: bool) -> None:
        if collapsed:
            return
        body = scroll.widget()
        needed = body.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(needed)
        extra = dialog.width() - scroll.width()
        screen = dialog.screen() if hasattr(dialog, "screen") else None
        screen = screen or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().width() - WINDOW_MARGIN.width() if screen is not None else needed + extra
        dialog.resize(min(max(dialog.width(), needed + extra), room), dialog.height())

    for box in collapsibles:
        box.collapsedStateChanged.connect(refit)
