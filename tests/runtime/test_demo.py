"""`make demo`'s pipeline end to end on a smaller scene (the full one runs in `make demo`):
its outputs exist and agree with each other, its numbers against the ground truth hold, and a
second run reuses what the first made."""

import json
import sqlite3
import subprocess
import sys

import numpy as np
from PIL import Image

from tests.paths import ROOT


def run_demo(out):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), "--out", str(out), "--tiles", "10", "--schools", "24"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout, json.loads((out / "summary.json").read_text())


def test_demo_runs_the_whole_loop_and_a_second_run_reuses_it(tmp_path):
    stdout, summary = run_demo(tmp_path)
    for line in ("chips", "test split", "scan", "vs truth", "map", "total"):
        assert f"  {line}" in stdout
    out = summary["outputs"]
    manifest = (tmp_path / "dataset" / "manifest.csv").read_text().splitlines()
    assert summary["chips"] == len(manifest) - 1 > 20
    assert summary["tiles"] == 100 and summary["tiles_per_s"] > 0
    with sqlite3.connect(out["results"]) as c:  # the review GeoPackage, with the review fields
        candidates = c.execute("SELECT COUNT(*) FROM candidates WHERE status = 'unreviewed'").fetchone()[0]
        scored = c.execute("SELECT COUNT(*) FROM tile_scores WHERE score IS NOT NULL").fetchone()[0]
    assert candidates == summary["candidates"] > 0 and scored == 100
    truth = summary["truth"]
    assert truth["schools"] == 24
    assert truth["recall"] >= 0.5 and truth["precision"] >= 0.5  # a small model on a small scene
    assert summary["test"]["roc_auc"] >= 0.7
    image = np.asarray(Image.open(out["map"]).convert("RGB")).astype(int)
    assert image.shape[1] == 1600
    # candidate markers in the review style's unreviewed colours are on the map
    colours = np.array([[0xFF, 0xD6, 0x0A], [0xFF, 0x95, 0x00], [0xFF, 0x2D, 0x55]])
    near = (np.abs(image[:, :, None, :] - colours[None, None]).max(axis=-1) < 12).any(axis=-1)
    assert near.sum() > 20 * summary["candidates"]

    again, second = run_demo(tmp_path)
    assert "reusing the model trained by an earlier run" in again
    assert second["candidates"] == summary["candidates"] and second["tiles_per_s"] is None  # resumed: no rescan
