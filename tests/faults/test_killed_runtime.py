"""The ML runtime killed (SIGKILL, no clean-up at all) at seeded random moments during chips,
training and scans: what is on disk is consistent, and running the job again finishes it with
exactly what an undisturbed run makes."""

from __future__ import annotations

import csv
import json
import random
import sqlite3

import pytest
from PIL import Image

from tests.faults.helpers import kill_when
from tests.support.cli import result_of, run_cli
from tests.support.tile_server import TileServer

DELAYS = [random.Random(seed).uniform(0.0, 0.8) for seed in (1, 2, 3)]  # seconds after work starts


def started(unit: str):
    return lambda e: e["event"] == "progress" and e.get("unit") == unit and e["done"] > 0


def manifest(folder):
    with (folder / "manifest.csv").open(newline="") as f:
        return sorted((r["tile"], r["file"], r["split"], r["label"]) for r in csv.DictReader(f))


def chips_args(template, scene, out):
    return ["chips", "--imagery", template, "--labels", str(scene / "labels.gpkg"), "--background-ratio", "1",
            "--workers", "1", "--cache", str(out.parent / f"{out.name}-cache"), "--out", str(out)]  # fmt: skip


@pytest.fixture(scope="module")
def slow_tiles(scene):
    """The scene's tiles over HTTP, 40 ms each: a real, slow-enough source to kill mid-job."""
    with TileServer(scene / "tiles", delay=0.04) as server:
        yield server.template


@pytest.fixture(scope="module")
def reference_dataset(scene, slow_tiles, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "ds"
    proc, _ = run_cli(*chips_args(slow_tiles, scene, out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


@pytest.mark.parametrize("delay", DELAYS)
def test_chips_killed_leave_whole_chips_and_resume_to_the_same_dataset(
    scene, slow_tiles, reference_dataset, tmp_path, delay
):
    out = tmp_path / "ds"
    kill_when(chips_args(slow_tiles, scene, out), started("chip"), delay)
    pngs = [p for p in out.rglob("*.png") if ".tile-cache" not in p.parts and "-cache" not in str(p)]
    for png in pngs:  # no half-written chip: each one decodes whole
        with Image.open(png) as im:
            im.load()
            assert im.size == (256, 256)
    info = out / "dataset.json"
    assert not info.exists() or json.loads(info.read_text())["complete"] is False
    proc, _ = run_cli(*chips_args(slow_tiles, scene, out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(info.read_text())["complete"] is True
    assert manifest(out) == manifest(reference_dataset)  # nothing lost, nothing twice
    assert not list(out.rglob("*.tmp"))


def test_training_killed_after_an_epoch_keeps_a_loadable_best_checkpoint(reference_dataset, tmp_path):
    from school_detector.ml.models import build_classifier

    out = tmp_path / "model"
    args = ["train", "--data", str(reference_dataset), "--model", "tiny", "--weights", "none", "--input-size", "64",
            "--epochs", "30", "--fine-tune-epochs", "0", "--batch-size", "8", "--out", str(out)]  # fmt: skip
    kill_when(args, lambda e: e["event"] == "metric", delay=0.3)
    best = out / "checkpoints" / "best.weights.h5"
    model, _ = build_classifier("tiny", 64, None)
    model.load_weights(best)  # intact: an atomic write, never a torn file
    card = out / "model_card.json"
    assert not card.exists() or json.loads(card.read_text())["backbone"] == "tiny"
    proc, _ = run_cli(*[a if a != "30" else "2" for a in args])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(card.read_text())["backbone"] == "tiny" and (out / "schools" / "1" / "saved_model.pb").is_file()


def scores(path):
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = c.execute("SELECT tile, score FROM tile_scores").fetchall()
    assert len(rows) == len({t for t, _ in rows})  # one row per tile
    return dict(rows)


@pytest.fixture(scope="module")
def reference_scan(scene, model, slow_tiles, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "r.gpkg"
    proc, _ = run_cli("scan", "--imagery", slow_tiles, "--bbox-crs", "EPSG:3857", "--bbox", bbox(scene),
                       "--model", str(model), "--out", str(out), "--batch-size", "4")  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return scores(out)


def bbox(scene):
    west, south, east, north = json.loads((scene / "scene.json").read_text())["bounds_3857"]
    return ",".join(str(v) for v in (west + 1, south + 1, east - 1, north - 1))  # the scene's own tiles


@pytest.mark.parametrize("delay", DELAYS)
def test_scan_killed_resumes_with_every_tile_once_and_the_same_scores(
    scene, model, slow_tiles, reference_scan, tmp_path, delay
):
    out = tmp_path / "r.gpkg"
    args = ["scan", "--imagery", slow_tiles, "--bbox-crs", "EPSG:3857", "--bbox", bbox(scene), "--model", str(model),
            "--out", str(out), "--batch-size", "4", "--workers", "1"]  # fmt: skip
    kill_when(args, started("tile"), delay)
    partial = scores(out)
    assert len(partial) < len(reference_scan)
    proc, events = run_cli(*args, "--resume")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert result_of(events)["resumed"] == len(partial)
    assert scores(out) == pytest.approx(reference_scan)
