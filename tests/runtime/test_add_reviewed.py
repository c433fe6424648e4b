"""Reviewed candidates flow back into the training data (the active-learning loop)."""

import csv
import json
import sqlite3

import pytest
from PIL import Image

from school_detector.core.chip_plan import ChipPlan, block_of
from school_detector.core.progress import Reporter
from school_detector.core.tiles import parse_tile_id, tile_for_xy
from school_detector.dataset.builder import BuildOptions, build_dataset
from school_detector.dataset.labels_io import LabelMapping, read_labels
from school_detector.imagery.raster import RasterSource
from school_detector.sample.scene import SceneSpec, write_scene
from school_detector.scan.store import ResultStore


def test_add_reviewed_chips_with_the_dataset_rules(tmp_path, cli):
    write_scene(SceneSpec(tiles=8, seed=12), tmp_path / "scene")
    points, _ = read_labels(tmp_path / "scene" / "labels.gpkg", LabelMapping())
    src = RasterSource(tmp_path / "scene" / "scene.tif")
    build_dataset(points, src, tmp_path / "data", BuildOptions(), Reporter("callback"))
    before = json.loads((tmp_path / "data" / "dataset.json").read_text())
    manifest = list(csv.DictReader((tmp_path / "data" / "manifest.csv").open()))
    present = {r["tile"] for r in manifest}
    schools = {r["tile"] for r in manifest if r["label"] == "school"}
    e = src.extent_3857()
    first = tile_for_xy(e.west + 1, e.north - 1, 18)
    tiles = [type(first)(first.x + i, first.y + j, 18) for i in range(8) for j in range(8)]
    fresh = [t for t in tiles if t.id not in present][:6]
    again = next(t for t in tiles if t.id in schools)
    store = ResultStore(tmp_path / "r.gpkg", "schools:1", 0.0)
    store.commit([(t, 0.9) for t in [*fresh, again]])
    store.close()
    with sqlite3.connect(tmp_path / "r.gpkg") as c:
        for i, t in enumerate(fresh):
            c.execute("UPDATE candidates SET status=? WHERE tile=?", ("confirmed" if i % 2 else "rejected", t.id))
        c.execute("UPDATE candidates SET status='confirmed' WHERE tile=?", (again.id,))
    proc, events = cli(
        "add-reviewed",
        "--results",
        str(tmp_path / "r.gpkg"),
        "--imagery",
        str(tmp_path / "scene" / "scene.tif"),
        "--data",
        str(tmp_path / "data"),
    )
    assert proc.returncode == 0, events[-1]
    res = next(e for e in events if e["event"] == "result")["data"]
    assert res["added"] == 6 and res["by_label"] == {"not-school": 3, "school": 3}
    assert res["skipped"] == {"already in the dataset as school": 1} and res["dataset_version"] == 2
    after = json.loads((tmp_path / "data" / "dataset.json").read_text())
    assert after["chips"] == before["chips"] + 6 and after["fingerprint"] != before["fingerprint"]
    rows = list(csv.DictReader((tmp_path / "data" / "manifest.csv").open()))
    added = [r for r in rows if r["origin"].startswith("review-")]
    assert len(added) == 6
    levels = after["split"]["block_levels"]
    splits = {}
    for r in rows:  # still leak-free: one split per block, old and new chips alike
        block = block_of(ChipPlan("", parse_tile_id(r["tile"]), r["label"]), levels)
        assert splits.setdefault(block, r["split"]) == r["split"]
    for r in added:
        assert r["label"] == ("school" if r["origin"] == "review-confirmed" else "not-school")
        assert Image.open(tmp_path / "data" / r["file"]).size == (256, 256)
    proc, events = cli(
        "add-reviewed",
        "--results",
        str(tmp_path / "r.gpkg"),
        "--imagery",
        str(tmp_path / "scene" / "scene.tif"),
        "--data",
        str(tmp_path / "data"),
    )
    res = next(e for e in events if e["event"] == "result")["data"]
    assert res["added"] == 0 and res["dataset_version"] == 2  # nothing twice


def test_add_reviewed_needs_a_dataset(tmp_path, cli):
    store = ResultStore(tmp_path / "r.gpkg", "m", 0.5)
    store.close()
    write_scene(SceneSpec(tiles=2, seed=1), tmp_path / "scene")
    proc, events = cli(
        "add-reviewed",
        "--results",
        str(tmp_path / "r.gpkg"),
        "--imagery",
        str(tmp_path / "scene" / "scene.tif"),
        "--data",
        str(tmp_path / "nodata"),
    )
    assert proc.returncode == 2 and "dataset.json" in events[-1]["message"]


def review_copy(src, dst, decisions, reviewer, at):
    import shutil

    shutil.copy(src, dst)
    with sqlite3.connect(dst) as c:
        for tile, status in decisions.items():
            c.execute(
                "UPDATE candidates SET status=?, reviewer=?, reviewed_at=? WHERE tile=?", (status, reviewer, at, tile)
            )
    return dst


def test_cli_export_and_merge_of_mappers_reviews(tmp_path, cli):
    from school_detector.core.tiles import Tile

    store = ResultStore(tmp_path / "scan.gpkg", "schools:1", 0.5)
    store.commit([(Tile(500, 700, 18), 0.9), (Tile(501, 700, 18), 0.8), (Tile(520, 700, 18), 0.7)])
    store.close()
    ana = review_copy(
        tmp_path / "scan.gpkg",
        tmp_path / "ana.gpkg",
        {"18/500/700": "confirmed", "18/501/700": "confirmed"},
        "ana",
        "1",
    )
    ben = review_copy(tmp_path / "scan.gpkg", tmp_path / "ben.gpkg", {"18/520/700": "rejected"}, "ben", "2")
    proc, events = cli("merge", str(tmp_path / "scan.gpkg"), str(ana), str(ben), "--out", str(tmp_path / "all.gpkg"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    merged = next(e for e in events if e["event"] == "result")["data"]
    assert merged["conflicts"] == 0 and merged["decisions_merged"] == 3
    out = tmp_path / "schools.csv"
    proc, events = cli(
        "export", "--results", str(tmp_path / "all.gpkg"), "--status", "confirmed", "--format", "csv",
        "--one-per-place", "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = next(e for e in events if e["event"] == "result")["data"]
    assert res["exported"] == 1 and res["review_precision"] == pytest.approx(2 / 3, abs=1e-3)
    (row,) = list(csv.DictReader(out.open()))
    assert row["place_tiles"] == "2" and row["reviewer"] == "ana" and row["tile"] == "18/500/700"


def test_a_confirmed_school_on_a_not_school_chip_becomes_a_school_chip(tmp_path):
    """A random background tile that holds an unmapped school, confirmed by a mapper: the chip
    moves to school (its history says so) and the school joins the dataset's known schools, so
    the next model learns it and the next scan sets it aside."""
    from school_detector.review.add_reviewed import add_reviewed
    from school_detector.scan.known import read_known

    write_scene(SceneSpec(tiles=8, seed=12), tmp_path / "scene")
    points, _ = read_labels(tmp_path / "scene" / "labels.gpkg", LabelMapping())
    src = RasterSource(tmp_path / "scene" / "scene.tif")
    build_dataset(points, src, tmp_path / "data", BuildOptions(background_ratio=2), Reporter("callback"))
    manifest = list(csv.DictReader((tmp_path / "data" / "manifest.csv").open()))
    background = next(r for r in manifest if r["origin"] == "background")
    known_before = len(read_known(tmp_path / "data").points)
    store = ResultStore(tmp_path / "r.gpkg", "schools:1", 0.0)
    store.commit([(parse_tile_id(background["tile"]), 0.9)])
    store.close()
    with sqlite3.connect(tmp_path / "r.gpkg") as c:
        c.execute("UPDATE candidates SET status='confirmed'")
    res = add_reviewed(tmp_path / "r.gpkg", src, tmp_path / "data")
    assert res["relabeled"] == 1 and res["added"] == 0 and res["dataset_version"] == 2
    row = next(
        r for r in csv.DictReader((tmp_path / "data" / "manifest.csv").open()) if r["tile"] == background["tile"]
    )
    assert row["label"] == "school" and row["file"].split("/")[1] == "school"
    assert row["origin"] == "background, then review-confirmed"
    assert (tmp_path / "data" / row["file"]).is_file() and not (tmp_path / "data" / background["file"]).exists()
    info = json.loads((tmp_path / "data" / "dataset.json").read_text())
    assert info["history"][-1]["relabeled_school"] == [background["tile"]]
    assert len(read_known(tmp_path / "data").points) == known_before + 1
