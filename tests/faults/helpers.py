"""Killing the CLI at a chosen moment (running it: tests.support.cli)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

from tests.paths import ROOT
from tests.support.cli import cli_env, command

Event = dict[str, Any]


def kill_when(args: list[str], when: Callable[[Event], bool], delay: float = 0.0, timeout: float = 300) -> list[Event]:
    """Start the CLI, SIGKILL it ``delay`` seconds after ``when(event)`` first holds; the kill
    must land while it runs (a job that finished first would inject no fault)."""
    proc = subprocess.Popen(
        command(*args), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=cli_env()
    )
    assert proc.stdout is not None
    seen: list[Event] = []
    deadline = time.time() + timeout
    for line in proc.stdout:
        if line.startswith("{"):
            seen.append(json.loads(line))
            if when(seen[-1]):
                break
        assert time.time() < deadline, "the job never reached the moment to kill it"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, f"the job ended by itself ({proc.returncode}) before the kill"
    return seen
