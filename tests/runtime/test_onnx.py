"""Every exported model carries an ONNX copy that gives the SavedModel's answers (scores and
points), the numpy resize is TensorFlow's, and the engine is chosen and reported as asked."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from school_detector.core.errors import InputError
from school_detector.core.model_card import ModelCard
from school_detector.inference.backend import choose_backend
from school_detector.inference.onnx_model import SPINNING, OnnxModel
from school_detector.inference.resize import resize_images
from school_detector.ml.export import PARITY_TOLERANCE, export_saved_model, parity_chips
from school_detector.ml.models import build_classifier
from school_detector.scan.job import in_process_predictor
from school_detector.serving.servable import run_batches


@pytest.mark.parametrize(("source", "size"), [(256, 224), (256, 96), (512, 224), (256, 299), (100, 224), (256, 256)])
def test_the_numpy_resize_is_tensorflows(source, size):
    chips = np.random.default_rng(source + size).integers(0, 256, (3, source, source, 3), dtype=np.uint8)
    ours = resize_images(chips, size)
    theirs = tf.image.resize(tf.cast(chips, tf.float32), [size, size], antialias=True).numpy()
    assert ours.dtype == np.float32 and np.abs(ours - theirs).max() <= 1e-3  # grey levels of 255


def realistic(model):
    """Random weights give every chip the same features (untrained BatchNorm): calibrate it on
    one batch and spread the head, so scores and points vary and parity means something."""
    import keras

    for layer in model._flatten_layers():
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = 0.0
    model(parity_chips(model.input_shape[1]).astype("float32"), training=True)
    dense = model.get_layer("school_probability")
    features = dense.kernel.shape[0]
    kernel = np.random.default_rng(1).normal(0, 2 / np.sqrt(features), dense.kernel.shape).astype("float32")
    dense.kernel.assign(kernel)  # logits of a few units: scores spread over (0, 1), not saturated
    return model


@pytest.mark.parametrize(("backbone", "size", "alpha"), [("tiny", 64, 1.0), ("mobilenetv2", 96, 0.35)])
def test_the_onnx_copy_gives_the_savedmodels_scores_and_points(backbone, size, alpha, tmp_path):
    model, _ = build_classifier(backbone, size, None, **({"alpha": alpha} if backbone != "tiny" else {}))
    realistic(model)
    folder, record, _ = export_saved_model(model, size, tmp_path / "schools" / "1", 256)
    assert record["file"] == "model.onnx" and record["locates"] is True, record
    assert record["parity"]["max_score_diff"] <= PARITY_TOLERANCE
    assert record["parity"]["max_location_diff"] <= PARITY_TOLERANCE
    chips = np.random.default_rng(5).integers(0, 256, (6, 256, 256, 3), dtype=np.uint8)
    reference = tf.saved_model.load(str(folder)).signatures["locate_uint8"](images=tf.constant(chips))
    scores, points = OnnxModel(folder / "model.onnx").run(chips)
    assert np.ptp(scores) > 1e-3  # the chips get different scores: the comparison is not trivial
    assert np.abs(scores - reference["school_probability"].numpy()).max() <= PARITY_TOLERANCE
    assert np.abs(points - reference["school_location"].numpy()).max() <= PARITY_TOLERANCE


def test_the_engine_is_chosen_and_reported(tmp_path):
    model, _ = build_classifier("tiny", 64, None)
    (tmp_path / "schools").mkdir()
    record = export_saved_model(model, 64, tmp_path / "schools" / "1", 256).onnx
    card = ModelCard(name="schools", version=1, backbone="tiny", input_size=64, zoom=18, onnx=record)
    card.write(tmp_path)
    assert (
        choose_backend(card, tmp_path, "auto") == "onnx"
        and choose_backend(card, tmp_path, "tensorflow") == "tensorflow"
    )
    onnx = in_process_predictor(tmp_path, "auto").describe()
    assert onnx["engine"] == "onnx" and onnx["runs_on"].startswith("CPU, ONNX Runtime") and onnx["threads"] >= 1
    assert in_process_predictor(tmp_path, "tensorflow").describe()["engine"] == "tensorflow"
    session = OnnxModel(card.onnx_path(tmp_path)).session
    assert session.get_session_options().get_session_config_entry(SPINNING) == "0"  # leaves the reader a core
    older = ModelCard(name="schools", version=1, backbone="tiny", input_size=64, zoom=18)  # exported before copies
    assert choose_backend(older, tmp_path, "auto") == "tensorflow"
    with pytest.raises(InputError, match="has no ONNX copy"):
        choose_backend(older, tmp_path, "onnx")
    skipped = ModelCard(
        name="schools", version=1, backbone="tiny", input_size=64, zoom=18, onnx={"skipped": "tf2onnx failed"}
    )
    with pytest.raises(InputError, match="tf2onnx failed"):
        choose_backend(skipped, tmp_path, "onnx")
    with pytest.raises(InputError, match="--backend must be one of"):
        choose_backend(card, tmp_path, "torch")


def test_the_server_scores_a_request_per_size_not_per_image(tmp_path):
    model, _ = build_classifier("tiny", 64, None)
    realistic(model)
    folder = export_saved_model(model, 64, tmp_path / "schools" / "1", 256).version_dir
    onnx = OnnxModel(folder / "model.onnx")
    rng = np.random.default_rng(3)
    images = [rng.integers(0, 256, (side, side, 3), dtype=np.uint8) for side in (256, 128, 256, 256, 128)]
    runs = []
    run = onnx.run
    onnx.run = lambda batch: runs.append(len(batch)) or run(batch)  # count the session runs
    scores, points = run_batches(onnx, images)
    assert sorted(runs) == [2, 3]  # one run per size
    alone = [run(im[np.newaxis]) for im in images]
    assert np.abs(scores - np.concatenate([s for s, _ in alone])).max() <= 1e-6  # request order kept
    assert np.abs(points - np.concatenate([p for _, p in alone])).max() <= 1e-6
    assert np.ptp(scores) > 1e-4
