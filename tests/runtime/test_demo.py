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
        [sys.executable, str(ROOT / "scripts" / "demo.py"), "--out", str(out), "--tiles", "14", "--schools", "20"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout, json.loads((out / "summary.json").read_text())


def test_demo_runs_the_whole_loop_and_a_second_run_reuses_it(tmp_path):
    stdout, summary = run_demo(tmp_path)
    for line in ("district", "chips", "test split", "scan", "set aside", "to visit", "on the school", "map", "total"):
        assert f"  {line}" in stdout
    out = summary["outputs"]
    manifest = (tmp_path / "dataset" / "manifest.csv").read_text().splitlines()
    assert summary["chips"] == len(manifest) - 1 > 20
    truth = summary["truth"]
    with sqlite3.connect(out["results"]) as c:  # the review GeoPackage, with the review fields
        to_review = c.execute("SELECT COUNT(*) FROM candidates WHERE status = 'unreviewed'").fetchone()[0]
        known = c.execute("SELECT COUNT(*) FROM candidates WHERE status = 'known'").fetchone()[0]
        uninhabited = c.execute("SELECT COUNT(*) FROM tile_scores WHERE note = 'uninhabited'").fetchone()[0]
        located = c.execute("SELECT COUNT(*) FROM candidates WHERE location = 'model'").fetchone()[0]
    assert to_review == summary["to_review"] > 0 and known == truth["known_set_aside"] > 0
    assert uninhabited == truth["uninhabited_tiles"] > 0  # empty land was never fetched
    assert located == to_review + known  # every point is the model's, none a tile centre
    assert truth["places_on_known_schools"] == 0
    assert truth["new_schools_found"] >= 1 and truth["places_to_visit"] >= truth["new_schools_found"]
    assert truth["point_to_school_m"]["median"] < 45  # tile centres are ~60 m off (a small model, a small scene)
    assert summary["test"]["roc_auc"] >= 0.7
    image = np.asarray(Image.open(out["map"]).convert("RGB")).astype(int)
    assert image.shape[1] == 1600 and (tmp_path / "detections-detail.png").is_file()
    # the markers are on the map: to review in the score colours, known schools in blue
    colours = np.array([[0xFF, 0xD6, 0x0A], [0xFF, 0x95, 0x00], [0xFF, 0x2D, 0x55], [0x0A, 0x84, 0xFF]])
    near = (np.abs(image[:, :, None, :] - colours[None, None]).max(axis=-1) < 12).any(axis=-1)
    assert near.sum() > 20 * (summary["to_review"] + known)

    again, second = run_demo(tmp_path)
    assert "reusing the model trained by an earlier run" in again
    assert second["to_review"] == summary["to_review"] and second["tiles_per_s"] is None  # resumed: no rescan
