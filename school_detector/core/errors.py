"""Typed errors that carry a message a user can act on, plus details for the log.

Every layer raises these; exactly one place per front end (the CLI's ``main`` and the
plugin's notifier) turns them into text, so messages stay consistent.
"""

from __future__ import annotations

from typing import Any


class SchoolDetectorError(Exception):
    """Base class: ``message`` says what went wrong and what to do; ``details`` is for logs.
    ``shown``: a front end already put it in front of the user (the notifier then only logs it)."""

    exit_code = 1

    def __init__(self, message: str, details: str = "", shown: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.shown = shown

    def to_dict(self) -> dict[str, str]:
        return {"kind": type(self).__name__, "message": self.message, "details": self.details}


class InputError(SchoolDetectorError):
    """The user's input (file, layer, parameter) cannot be used as given."""

    exit_code = 2


class NoChipsError(InputError):
    """Not one chip could be cut from the imagery (the message counts why per tile)."""


class OtherScanError(InputError):
    """The results file holds another scan (another model, chips or imagery): one file holds
    one scan, so the front end offers a new file."""


class ModelCardError(InputError):
    """A model folder's ``model_card.json`` is missing, unreadable or inconsistent."""


class RuntimeMissingError(SchoolDetectorError):
    """No usable ML runtime (Python with TensorFlow) was found or it does not start."""


class RuntimeJobError(SchoolDetectorError):
    """A job in the ML runtime failed; ``details`` holds the tail of its stderr."""


class RuntimeSetupError(SchoolDetectorError):
    """Creating the managed ML runtime failed (network, disk, pip)."""


class JobCancelled(SchoolDetectorError):
    """The user cancelled a long job; whatever was written so far is consistent. ``result``:
    what the job still delivered (a cancelled training exports its best model so far)."""

    exit_code = 130

    def __init__(self, message: str, details: str = "", result: dict[str, Any] | None = None) -> None:
        super().__init__(message, details)
        self.result = result
