"""Run a subprocess, stream its output line by line, and stop it promptly on cancel.

Shared by runtime jobs and the runtime set-up. A reader thread feeds a queue so the
caller can poll for cancellation every 100 ms instead of blocking on a silent pipe.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

STDERR_TAIL_CHARS = 4000


@dataclass
class ProcessOutcome:
    returncode: int | None
    stderr_tail: str
    cancelled: bool


def _terminate(proc: subprocess.Popen[str], grace_s: float = 20.0) -> None:
    """SIGTERM (the CLI turns it into a clean cancel), then SIGKILL if it won't stop."""
    if proc.poll() is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.wait(grace_s)
    except ProcessLookupError:
        pass


def stream_process(
    cmd: Sequence[str],
    env: Mapping[str, str],
    on_line: Callable[[str], None],
    is_cancelled: Callable[[], bool],
    merge_stderr: bool = False,
    cwd: str | None = None,
) -> ProcessOutcome:
    """Run ``cmd``; call ``on_line`` for each stdout line; terminate when ``is_cancelled()``."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        proc = subprocess.Popen(
            list(cmd),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else err,
            stdin=subprocess.DEVNULL,
            env=dict(env),
            cwd=cwd,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            start_new_session=(os.name == "posix"),
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        cancelled = False
        while True:
            if is_cancelled() and not cancelled:
                cancelled = True
                _terminate(proc)  # then keep reading: its last lines say what it kept
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                if cancelled and proc.poll() is not None and not reader.is_alive():
                    break
                continue
            if line is None:
                break
            on_line(line.rstrip("\n"))
        proc.wait()
        reader.join(timeout=2)
        err.seek(0)
        tail = err.read()[-STDERR_TAIL_CHARS:]
        return ProcessOutcome(proc.returncode, tail, cancelled)
