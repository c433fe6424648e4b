import json
import os
import subprocess
import sys

import pytest

from tests.paths import ROOT


def run_cli(*args, timeout=300, env=None):
    """Run the CLI as the plugin does (python -m school_detector.cli ... --progress jsonl)."""
    full_env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", **(env or {}))
    proc = subprocess.run(
        [sys.executable, "-m", "school_detector.cli", *args, "--progress", "jsonl"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return proc, events


@pytest.fixture(scope="session")
def cli():
    return run_cli
