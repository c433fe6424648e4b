"""Running the CLI as the plugin does (``python -m school_detector.cli ... --progress jsonl``)."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from tests.paths import ROOT


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "school_detector.cli", *args, "--progress", "jsonl"]


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", **(extra or {}))


def run_cli(
    *args: str,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """The finished process and its JSON events; ``env`` adds variables, ``preexec`` runs in the
    child before the CLI starts (resource limits for fault tests)."""
    proc = subprocess.run(
        command(*args), cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=cli_env(env),
        preexec_fn=preexec,
    )  # fmt: skip
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return proc, events


def result_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return next(e for e in events if e["event"] == "result")["data"]


def file_limit(nbytes: int) -> Callable[[], None]:
    """A ``preexec`` making writes past ``nbytes`` fail with EFBIG, exactly where a full disk
    fails with ENOSPC (RLIMIT_FSIZE: no privileges needed, SIGXFSZ ignored so a write fails
    instead of the process being killed)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))

    return apply
