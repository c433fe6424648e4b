"""The runtime process module with a plain Python child: the control channel's cancel line, its
end-of-file, and the kill of a child that doesn't listen. (The real CLI on the channel is in
tests/runtime/test_process_channel.py.)"""

from __future__ import annotations

import sys
import time

from school_detector.runtime.process import ChildProcess, stream_process, windows_tool

# a child that speaks the channel: counts until told to cancel, exits by itself at end-of-file
LISTENER = """
import sys, threading, time
state = {"cancel": False, "eof": False}
def listen():
    for line in sys.stdin:
        if line.strip() == "cancel":
            state["cancel"] = True
    state["eof"] = True
threading.Thread(target=listen, daemon=True).start()
print("ready", flush=True)
for i in range(600):
    if state["cancel"]:
        print("stopped at a safe point", flush=True)
        sys.exit(130)
    if state["eof"]:
        print("parent gone", flush=True)
        sys.exit(0)
    time.sleep(0.05)
"""
DEAF = "import time\nprint('ready', flush=True)\ntime.sleep(120)\n"


def wait_ready(child: ChildProcess) -> None:
    assert child.lines.get(timeout=20) == "ready"


def test_a_cancel_line_stops_the_child_at_its_safe_point() -> None:
    lines: list[str] = []
    started = time.monotonic()
    outcome = stream_process(
        [sys.executable, "-c", LISTENER], {}, lines.append, lambda: time.monotonic() - started > 0.5
    )
    assert outcome.cancelled and outcome.returncode == 130
    assert lines == ["ready", "stopped at a safe point"]


def test_end_of_file_means_the_parent_is_gone() -> None:
    child = ChildProcess([sys.executable, "-c", LISTENER], {}, control=True)
    wait_ready(child)
    child.close_control()
    child.proc.wait(10)
    assert child.proc.returncode == 0 and child.lines.get(timeout=5) == "parent gone"
    child.close()


def test_a_child_without_the_channel_is_terminated_then_killed() -> None:
    started = time.monotonic()
    outcome = stream_process(
        [sys.executable, "-c", DEAF], {}, lambda line: None, lambda: time.monotonic() - started > 0.3, control=False
    )
    assert outcome.cancelled and outcome.returncode != 0
    assert time.monotonic() - started < 15


def test_stop_kills_a_child_that_ignores_end_of_file() -> None:
    child = ChildProcess([sys.executable, "-c", DEAF], {}, control=True)
    wait_ready(child)
    started = time.monotonic()
    child.stop(grace_s=0.5)
    assert not child.running and time.monotonic() - started < 12
    child.close()


def test_windows_tools_are_called_by_full_path(monkeypatch) -> None:
    """taskkill from this Windows' System32, never whatever a PATH lookup finds first."""
    monkeypatch.setenv("SystemRoot", r"D:\WINDOWS")
    assert windows_tool("taskkill.exe") == r"D:\WINDOWS\System32\taskkill.exe"
    monkeypatch.delenv("SystemRoot")
    assert windows_tool("taskkill.exe") == r"C:\Windows\System32\taskkill.exe"
