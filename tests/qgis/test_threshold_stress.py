"""The review dock's threshold slider never crashes QGIS: 200 moves across the scan's threshold
with the layers in a legend and a redrawing canvas, in several separate runs (a crash kills
only that run's process, and is a failure here)."""

import os
import subprocess
import sys
from pathlib import Path

RUNS = 3
ROOT = Path(__file__).resolve().parents[2]


def test_two_hundred_slider_moves_across_the_scan_threshold_never_crash():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    for seed in range(RUNS):
        run = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "qgis" / "stress_threshold.py"), str(seed)],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            cwd=ROOT,
        )
        assert run.returncode == 0, f"run {seed}: exit {run.returncode}\n{run.stdout}\n{run.stderr[-2000:]}"
        assert "moves 200" in run.stdout, run.stdout
