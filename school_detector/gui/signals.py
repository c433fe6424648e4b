"""Buttons and actions run their slot with no argument.

Qt's ``clicked(bool checked)`` and ``triggered(bool checked)`` carry the button's checked flag,
and PyQt hands it to a connected method that can take it: a slot with an optional parameter
(``setup_runtime(pip_args=None)``, ``start(confirm=True)``) then runs with ``False`` in it and
does something else than what the person clicked for. Every button and action is connected
here instead, so a slot never receives the flag; tests/unit/test_signals.py checks that no
``clicked``/``triggered`` is connected anywhere else, and that no signal fills a slot's optional
parameter.

A lambda on the button's own signal is safe to leave connected: the button (a child of its
dialog) is deleted with the dialog, and the connection with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def on_click(button: Any, slot: Callable[[], object]) -> None:
    """``slot()`` when ``button`` (any QAbstractButton) is clicked: by mouse, key or QTest."""
    button.clicked.connect(lambda _checked=False: slot())


def on_trigger(action: Any, slot: Callable[[], object]) -> None:
    """``slot()`` when ``action`` (a QAction: menu entry or toolbar button) is triggered."""
    action.triggered.connect(lambda _checked=False: slot())
