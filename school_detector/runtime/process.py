"""Every process the plugin starts (runtime jobs, the local model server, pip and venv during the
runtime set-up) is started, followed, cancelled and stopped here, the same way on Windows,
macOS and Linux.

The control channel is the child's standard input, kept open by the parent:

* a line ``cancel`` asks a ``school-detector`` command to stop at its next safe point (training
  after the batch, keeping the best checkpoint; a scan after the batch; chips after the chip);
* end-of-file means the parent is gone (closed, crashed or killed: the operating system closes
  the pipe), and the command stops by itself; the local server shuts down.

No POSIX-only signals are needed for that, and no console window opens on Windows. Processes
that don't speak the channel (pip) are terminated, then killed, with their children.
The child's half (reading the channel) is :func:`listen` below, started by the CLI's
``--control stdin``.
"""

from __future__ import annotations

import ntpath
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

STDERR_TAIL_CHARS = 4000
CANCEL = "cancel"
#: the option that makes a ``school-detector`` command read the control channel
CONTROL_ARGS = ("--control", "stdin")
#: how long a cooperative cancel may take (a training batch on a slow CPU) before a kill
CANCEL_GRACE_S = 60.0


@dataclass
class ProcessOutcome:
    returncode: int | None
    stderr_tail: str
    cancelled: bool


def popen_options() -> dict[str, Any]:
    """No console window for our children on Windows; their own process group elsewhere (a
    Ctrl-C in a terminal that runs QGIS is not theirs)."""
    if os.name == "nt":
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0x08000000) | getattr(
            subprocess, "CREATE_NEW_PROCESS_GROUP", 0x00000200
        )
        return {"creationflags": flags}
    return {"start_new_session": True}


def windows_tool(name: str) -> str:
    """A Windows system tool by its full path (System32 of this Windows), not by a PATH lookup
    that a folder earlier on PATH could answer."""
    return ntpath.join(os.environ.get("SystemRoot") or r"C:\Windows", "System32", name)


class ChildProcess:
    """A child whose stdout lines arrive on a queue (a reader thread: the caller polls for
    cancellation instead of blocking on a silent pipe), whose stderr goes to a temporary file
    (or into stdout), and whose stdin is the control channel when ``control`` is set."""

    def __init__(
        self,
        cmd: Sequence[str],
        env: Mapping[str, str],
        control: bool = True,
        merge_stderr: bool = False,
        cwd: str | None = None,
    ) -> None:
        self.control = control
        self._err: IO[str] = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
        # an argument list, no shell: the runtime's Python, pip or venv
        self.proc = subprocess.Popen(  # nosec B603
            list(cmd),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else self._err,
            stdin=subprocess.PIPE if control else subprocess.DEVNULL,
            env=dict(env),
            cwd=cwd,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            **popen_options(),
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, daemon=True, name="child-stdout")
        self._reader.start()

    def _pump(self) -> None:
        for line in self.proc.stdout or ():  # always a pipe (Popen above)
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, command: str) -> bool:
        """A line on the control channel; False when the child no longer listens."""
        stdin = self.proc.stdin
        if stdin is None or stdin.closed:
            return False
        try:
            stdin.write(command + "\n")
            stdin.flush()
            return True
        except (OSError, ValueError):  # the child has exited: a broken pipe
            return False

    def close_control(self) -> None:
        """End-of-file on the channel: "your parent is done", the child stops by itself."""
        stdin = self.proc.stdin
        if stdin is not None and not stdin.closed:
            try:
                stdin.close()
            except OSError:
                pass

    def cancel(self, grace_s: float = CANCEL_GRACE_S) -> None:
        """Ask for a cooperative stop (or terminate a child without the channel); kill the
        whole process tree if it has not stopped after ``grace_s``."""
        if not self.running:
            return
        if not (self.control and self.send(CANCEL)):
            self._terminate()
        self.wait_or_kill(grace_s)

    def stop(self, grace_s: float = 10.0) -> None:
        """Close the channel and wait for the child to go; kill it if it does not."""
        self.close_control()
        if not self.control:
            self._terminate()
        self.wait_or_kill(grace_s)

    def wait_or_kill(self, grace_s: float) -> None:
        try:
            self.proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def _terminate(self) -> None:
        if not self.running:
            return
        try:
            if os.name == "posix":
                os.killpg(self.proc.pid, signal.SIGTERM)
            else:
                self.proc.terminate()
        except (ProcessLookupError, PermissionError):
            pass

    def kill(self) -> None:
        """The child and its children, at once (pip's build processes, TensorFlow's threads)."""
        if self.running:
            try:
                if os.name == "posix":
                    os.killpg(self.proc.pid, signal.SIGKILL)
                else:
                    # Windows' own taskkill by its full path, on our child's pid
                    subprocess.run(  # nosec B603
                        [windows_tool("taskkill.exe"), "/F", "/T", "/PID", str(self.proc.pid)],
                        capture_output=True,
                        check=False,
                        **popen_options(),
                    )
            except (ProcessLookupError, PermissionError, OSError):
                pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def stderr_tail(self) -> str:
        try:
            self._err.flush()
            self._err.seek(0)
            return self._err.read()[-STDERR_TAIL_CHARS:]
        except (OSError, ValueError):
            return ""

    def close(self) -> None:
        """Release the pipes and the stderr file (after the child has exited)."""
        self.close_control()
        self._reader.join(timeout=2)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._err.close()


def stream_process(
    cmd: Sequence[str],
    env: Mapping[str, str],
    on_line: Callable[[str], None],
    is_cancelled: Callable[[], bool],
    merge_stderr: bool = False,
    cwd: str | None = None,
    control: bool = True,
) -> ProcessOutcome:
    """Run ``cmd`` to its end: ``on_line`` for each stdout line, a cancel when ``is_cancelled()``
    turns true (then keep reading: its last lines say what it kept). ``control``: the child
    reads the control channel (``school-detector ... --control stdin``)."""
    child = ChildProcess(cmd, env, control=control, merge_stderr=merge_stderr, cwd=cwd)
    cancelled = False
    canceller: threading.Thread | None = None
    try:
        while True:
            if not cancelled and is_cancelled():
                cancelled = True
                canceller = threading.Thread(target=child.cancel, daemon=True, name="child-cancel")
                canceller.start()
            try:
                line = child.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            on_line(line)
        child.proc.wait()
        if canceller is not None:
            canceller.join(timeout=1)
        return ProcessOutcome(child.proc.returncode, child.stderr_tail(), cancelled)
    except BaseException:
        child.kill()
        raise
    finally:
        child.close()


# -- the child's half ---------------------------------------------------------------------------
def listen(
    on_cancel: Callable[[], None], on_close: Callable[[], None], stream: IO[str] | None = None
) -> threading.Thread:
    """Read the control channel in a daemon thread: ``cancel`` lines call ``on_cancel``;
    end-of-file (the parent closed it, or died) calls ``on_close``."""
    source = stream if stream is not None else sys.stdin

    def loop() -> None:
        try:
            for line in source:
                if line.strip() == CANCEL:
                    on_cancel()
        except (OSError, ValueError):
            pass
        on_close()

    thread = threading.Thread(target=loop, daemon=True, name="control-channel")
    thread.start()
    return thread
