"""Cooperative cancellation for long CLI jobs.

SIGTERM (what the plugin's Cancel sends) sets a flag; jobs that check it (training at batch
end, chip cutting per chip) stop at a safe point and keep what they wrote. Jobs that don't
opt in are interrupted at once with JobCancelled.
"""

from __future__ import annotations

import threading

from ..core.errors import JobCancelled

_event = threading.Event()
_cooperative = False


def request() -> None:
    if not _cooperative:
        raise JobCancelled("Cancelled.")
    _event.set()


def cooperate() -> None:
    """Called by a job that checks :func:`requested` at safe points."""
    global _cooperative
    _cooperative = True


def requested() -> bool:
    return _event.is_set()


def reset() -> None:
    global _cooperative
    _cooperative = False
    _event.clear()
