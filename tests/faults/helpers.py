"""Running the CLI as the plugin does, and killing it at a chosen moment."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.paths import ROOT

Event = dict[str, Any]


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "school_detector.cli", *args, "--progress", "jsonl"]


def env(**extra: str) -> dict[str, str]:
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", **extra)


def run(*args: str, timeout: float = 300, preexec: Callable[[], None] | None = None, **extra_env: str):
    proc = subprocess.run(
        command(*args), cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env(**extra_env),
        preexec_fn=preexec,
    )  # fmt: skip
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return proc, events


def result_of(events: list[Event]) -> dict[str, Any]:
    return next(e for e in events if e["event"] == "result")["data"]


def kill_when(args: list[str], when: Callable[[Event], bool], delay: float = 0.0, timeout: float = 300) -> list[Event]:
    """Start the CLI, SIGKILL it ``delay`` seconds after ``when(event)`` first holds; the kill
    must land while it runs (a job that finished first would inject no fault)."""
    proc = subprocess.Popen(
        command(*args), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env()
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


@contextmanager
def serving(model: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``school-detector serve`` on a free port: (the process, the URL it says it listens on)."""
    proc = subprocess.Popen(
        command("serve", "--model", str(model), "--port", "0"), cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, env=env(),
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = next(json.loads(x)["listening"] for x in proc.stdout if '"listening"' in x)
        yield proc, url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
