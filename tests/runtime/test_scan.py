"""Scanning: finds the scene's schools; same scores in-process, via REST and the CLI; resume
after kill -9; exact shards; real rasters; and the failure cases."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
import requests

from school_detector.core import tiles as T
from school_detector.core.cover import iter_cover
from school_detector.core.gpkg import GeoPackage
from school_detector.core.progress import Reporter
from school_detector.dataset.builder import BuildOptions, build_dataset
from school_detector.dataset.labels_io import LabelMapping, read_labels
from school_detector.imagery.raster import RasterSource
from school_detector.ml.predictor import SavedModelPredictor
from school_detector.ml.train import TrainConfig, train
from school_detector.sample.scene import SceneSpec, write_scene
from school_detector.scan.region import extent_polygon, read_region
from school_detector.scan.scanner import ScanSettings, scan
from school_detector.scan.store import ResultStore
from school_detector.serving.client import Endpoint, ServingClient, ServingError
from school_detector.serving.predictor import RestPredictor
from tests.paths import ROOT, require_shared_data
from tests.support.cli import file_limit, run_cli
from tests.support.serve_process import ServeProcess

QUIET = Reporter("callback")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = tmp_path_factory.mktemp("scan")
    write_scene(SceneSpec(tiles=10, seed=6, schools=30), work / "scene")
    points, _ = read_labels(work / "scene" / "labels.gpkg", LabelMapping())
    build_dataset(
        points, RasterSource(work / "scene" / "scene.tif"), work / "data", BuildOptions(background_ratio=2.0), QUIET
    )
    train(
        work / "data",
        work / "model",
        TrainConfig(
            backbone="tiny", weights="none", input_size=64, epochs=12, fine_tune_epochs=0, batch_size=16, patience=12
        ),
        QUIET,
    )
    return work


@pytest.fixture(scope="module")
def server(world):
    srv = ServeProcess(world / "model")
    yield srv
    srv.stop()


def scores_of(path):
    with sqlite3.connect(path) as c:
        return dict(c.execute("SELECT tile, score FROM tile_scores WHERE score IS NOT NULL"))


def truth_tiles(scene):
    """Tiles holding each school's centre, and tiles touching any school compound."""
    centres, touched = [], set()
    with GeoPackage(scene / "labels.gpkg", create=False) as g:
        for _, (lon, lat), _ in g.features("truth"):
            centres.append(T.tile_for_lonlat(lon, lat, 18))
        for _, rings, _ in g.features("truth_footprints"):
            touched.update(iter_cover([rings], 18))
    return centres, touched


def scene_scan(world, out, *extra):
    """The CLI's argv for a scan of the shared scene with its model, writing ``out``."""
    return ("scan", "--imagery", str(world / "scene" / "scene.tif"), "--model", str(world / "model"), *extra,
            "--out", str(out))  # fmt: skip


def test_in_process_scan_finds_the_schools(world, tmp_path):
    src = RasterSource(world / "scene" / "scene.tif")
    predictor = SavedModelPredictor(world / "model")
    store = ResultStore(tmp_path / "r.gpkg", predictor.card.model_id, predictor.card.threshold)
    summary = scan(
        src,
        predictor,
        store,
        extent_polygon(src.extent_3857()),
        ScanSettings(threshold=predictor.card.threshold),
        QUIET,
    )
    store.close()
    assert summary["tiles"] == 100 and summary["scored_now"] == 100
    with GeoPackage(tmp_path / "r.gpkg", create=False) as g:
        candidates = {T.Tile(a["x"], a["y"], a["z"]) for _, _, a in g.features("candidates")}
    centres, touched = truth_tiles(world / "scene")
    recall = sum(1 for t in centres if t in candidates) / len(centres)
    precision = sum(1 for t in candidates if t in touched) / max(1, len(candidates))
    base_rate = len(touched) / 100
    print(f"recall {recall:.2f} precision {precision:.2f} base rate {base_rate:.2f} candidates {len(candidates)}")
    assert recall >= 0.6
    assert precision > base_rate  # better than flagging tiles at random


def test_same_scores_in_process_rest_and_cli(world, server, tmp_path, cli):
    tif = str(world / "scene" / "scene.tif")
    proc, _ = cli("scan", "--imagery", tif, "--model", str(world / "model"), "--out", str(tmp_path / "cli.gpkg"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    proc, events = cli(
        "scan",
        "--imagery",
        tif,
        "--model",
        str(world / "model"),
        "--serving-url",
        server.url,
        "--out",
        str(tmp_path / "rest.gpkg"),
        "--batch-size",
        "7",
        "--concurrency",
        "3",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert next(e for e in events if e["event"] == "result")["data"]["predictor"]["backend"] == "rest"
    a, b = scores_of(tmp_path / "cli.gpkg"), scores_of(tmp_path / "rest.gpkg")
    assert a.keys() == b.keys() and len(a) == 100
    assert max(abs(a[k] - b[k]) for k in a) < 1e-5


def test_resume_after_kill_9_loses_and_duplicates_nothing(world, tmp_path, cli):
    out = tmp_path / "r.gpkg"
    tif = str(world / "scene" / "scene.tif")
    cmd = [
        sys.executable,
        "-m",
        "school_detector.cli",
        "scan",
        "--imagery",
        tif,
        "--model",
        str(world / "model"),
        "--out",
        str(out),
        "--batch-size",
        "4",
        "--workers",
        "1",
        "--backend",  # the slower engine: ONNX Runtime scans these 100 tiles before the kill lands
        "tensorflow",
        "--progress",
        "jsonl",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    deadline = time.time() + 120
    for line in proc.stdout:
        if ('"progress"' in line and json.loads(line)["done"] >= 20) or time.time() > deadline:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(out) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        partial = c.execute("SELECT COUNT(*) FROM tile_scores").fetchone()[0]
    assert 0 < partial < 100
    proc2, events = cli(
        "scan", "--imagery", tif, "--model", str(world / "model"), "--out", str(out), "--resume", "--batch-size", "4"
    )
    assert proc2.returncode == 0
    res = next(e for e in events if e["event"] == "result")["data"]
    assert res["resumed"] == partial and res["scored_now"] == 100 - partial
    cli("scan", "--imagery", tif, "--model", str(world / "model"), "--out", str(tmp_path / "full.gpkg"))
    assert scores_of(out).keys() == scores_of(tmp_path / "full.gpkg").keys()
    with sqlite3.connect(out) as c:
        assert c.execute("SELECT COUNT(*), COUNT(DISTINCT tile) FROM tile_scores").fetchone() == (100, 100)
        n_cand = c.execute("SELECT COUNT(*), COUNT(DISTINCT tile) FROM candidates").fetchone()
        assert n_cand[0] == n_cand[1]
    proc3, events = cli("scan", "--imagery", tif, "--model", str(world / "model"), "--out", str(out))
    assert proc3.returncode == 2 and "--resume" in events[-1]["message"]


def test_shards_cover_the_region_exactly_once_and_merge(world, tmp_path, cli):
    tif = str(world / "scene" / "scene.tif")
    parts = []
    for i in range(3):
        out = tmp_path / f"s{i}.gpkg"
        proc, _ = cli("scan", "--imagery", tif, "--model", str(world / "model"), "--shard", f"{i}/3", "--out", str(out))
        assert proc.returncode == 0
        parts.append(set(scores_of(out)))
    assert sum(len(p) for p in parts) == 100 and len(set().union(*parts)) == 100
    proc, _ = cli("merge", *(str(tmp_path / f"s{i}.gpkg") for i in range(3)), "--out", str(tmp_path / "all.gpkg"))
    assert proc.returncode == 0
    assert len(scores_of(tmp_path / "all.gpkg")) == 100


@pytest.mark.parametrize(
    "name",
    [
        "netherlands_25cm_epsg28992.tif",
        "atlanta_50cm_uint16_pan.tif",
        "bali_35cm_rgba_alpha.tif",
        "manila_10cm_epsg3395_nodata.tif",
        "colorado_cog_jpeg_ycbcr.tif",
    ],
)
def test_real_rasters_scan(world, tmp_path, cli, name):
    path = require_shared_data() / "aerial" / name
    proc, events = cli(
        "scan",
        "--imagery",
        str(path),
        "--model",
        str(world / "model"),
        "--out",
        str(tmp_path / "r.gpkg"),
        "--min-valid",
        "0.05",
    )
    assert proc.returncode == 0, events[-1]
    res = next(e for e in events if e["event"] == "result")["data"]
    assert res["tiles"] >= 1 and res["scored_now"] + sum(res["skipped"].values()) == res["tiles"]


def test_region_file_and_empty_or_imageless_regions(world, tmp_path, cli):
    src = RasterSource(world / "scene" / "scene.tif")
    e = src.extent_3857()
    region = tmp_path / "district.geojson"
    w, s = T.xy_to_lonlat(e.west + 100, e.south + 100)
    east, n = T.xy_to_lonlat(e.west + 700, e.south + 500)
    region.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[[w, s], [east, s], [east, n], [w, n], [w, s]]],
                        },
                    }
                ],
            }
        )
    )
    assert len(list(iter_cover(read_region(region), 18))) > 1
    proc, events = cli(*scene_scan(world, tmp_path / "d.gpkg", "--region", str(region)))
    assert proc.returncode == 0
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    proc, events = cli(*scene_scan(world, tmp_path / "e.gpkg", "--region", str(empty)))
    assert proc.returncode == 2 and "no polygons" in events[-1]["message"]
    proc, events = cli(*scene_scan(world, tmp_path / "f.gpkg", "--bbox", "10,50,10.01,50.01"))
    assert proc.returncode == 2 and "do not overlap" in events[-1]["message"]
    proc, events = cli(*scene_scan(world, tmp_path / "z.gpkg", "--zoom", "17"))
    assert proc.returncode == 2 and "zoom 18" in events[-1]["message"]


def test_a_bbox_far_larger_than_the_raster_plans_the_raster_only(world, tmp_path, cli):
    """A view zoomed out over a continent: the tiles with imagery are planned, not a million."""
    e = RasterSource(world / "scene" / "scene.tif").extent_3857()
    w, s = T.xy_to_lonlat(e.west - 500_000, e.south - 500_000)
    east, n = T.xy_to_lonlat(e.east + 500_000, e.north + 500_000)
    proc, events = cli(*scene_scan(world, tmp_path / "big.gpkg", "--bbox", f"{w},{s},{east},{n}"))
    assert proc.returncode == 0, events[-1]
    assert next(e for e in events if e["event"] == "result")["data"]["tiles"] == 100  # the raster's 10x10 tiles


def test_out_of_disk_keeps_earlier_batches(world, tmp_path):
    """A file-size limit makes SQLite writes fail like a full disk; batches before stay."""
    out = tmp_path / "r.gpkg"
    ResultStore(out, "schools:1", 0.0).close()  # an empty results file, then room for a few batches only
    limit = out.stat().st_size + 24_000
    proc, events = run_cli(
        "scan", "--imagery", str(world / "scene" / "scene.tif"), "--model", str(world / "model"), "--threshold", "0",
        "--batch-size", "4", "--out", str(out), "--resume", preexec=file_limit(limit),
    )  # fmt: skip
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Out of disk space" in events[-1]["message"]
    with sqlite3.connect(out) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = c.execute("SELECT COUNT(*) FROM tile_scores").fetchone()[0]
    assert 0 < kept < 100


# --- the TF Serving REST protocol, against the real local server -----------------------------------


def test_rest_status_metadata_versions_and_labels(world, tmp_path):
    import shutil

    model = tmp_path / "m"
    shutil.copytree(world / "model", model)
    shutil.copytree(model / "schools" / "1", model / "schools" / "2")
    srv = ServeProcess(model, extra=["--label", "stable=1", "--label", "canary=2"])
    try:
        base = f"{srv.url}/v1/models/schools"
        status = requests.get(base, timeout=10).json()
        assert [v["version"] for v in status["model_version_status"]] == ["1", "2"]
        assert status["model_version_status"][0]["state"] == "AVAILABLE"
        meta = requests.get(f"{base}/versions/1/metadata", timeout=30).json()
        assert meta["model_spec"]["version"] == "1"
        sig = meta["metadata"]["signature_def"]["signature_def"]["serving_default"]
        assert sig["inputs"]["image_bytes"]["dtype"] == "DT_STRING"
        assert requests.get(f"{base}/labels/canary", timeout=10).json()["model_version_status"][0]["version"] == "2"
        for endpoint in (
            Endpoint(srv.url, "schools"),
            Endpoint(srv.url, "schools", version=2),
            Endpoint(srv.url, "schools", label="stable"),
        ):
            client = ServingClient(endpoint)
            assert client.check_signature() == "image_bytes"
            assert len(client.predict([png_chip(), png_chip(1)])) == 2
        with pytest.raises(ServingError, match="no model 'schools' version 7"):
            ServingClient(Endpoint(srv.url, "schools", version=7), retries=0).metadata()
        with pytest.raises(ServingError, match="label 'nope'"):
            ServingClient(Endpoint(srv.url, "schools", label="nope"), retries=0).metadata()
    finally:
        srv.stop()


def png_chip(seed=0, size=256):
    import io

    import numpy as np
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (size, size, 3), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def test_rest_row_and_columnar_forms_and_error_shapes(server):
    import base64

    url = f"{server.url}/v1/models/schools:predict"
    b64 = [{"b64": base64.b64encode(png_chip(i)).decode()} for i in range(3)]
    row = requests.post(url, json={"instances": b64}, timeout=30).json()
    assert len(row["predictions"]) == 3
    named = requests.post(url, json={"instances": [{"image_bytes": v} for v in b64]}, timeout=30).json()
    assert named["predictions"] == row["predictions"]
    col = requests.post(url, json={"inputs": b64}, timeout=30).json()
    assert col["outputs"] == row["predictions"]
    col_named = requests.post(url, json={"inputs": {"image_bytes": b64}}, timeout=30).json()
    assert col_named["outputs"] == row["predictions"]
    uint8 = requests.post(
        url, json={"signature_name": "predict_uint8", "instances": [[[[0, 0, 0]] * 8] * 8]}, timeout=30
    ).json()
    assert len(uint8["predictions"]) == 1
    cases = [
        ({"instances": b64, "inputs": b64}, 400, "either"),
        ({"signature_name": "nope", "instances": b64}, 400, "not found in signature def"),
        ({"instances": [{"b64": "!!!notbase64"}]}, 400, "base64"),
        ({"instances": [{"b64": base64.b64encode(b"not an image").decode()}]}, 400, ""),
        ({}, 400, "Missing 'inputs' or 'instances'"),
    ]
    for body, status, fragment in cases:
        r = requests.post(url, json=body, timeout=30)
        assert r.status_code == status and set(r.json()) == {"error"} and fragment in r.json()["error"], body
    r = requests.post(url, data=b"{not json", timeout=10)
    assert r.status_code == 400 and "JSON" in r.json()["error"]
    r = requests.get(f"{server.url}/v1/models/other", timeout=10)
    assert r.status_code == 404 and "Servable not found" in r.json()["error"]


def test_serve_binds_loopback_only(server):
    assert server.url.startswith("http://127.0.0.1:")


def test_client_against_a_server_that_is_down():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    client = ServingClient(Endpoint(f"http://127.0.0.1:{port}", "schools"), retries=1, backoff=0.01)
    with pytest.raises(ServingError, match="failed after 2 tries"):
        client.predict([b"x"])
    assert client.stats["retries"] == 1


def test_scan_stops_clearly_and_keeps_results_when_the_server_dies(world, tmp_path):
    srv = ServeProcess(world / "model")
    src = RasterSource(world / "scene" / "scene.tif")
    client = ServingClient(Endpoint(srv.url, "schools"), retries=1, backoff=0.01)
    predictor = RestPredictor(client, concurrency=1)
    calls = {"n": 0}
    real = predictor.predict

    def dying(chips):
        calls["n"] += 1
        if calls["n"] == 4:
            srv.stop()  # the server goes away mid-scan
        return real(chips)

    predictor.predict = dying
    store = ResultStore(tmp_path / "r.gpkg", "schools:1", 0.5)
    with pytest.raises(ServingError, match="failed after"):
        scan(
            src,
            predictor,
            store,
            extent_polygon(src.extent_3857()),
            ScanSettings(batch_size=8, workers=1),
            QUIET,
            encode=__import__("school_detector.imagery.png", fromlist=["png_bytes"]).png_bytes,
        )
    kept = store.counts()["tiles"]
    store.close()
    assert kept == 24  # the three batches that finished, no more, no less


def test_grpc_gives_the_same_scores_and_clear_errors(world, tmp_path, cli):
    from school_detector.serving.client import Endpoint
    from school_detector.serving.grpc_client import GrpcPredictor

    with ServeProcess(world / "model", extra=["--grpc-port", "0"]) as server:
        target = server.grpc
        assert target.startswith("127.0.0.1:")
        tif = str(world / "scene" / "scene.tif")
        code, events = cli(
            "scan",
            "--imagery",
            tif,
            "--model",
            str(world / "model"),
            "--serving-grpc",
            target,
            "--out",
            str(tmp_path / "grpc.gpkg"),
        )
        assert code.returncode == 0, events[-1]
        assert next(e for e in events if e["event"] == "result")["data"]["predictor"]["backend"] == "grpc"
        cli("scan", "--imagery", tif, "--model", str(world / "model"), "--out", str(tmp_path / "local.gpkg"))
        a, b = scores_of(tmp_path / "grpc.gpkg"), scores_of(tmp_path / "local.gpkg")
        assert a.keys() == b.keys() and max(abs(a[k] - b[k]) for k in a) < 1e-5
        with pytest.raises(ServingError, match="has no model 'other'"):
            GrpcPredictor(target, Endpoint("", "other"), retries=0)
    with pytest.raises(ServingError, match="failed after 2 tries"):
        GrpcPredictor(target, Endpoint("", "schools"), retries=1, backoff=0.01, timeout=2)


def test_chip_png_decodes_identically_with_pillow_and_tensorflow() -> None:
    """The servers decode chips with TF (and users' tools with Pillow): both must see the same pixels."""
    import io

    import numpy as np
    import tensorflow as tf
    from PIL import Image

    from school_detector.imagery.png import png_bytes

    rgb = np.random.default_rng(3).integers(0, 256, (64, 48, 3), dtype=np.uint8)
    data = png_bytes(rgb)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")), rgb)
    assert np.array_equal(tf.io.decode_png(data, channels=3).numpy(), rgb)


def candidate_points(path):
    """{tile: (point, status, location)} of a results file's candidates."""
    with GeoPackage(path, create=False) as g:
        return {a["tile"]: (xy, a["status"], a["location"]) for _, xy, a in g.features("candidates")}


def school_centres(scene):
    with GeoPackage(scene / "labels.gpkg", create=False) as g:
        return [(T.lonlat_to_xy(lon, lat), bool(a["mapped"])) for _, (lon, lat), a in g.features("truth")]


def test_points_on_the_schools_the_same_in_process_over_rest_and_grpc(world, tmp_path, cli):
    """The candidate's point is where the model places the school (its activation map), not the
    tile centre; every path to the model gives the same point."""
    from statistics import median

    from school_detector.core.places import ground_distance

    tif = str(world / "scene" / "scene.tif")
    scan_args = ("scan", "--imagery", tif, "--model", str(world / "model"))
    with ServeProcess(world / "model", extra=["--grpc-port", "0"]) as server:
        for name, extra in (
            ("local", ()),
            ("rest", ("--serving-url", server.url)),
            ("grpc", ("--serving-grpc", server.grpc)),
        ):
            proc, events = cli(*scan_args, *extra, "--out", str(tmp_path / f"{name}.gpkg"))
            assert proc.returncode == 0, events[-1]
            assert next(e for e in events if e["event"] == "result")["data"]["predictor"]["location"] == "model"
    local, rest, grpc = (candidate_points(tmp_path / f"{n}.gpkg") for n in ("local", "rest", "grpc"))
    assert local.keys() == rest.keys() == grpc.keys() and local
    for tile, (point, _, location) in local.items():
        assert location == "model"
        assert ground_distance(point, rest[tile][0]) < 0.5 and ground_distance(point, grpc[tile][0]) < 0.5
    # against the truth: the point is nearer its school than the tile centre is
    by_point, by_centre = [], []
    for tile, (point, _, _) in local.items():
        b = T.bounds_3857(T.parse_tile_id(tile))
        for centre, _ in school_centres(world / "scene"):
            if b.west <= centre[0] < b.east and b.south <= centre[1] < b.north:
                by_point.append(ground_distance(point, centre))
                by_centre.append(ground_distance(((b.west + b.east) / 2, (b.south + b.north) / 2), centre))
    print(
        f"point to school: median {median(by_point):.1f} m (tile centres: {median(by_centre):.1f} m), n {len(by_point)}"
    )
    assert len(by_point) >= 10 and median(by_point) < median(by_centre)


def test_known_schools_buildings_and_the_district_through_the_cli(world, tmp_path, cli):
    from school_detector.core.places import KNOWN_DISTANCE_M, Region, ground_distance
    from school_detector.scan.region import read_region

    scene = tmp_path / "district"  # villages among fields: most tiles hold no building
    write_scene(SceneSpec(tiles=10, seed=7, schools=14, layout="district"), scene)
    labels = scene / "labels.gpkg"
    proc, events = cli(
        "scan", "--imagery", str(scene / "scene.tif"), "--model", str(world / "model"),
        "--known-schools", str(labels), "--known-layer", "labels",
        "--buildings", str(labels), "--buildings-layer", "buildings",
        "--region", str(labels), "--region-layer", "district", "--out", str(tmp_path / "r.gpkg"),
    )  # fmt: skip
    assert proc.returncode == 0, events[-1]
    result = next(e for e in events if e["event"] == "result")["data"]
    assert result["known"] > 0 and result["skipped"].get("uninhabited", 0) > 0
    assert result["to_review"] + result["known"] == result["candidates"] and 0 < result["places"] <= result["to_review"]
    district = Region(read_region(labels, "district"))
    mapped = [c for c, is_mapped in school_centres(scene) if is_mapped]
    candidates = candidate_points(tmp_path / "r.gpkg")
    assert all(district.contains(point) for point, _, _ in candidates.values())  # districts mean districts
    for point, status, _ in candidates.values():
        near_known = min(ground_distance(point, m) for m in mapped) <= KNOWN_DISTANCE_M
        if near_known:
            assert status == "known"  # never in the queue
    with sqlite3.connect(tmp_path / "r.gpkg") as c:
        info = dict(c.execute("SELECT key, value FROM scan_info"))
        uninhabited = c.execute("SELECT COUNT(*) FROM tile_scores WHERE note = 'uninhabited'").fetchone()[0]
    assert uninhabited == result["skipped"]["uninhabited"] and '"count"' in info["known_schools"]
    # the same scan, resumed: points and statuses stay as they were
    before = candidate_points(tmp_path / "r.gpkg")
    proc, events = cli(
        "scan", "--imagery", str(scene / "scene.tif"), "--model", str(world / "model"), "--resume",
        "--region", str(labels), "--region-layer", "district", "--out", str(tmp_path / "r.gpkg"),
    )  # fmt: skip
    assert proc.returncode == 0 and candidate_points(tmp_path / "r.gpkg") == before


def test_bad_known_schools_and_buildings_inputs(world, tmp_path, cli):
    from school_detector.core.gpkg import GeoPackage as Gpkg

    with Gpkg(tmp_path / "empty.gpkg") as g:
        g.create_feature_table("pts", "POINT", 4326, [("label", "TEXT")])
    with Gpkg(tmp_path / "far.gpkg") as g:
        g.create_feature_table("pts", "POINT", 4326, [("label", "TEXT")])
        g.insert_features("pts", [((-70.0, 10.0), {"label": "school"})])
    import rasterio

    with rasterio.open(world / "scene" / "scene.tif") as src:
        data, profile = src.read(1)[None], src.profile
    profile.update(count=1, crs=None, transform=rasterio.Affine.identity())
    with rasterio.open(tmp_path / "nocrs.tif", "w", **profile) as dst:
        dst.write(data)
    for extra, message in (
        (("--known-schools", str(tmp_path / "empty.gpkg")), "holds no known school"),
        (("--known-schools", str(tmp_path / "missing.gpkg")), "does not exist"),
        (("--buildings", str(tmp_path / "empty.gpkg")), "no building"),
        (("--buildings", str(tmp_path / "nocrs.tif")), "has no CRS"),
    ):
        proc, events = cli(*scene_scan(world, tmp_path / "x.gpkg", *extra))
        assert proc.returncode == 2 and message in events[-1]["message"], events[-1]
    proc, events = cli(*scene_scan(world, tmp_path / "y.gpkg", "--known-schools", str(tmp_path / "far.gpkg")))
    assert proc.returncode == 0  # a list that doesn't overlap the region: a warning, not an error
    assert any(e["event"] == "log" and "None of the known schools" in e["message"] for e in events)


def test_a_scan_resumes_only_into_its_own_file_and_keeps_its_floor(world, tmp_path, cli):
    """Another imagery is refused by name; a lower threshold on resume brings the earlier tiles'
    candidates down to it (every tile has its candidates down to the same floor)."""
    import shutil

    out = tmp_path / "r.gpkg"
    proc, _ = cli(*scene_scan(world, out, "--threshold", "0.6"))
    assert proc.returncode == 0
    copy = tmp_path / "elsewhere.tif"
    shutil.copy(world / "scene" / "scene.tif", copy)
    proc, events = cli("scan", "--imagery", str(copy), "--model", str(world / "model"), "--resume", "--out", str(out))
    assert proc.returncode == 2 and "r.gpkg holds another scan: the imagery (" in events[-1]["message"], events[-1]
    proc, events = cli(*scene_scan(world, out, "--resume", "--threshold", "0.3"))
    assert proc.returncode == 0, events[-1]
    with sqlite3.connect(out) as c:
        due = c.execute("SELECT COUNT(*) FROM tile_scores WHERE score >= 0.3").fetchone()[0]
        held = c.execute("SELECT COUNT(*) FROM candidates").fetchone()[0]
        floor = json.loads(c.execute("SELECT value FROM scan_info WHERE key = 'candidate_floor'").fetchone()[0])
    assert held == due > 0 and floor == 0.3
    assert any(e["event"] == "log" and "now go down to 0.3" in e["message"] for e in events)


def test_the_models_training_schools_are_known_unless_turned_off(world, tmp_path, cli):
    proc, events = cli(*scene_scan(world, tmp_path / "a.gpkg"))
    assert proc.returncode == 0
    with_them = next(e for e in events if e["event"] == "result")["data"]
    proc, events = cli(*scene_scan(world, tmp_path / "b.gpkg", "--no-training-schools"))
    assert proc.returncode == 0
    without = next(e for e in events if e["event"] == "result")["data"]
    assert with_them["known"] > 0 and without["known"] == 0
    assert without["to_review"] > with_them["to_review"]
