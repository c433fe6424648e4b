"""Training, evaluation and export with tiny models and few steps (weights=None offline)."""

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from school_detector.core.errors import InputError
from school_detector.core.model_card import ModelCard
from school_detector.core.progress import Reporter
from school_detector.dataset.builder import BuildOptions, build_dataset
from school_detector.dataset.labels_io import LabelMapping, read_labels
from school_detector.imagery.raster import RasterSource
from school_detector.ml.train import TrainConfig, train
from school_detector.sample.scene import SceneSpec, write_scene
from tests.paths import ROOT
from tests.support.cli import run_cli

QUIET = Reporter("callback")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    work = tmp_path_factory.mktemp("ds")
    write_scene(SceneSpec(tiles=8, seed=3, schools=14), work / "scene")
    points, _ = read_labels(work / "scene" / "labels.gpkg", LabelMapping())
    build_dataset(
        points, RasterSource(work / "scene" / "scene.tif"), work / "data", BuildOptions(background_ratio=1.0), QUIET
    )
    return work / "data"


def encoded(fmt, size, seed=0):
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (size, size, 3), dtype=np.uint8)).save(buf, fmt)
    return buf.getvalue()


def result_of(events):
    return next(e for e in events if e["event"] == "result")["data"]


def test_cli_train_tiny_exports_a_serving_model(cli, dataset, tmp_path):
    import tensorflow as tf

    out = tmp_path / "model"
    proc, events = cli(
        "train",
        "--data",
        str(dataset),
        "--model",
        "tiny",
        "--weights",
        "none",
        "--input-size",
        "64",
        "--epochs",
        "2",
        "--fine-tune-epochs",
        "0",
        "--batch-size",
        "16",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = result_of(events)
    metrics = [e for e in events if e["event"] == "metric"]
    assert [m["epoch"] for m in metrics] == [1, 2] and all("val_loss" in m for m in metrics)
    progress = [e for e in events if e["event"] == "progress"]
    assert progress[-1]["done"] == progress[-1]["total"] and progress[-1]["unit"] == "batch"
    card = ModelCard.read(out)
    assert card.to_dict() == res["card"]
    assert (card.name, card.version, card.backbone, card.input_size, card.zoom) == ("schools", 1, "tiny", 64, 18)
    assert 0.0 <= card.threshold <= 1.0 and card.dataset_fingerprint
    assert json.loads((dataset / "dataset.json").read_text())["fingerprint"] == card.dataset_fingerprint
    loaded = tf.saved_model.load(str(out / "schools" / "1"))
    serve = loaded.signatures["serving_default"]
    batch = [encoded("PNG", 256), encoded("JPEG", 300, 1), encoded("PNG", 77, 2)]
    probs = serve(image_bytes=tf.constant(batch))["school_probability"].numpy()
    assert probs.shape == (3,) and np.all((probs >= 0) & (probs <= 1))
    direct = loaded.signatures["predict_uint8"](images=tf.constant(np.asarray(Image.open(io.BytesIO(batch[0])))[None]))[
        "school_probability"
    ].numpy()
    assert direct[0] == pytest.approx(probs[0], abs=1e-5)  # the two signatures agree on the same pixels
    assert (out / "report.html").read_text().count("<svg") >= 4
    assert list((out / "logs").rglob("events.out.tfevents*"))
    assert (out / "schools" / "1" / "assets.extra" / "model_card.json").is_file()
    # retraining adds a version
    proc, events = cli(
        "train",
        "--data",
        str(dataset),
        "--model",
        "tiny",
        "--weights",
        "none",
        "--input-size",
        "64",
        "--epochs",
        "1",
        "--fine-tune-epochs",
        "0",
        "--out",
        str(out),
    )
    assert proc.returncode == 0 and ModelCard.read(out).version == 2 and (out / "schools" / "2").is_dir()
    proc, events = cli("evaluate", "--model", str(out), "--data", str(dataset / "test"))
    assert proc.returncode == 0 and result_of(events)["model"] == "schools:2"


@pytest.mark.parametrize(("backbone", "size", "extra"), [("mobilenetv2", 96, {"alpha": 0.35}), ("xception", 71, {})])
def test_real_backbones_build_train_and_export(dataset, tmp_path, backbone, size, extra):
    import tensorflow as tf

    cfg = TrainConfig(
        backbone=backbone,
        weights="none",
        input_size=size,
        epochs=1,
        fine_tune_epochs=0,
        batch_size=4,
        max_steps_per_epoch=2,
        **extra,
    )
    res = train(dataset, tmp_path / backbone, cfg, QUIET)
    assert res["card"]["backbone"] == backbone and res["card"]["input_size"] == size
    serve = tf.saved_model.load(res["saved_model"]).signatures["serving_default"]
    assert serve(image_bytes=tf.constant([encoded("JPEG", 256)]))["school_probability"].shape == (1,)


def test_offline_weights_file_and_two_phases(dataset, tmp_path):
    """A local weights file (what offline users pass instead of 'imagenet') loads exactly,
    and with pretrained weights training runs frozen-head then fine-tuning."""
    from school_detector.ml.models import build_backbone

    source = build_backbone("mobilenetv2", 96, None, alpha=0.35)
    path = tmp_path / "mobilenet_v2_0.35_96_no_top.weights.h5"
    source.save_weights(str(path))
    loaded = build_backbone("mobilenetv2", 96, str(path), alpha=0.35)
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        assert np.array_equal(a, b)
    events = []
    cfg = TrainConfig(
        backbone="mobilenetv2",
        weights=str(path),
        input_size=96,
        alpha=0.35,
        epochs=1,
        fine_tune_epochs=1,
        batch_size=4,
        max_steps_per_epoch=2,
        fine_tune_layers=10,
    )
    res = train(dataset, tmp_path / "m", cfg, Reporter("callback", sink=events.append))
    logs = [e["message"] for e in events if e["event"] == "log"]
    assert any("frozen mobilenetv2 backbone" in m for m in logs) and any("Fine-tuning with" in m for m in logs)
    assert [h["epoch"] for h in res["history"]] == [1, 2]
    with pytest.raises(InputError, match="does not exist"):
        train(dataset, tmp_path / "x", TrainConfig(weights=str(tmp_path / "missing.h5")), QUIET)


def test_failed_imagenet_download_says_what_to_do(cli, dataset, tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proxy = f"http://127.0.0.1:{port}"
    proc, events = cli(
        "train",
        "--data",
        str(dataset),
        "--model",
        "mobilenetv2",
        "--weights",
        "imagenet",
        "--input-size",
        "96",
        "--alpha",
        "0.35",
        "--out",
        str(tmp_path / "m"),
        env={"HTTPS_PROXY": proxy, "https_proxy": proxy, "KERAS_HOME": str(tmp_path / "keras")},
    )
    assert proc.returncode == 2
    message = events[-1]["message"]
    assert "Could not download the ImageNet weights" in message and "--weights" in message
    assert "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5" in message


def copy_dataset(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_bad_datasets_are_explained(dataset, tmp_path):
    cfg = TrainConfig(
        backbone="tiny", weights="none", input_size=32, epochs=1, fine_tune_epochs=0, max_steps_per_epoch=1
    )
    empty = copy_dataset(dataset, tmp_path / "empty")
    for f in (empty / "valid" / "school").iterdir():
        f.unlink()
    with pytest.raises(InputError, match=r"valid/school/ is empty"):
        train(empty, tmp_path / "m1", cfg, QUIET)
    one = copy_dataset(dataset, tmp_path / "one")
    import shutil

    shutil.rmtree(one / "train" / "school")
    with pytest.raises(InputError, match="only not-school"):
        train(one, tmp_path / "m2", cfg, QUIET)
    with pytest.raises(InputError, match="no train/"):
        train(tmp_path / "one" / "train", tmp_path / "m3", cfg, QUIET)


def test_corrupt_images_are_skipped_and_counted(dataset, tmp_path):
    data = copy_dataset(dataset, tmp_path / "d")
    (data / "train" / "school" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    good = next((data / "train" / "school").glob("18-*.png"))
    (data / "train" / "school" / "truncated.png").write_bytes(good.read_bytes()[:200])
    cfg = TrainConfig(
        backbone="tiny", weights="none", input_size=32, epochs=1, fine_tune_epochs=0, max_steps_per_epoch=1
    )
    res = train(data, tmp_path / "m", cfg, QUIET)
    assert res["corrupt_skipped"] == 2


def test_model_folder_of_another_zoom_is_refused(dataset, tmp_path):
    cfg = TrainConfig(
        backbone="tiny", weights="none", input_size=32, epochs=1, fine_tune_epochs=0, max_steps_per_epoch=1
    )
    train(dataset, tmp_path / "m", cfg, QUIET)
    other = copy_dataset(dataset, tmp_path / "z17")
    info = json.loads((other / "dataset.json").read_text())
    info.update(zoom=17, supertile=True)
    (other / "dataset.json").write_text(json.dumps(info))
    with pytest.raises(InputError, match="zoom 18 tiles; this dataset is zoom 17 supertiles"):
        train(other, tmp_path / "m", cfg, QUIET)


def test_out_of_disk_space_for_checkpoints(dataset, tmp_path):
    out = tmp_path / "m"
    (out / "checkpoints").mkdir(parents=True)
    os.symlink("/dev/full", out / "checkpoints" / "best.weights.h5")  # every write: ENOSPC
    cfg = TrainConfig(
        backbone="tiny", weights="none", input_size=32, epochs=1, fine_tune_epochs=0, max_steps_per_epoch=1
    )
    with pytest.raises(InputError, match="Out of disk space"):
        train(dataset, out, cfg, QUIET)
    assert not (out / "schools").exists()


def test_sat_xception_command_line(dataset, tmp_path):
    exe = ROOT / ".runtime" / "bin" / "sat_xception"
    proc = subprocess.run(
        [
            str(exe),
            "train",
            "-model=tiny",
            f"-train={dataset / 'train'}",
            f"-valid={dataset / 'valid'}",
            "-weights=none",
            "-epochs=1",
            "-fine_tune_epochs=0",
            f"-out={tmp_path / 'm'}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert ModelCard.read(tmp_path / "m").backbone == "tiny"
    bad = subprocess.run([str(exe), "predict"], capture_output=True, text=True)
    assert bad.returncode != 0 and "usage: sat_xception train" in bad.stderr


def test_cancel_keeps_the_best_checkpoint(dataset, tmp_path):
    out = tmp_path / "m"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "school_detector.cli",
            "train",
            "--data",
            str(dataset),
            "--model",
            "tiny",
            "--weights",
            "none",
            "--input-size",
            "32",
            "--epochs",
            "500",
            "--fine-tune-epochs",
            "0",
            "--batch-size",
            "8",
            "--max-steps-per-epoch",
            "2",
            "--patience",
            "1000",
            "--out",
            str(out),
            "--progress",
            "jsonl",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.time() + 180
    for line in proc.stdout:
        if '"metric"' in line or time.time() > deadline:
            break
    proc.send_signal(signal.SIGTERM)
    out_text, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130
    events = [json.loads(ln) for ln in out_text.strip().splitlines() if ln.startswith("{")]
    last = events[-1]
    assert last["event"] == "error" and last["kind"] == "JobCancelled"
    assert (out / "checkpoints" / "best.weights.h5").is_file()
    # the best model so far is a normal version: a card that says it was cancelled, a report, and it works
    saved = next(e for e in events if e["event"] == "result")["data"]
    card = ModelCard.read(out)
    assert card.cancelled and "cancelled at epoch" in card.training and card.warnings
    assert saved["card"]["version"] == card.version and "saved as model" in last["message"]
    assert (out / "report.html").is_file() and (out / card.name / str(card.version) / "saved_model.pb").is_file()
    evaluated, events = run_cli("evaluate", "--model", str(out), "--data", str(dataset / "test"))
    assert evaluated.returncode == 0 and next(e for e in events if e["event"] == "result")["data"]["n"] > 0
