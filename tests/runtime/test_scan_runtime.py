"""The scan-only runtime, built as the plugin builds it (a fresh venv, `pip install -r
scan-requirements.txt`): no TensorFlow, and `scan` and `serve` work on a model trained in the
training runtime, through its ONNX copy, with the SavedModel's scores. Commands that need
TensorFlow say what this runtime is and how to add training."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import requests

from school_detector.core.model_card import ModelCard
from school_detector.core.progress import Reporter
from school_detector.core.training import TrainConfig
from school_detector.dataset.builder import BuildOptions, build_dataset
from school_detector.dataset.labels_io import LabelMapping, read_labels
from school_detector.imagery.raster import RasterSource
from school_detector.ml.train import train
from school_detector.runtime.locate import SCAN_REQUIREMENTS_FILE, venv_python
from school_detector.sample.scene import SceneSpec, write_scene
from tests.paths import ROOT
from tests.support.serve_process import ServeProcess

QUIET = Reporter("callback")


@pytest.fixture(scope="module")
def scan_runtime(tmp_path_factory) -> Path:
    """A venv with scan-requirements.txt only, from the same base Python as this runtime."""
    venv = tmp_path_factory.mktemp("scan-runtime") / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv_python(venv)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", str(SCAN_REQUIREMENTS_FILE)]
    run = subprocess.run(pip, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    return python


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("scan-only")
    write_scene(SceneSpec(tiles=6, seed=9, schools=14), work / "scene")
    points, _ = read_labels(work / "scene" / "labels.gpkg", LabelMapping())
    build_dataset(
        points, RasterSource(work / "scene" / "scene.tif"), work / "data", BuildOptions(background_ratio=2.0), QUIET
    )
    config = TrainConfig(backbone="tiny", weights="none", input_size=64, epochs=4, fine_tune_epochs=0, batch_size=16)
    train(work / "data", work / "model", config, QUIET)
    return work


def cli(python: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run(
        [str(python), "-m", "school_detector.cli", *args, "--progress", "jsonl"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    return proc, [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def scores(path: Path) -> dict[str, tuple]:
    with sqlite3.connect(path) as c:
        return {t: (s, px, py) for t, s, px, py in c.execute("SELECT tile, score, px, py FROM tile_scores")}


def test_the_scan_only_runtime_has_no_tensorflow_and_says_what_it_is(scan_runtime):
    venv = scan_runtime.parent.parent
    probe = "import importlib.util as u; print(u.find_spec('tensorflow') is None, u.find_spec('keras') is None)"
    assert (
        subprocess.run([str(scan_runtime), "-c", probe], capture_output=True, text=True).stdout.split() == ["True"] * 2
    )
    size_mb = sum(f.stat().st_size for f in venv.rglob("*") if f.is_file()) / 1e6
    print(f"scan-only runtime: {size_mb:.0f} MB installed")
    assert size_mb < 350  # about 310 MB with bytecode; the training runtime is 1.8 GB
    proc, events = cli(scan_runtime, "info")
    info = next(e for e in events if e["event"] == "result")["data"]
    assert info["kind"] == "scan-only" and info["tensorflow"]["installed"] is False
    assert info["onnxruntime"]["scanning_on"].startswith("CPU, ONNX Runtime 1.32.0")
    proc, events = cli(scan_runtime, "train", "--data", "x", "--out", "y")
    assert proc.returncode == 1 and "scan-only" in events[-1]["message"] and "Training too" in events[-1]["message"]


def test_scan_and_serve_give_the_savedmodels_answers(scan_runtime, world, tmp_path):
    card = ModelCard.read(world / "model")
    assert card.onnx["file"] == "model.onnx" and card.onnx["parity"]["max_score_diff"] <= 1e-4

    def scan(python: Path, out: str, *backend: str) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
        tif = str(world / "scene" / "scene.tif")
        return cli(
            python, "scan", "--imagery", tif, "--model", str(world / "model"), *backend, "--out", str(tmp_path / out)
        )

    proc, events = scan(scan_runtime, "onnx.gpkg")
    assert proc.returncode == 0, proc.stderr[-2000:]
    used = next(e for e in events if e["event"] == "result")["data"]["predictor"]
    assert used["engine"] == "onnx" and used["runs_on"].startswith("CPU, ONNX Runtime")
    proc, _ = scan(Path(sys.executable), "tf.gpkg", "--backend", "tensorflow")
    assert proc.returncode == 0, proc.stderr[-2000:]
    a, b = scores(tmp_path / "onnx.gpkg"), scores(tmp_path / "tf.gpkg")
    assert a.keys() == b.keys() and len(a) == 36
    assert max(abs(a[k][0] - b[k][0]) for k in a) <= 1e-4
    assert max(abs(a[k][i] - b[k][i]) for k in a for i in (1, 2) if a[k][i] is not None) < 0.05  # metres
    proc, events = scan(scan_runtime, "x.gpkg", "--backend", "tensorflow")
    assert proc.returncode == 2 and "scan-only" in events[-1]["message"]
    from PIL import Image

    chip = np.asarray(Image.open(next((world / "data" / "train" / "school").glob("*.png"))).convert("RGB"))
    buffer = io.BytesIO()
    Image.fromarray(chip).save(buffer, format="PNG")
    body = {"signature_name": "locate", "instances": [{"b64": base64.b64encode(buffer.getvalue()).decode()}]}
    answers = {}
    for name, python, extra in (("onnx", scan_runtime, []), ("tf", Path(sys.executable), ["--backend", "tensorflow"])):
        with ServeProcess(world / "model", str(python), extra) as server:
            url = f"{server.url}/v1/models/{card.name}"
            meta = requests.get(f"{url}/metadata", timeout=30).json()["metadata"]["signature_def"]["signature_def"]
            assert {"serving_default", "predict_uint8", "locate", "locate_uint8"} <= set(meta)
            answers[name] = requests.post(f"{url}:predict", json=body, timeout=60).json()["predictions"][0]
            bad = requests.get(f"{server.url}/v1/models", timeout=10)
            assert bad.status_code == 400 and bad.json() == {"error": "Malformed request: GET /v1/models"}
    assert abs(answers["onnx"]["school_probability"] - answers["tf"]["school_probability"]) <= 1e-4
    assert np.abs(np.subtract(answers["onnx"]["school_location"], answers["tf"]["school_location"])).max() <= 1e-4
    shutil.rmtree(tmp_path, ignore_errors=True)
