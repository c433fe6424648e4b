"""The disk filling up during a chip build and a scan. The fault is a real failed write: the
job runs with a file-size limit (RLIMIT_FSIZE, so writes past it fail with EFBIG exactly where a
full disk fails with ENOSPC; no privileges needed). The job stops with a clear message, leaves
nothing half-written, and the same command finishes the job once there is room."""

from __future__ import annotations

import csv
import sqlite3

from PIL import Image

from tests.support.cli import file_limit, result_of, run_cli


def test_chips_on_a_full_disk_stop_clearly_and_resume(scene, tmp_path):
    out = tmp_path / "ds"
    args = ["chips", "--imagery", str(scene / "scene.tif"), "--labels", str(scene / "labels.gpkg"), "--out", str(out)]
    proc, events = run_cli(*args, preexec=file_limit(20_000))  # chips are ~100 KB: the first write fails
    assert proc.returncode == 2
    error = next(e for e in events if e["event"] == "error")
    assert error["kind"] == "DiskFull" and "Out of disk space" in error["message"]
    assert "run the same command again" in error["message"]
    assert not list(out.rglob("*.tmp"))  # nothing half-written
    for png in out.rglob("*.png"):
        with Image.open(png) as im:
            im.load()
    proc, events = run_cli(*args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = list(csv.DictReader((out / "manifest.csv").open()))
    assert len(rows) == result_of(events)["chips"] > 0 and all((out / r["file"]).is_file() for r in rows)


def test_scan_on_a_full_disk_keeps_whole_batches_and_resumes(big_scene, model, tmp_path):
    from school_detector.scan.store import ResultStore

    out = tmp_path / "r.gpkg"
    ResultStore(out, "schools:1", 0.5).close()  # the file exists; the disk then fills up
    args = ["scan", "--imagery", str(big_scene / "scene.tif"), "--model", str(model), "--out", str(out),
            "--batch-size", "4", "--workers", "1", "--resume"]  # fmt: skip
    proc, events = run_cli(*args, preexec=file_limit(out.stat().st_size))  # not one more page
    assert proc.returncode == 2
    error = next(e for e in events if e["event"] == "error")["message"]
    assert "Out of disk space" in error and "resume" in error
    with sqlite3.connect(out) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        partial = c.execute("SELECT COUNT(*) FROM tile_scores").fetchone()[0]
    assert partial % 4 == 0 and partial < 144  # whole batches only
    proc, events = run_cli(*args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = result_of(events)
    assert res["resumed"] == partial and res["scored_now"] + partial == res["tiles"]
    with sqlite3.connect(out) as c:
        assert c.execute("SELECT COUNT(*), COUNT(DISTINCT tile) FROM tile_scores").fetchone() == (res["tiles"],) * 2
