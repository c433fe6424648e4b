"""Cooperative cancellation for long CLI jobs, whatever asks for it.

Three ways in, one outcome: a ``cancel`` line on the control channel (what the plugin's Cancel
sends, on every OS: runtime.process), SIGTERM or Ctrl-C (shell users). Jobs that opt in with
:func:`cooperate` (training at batch end, chips per chip, scans per batch) see
:func:`requested` turn true and stop at a safe point, keeping what they wrote. Other jobs are
interrupted at once. End-of-file on the channel (the parent is gone) cancels too, unless a
command registered its own way to stop (:func:`on_close`: the server shuts down).
"""

from __future__ import annotations

import _thread
import threading
from collections.abc import Callable

from ..core.errors import JobCancelled

_event = threading.Event()
_cooperative = False
_close_hooks: list[Callable[[], None]] = []


def request() -> None:
    """From a signal handler (main thread): flag it, and interrupt a job that doesn't check."""
    _event.set()
    if not _cooperative:
        raise JobCancelled("Cancelled.")


def request_from_channel() -> None:
    """From the control channel's thread: flag it, and interrupt the main thread of a job that
    doesn't check (as Ctrl-C would, on every OS)."""
    _event.set()
    if not _cooperative:
        _thread.interrupt_main()


def on_close(hook: Callable[[], None]) -> None:
    """Run ``hook`` instead of a cancel when the parent closes the channel."""
    _close_hooks.append(hook)


def parent_gone() -> None:
    if _close_hooks:
        for hook in _close_hooks:
            hook()
    else:
        request_from_channel()


def cooperate() -> None:
    """Called by a job that checks :func:`requested` at safe points."""
    global _cooperative
    _cooperative = True


def requested() -> bool:
    return _event.is_set()
