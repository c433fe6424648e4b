"""Replacing a file safely on every OS.

A result is written to a temporary name and moved over the target, so a reader never sees half
a file. On Windows the move fails while another program holds the target open (QGIS showing the
layer, an antivirus scanning it): a few short retries cover a scan, and a message that says what
to do covers a layer still open; the new content stays in the temporary file either way.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .errors import InputError


def replace_file(tmp: Path, target: Path, attempts: int = 10, wait: float = 0.2) -> None:
    """``os.replace(tmp, target)``, retried while another program holds ``target``."""
    for attempt in range(attempts):
        try:
            os.replace(tmp, target)
            return
        except PermissionError as exc:
            if attempt == attempts - 1:
                raise InputError(
                    f"{target} is open in another program (on Windows, QGIS keeps a layer's file open): "
                    f"remove its layer from the project or close the program, then try again. The new "
                    f"version is kept as {tmp}.",
                    str(exc),
                ) from exc
            time.sleep(wait)


def write_text(path: Path, text: str) -> None:
    """Write a text file whole or not at all."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    replace_file(tmp, path)
