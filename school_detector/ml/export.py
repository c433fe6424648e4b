"""Export a trained classifier in TF Serving layout (``MODEL_DIR/<name>/<version>/``).

Signatures:
* ``serving_default``: ``image_bytes`` (a batch of encoded PNG/JPEG, any size; REST clients
  send ``{"b64": ...}``) -> ``school_probability`` (float32, one per image). Decoding and
  resizing happen in the graph, exactly as in training, so any TF Serving client can call it.
* ``predict_uint8``: ``images`` (uint8, N x H x W x 3) -> ``school_probability``, for the
  in-process scanner that already holds pixels.
* ``locate`` and ``locate_uint8``: the same inputs -> ``school_probability`` and
  ``school_location`` (N x 2: where the school is in the chip, as fractions from its west and
  north edges, from the classifier's activation map; ml.locate). TF Serving serves them like
  any signature (``"signature_name": "locate"``); clients that don't ask keep
  ``serving_default`` and its single output.

Next to them, in the version folder, ``model.onnx``: the network alone (float32 pixels at its
input size -> the same outputs), for ONNX Runtime (inference.onnx_model). It is kept only when
its scores and locations on a set of test chips match the SavedModel's within
``PARITY_TOLERANCE``; otherwise the card says why there is no copy.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, NamedTuple

from ..core.errors import InputError
from ..core.signatures import INPUT_BYTES, INPUT_UINT8, LOCATE, LOCATE_UINT8, LOCATION, OUTPUT, PREDICT_UINT8

ONNX_OPSET = 17
#: the largest score or location difference an ONNX copy may have from its SavedModel
PARITY_TOLERANCE = 1e-4


def next_version(model_root: Path) -> int:
    """TF Serving serves the highest numeric version folder; retraining adds the next one."""
    versions = [int(p.name) for p in model_root.glob("*") if p.is_dir() and re.fullmatch(r"\d+", p.name)]
    return max(versions, default=0) + 1


class Exported(NamedTuple):
    """What export wrote: the version folder, and the model card's records of the ONNX copy
    and of where the locating graph puts each feature cell ({} for a model that can't locate)."""

    version_dir: Path
    onnx: dict[str, Any]
    location: dict[str, Any]


def export_saved_model(model: Any, size: int, version_dir: Path, chip_px: int | None = None) -> Exported:
    """Write the model with its signatures (the locating ones when the model has the shape
    ml.locate needs) and its ONNX copy. ``chip_px``: the chips' size (the parity check resizes
    them as a scan does)."""
    import keras
    import tensorflow as tf

    from .data import decode_resize
    from .locate import locator

    def decoded(image_bytes: Any) -> Any:
        return tf.map_fn(
            lambda b: decode_resize(b, size),
            image_bytes,
            fn_output_signature=tf.TensorSpec([size, size, 3], tf.float32),
        )

    def resized(images: Any) -> Any:
        return tf.image.resize(tf.cast(images, tf.float32), [size, size], antialias=True)

    def probabilities(images: Any) -> Any:
        return tf.reshape(tf.cast(model(images, training=False), tf.float32), [-1])

    bytes_spec = [tf.TensorSpec([None], tf.string, name=INPUT_BYTES)]
    uint8_spec = [tf.TensorSpec([None, None, None, 3], tf.uint8, name=INPUT_UINT8)]
    archive = keras.export.ExportArchive()
    archive.track(model)

    # the functions' argument names are the signatures' input names
    def serve_bytes(image_bytes: Any) -> Any:
        return {OUTPUT: probabilities(decoded(image_bytes))}

    def serve_uint8(images: Any) -> Any:
        return {OUTPUT: probabilities(resized(images))}

    archive.add_endpoint("serving_default", serve_bytes, input_signature=bytes_spec)
    archive.add_endpoint(PREDICT_UINT8, serve_uint8, input_signature=uint8_spec)
    locate = locator(model)
    if locate is not None:

        def located(images: Any) -> dict[str, Any]:
            probability, _, location = locate(images)
            return {OUTPUT: probability, LOCATION: location}

        def locate_bytes(image_bytes: Any) -> Any:
            return located(decoded(image_bytes))

        def locate_uint8(images: Any) -> Any:
            return located(resized(images))

        archive.add_endpoint(LOCATE, locate_bytes, input_signature=bytes_spec)
        archive.add_endpoint(LOCATE_UINT8, locate_uint8, input_signature=uint8_spec)
    tmp = version_dir.with_name(f".{version_dir.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        archive.write_out(str(tmp), verbose=False)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(f"Could not write the model to {version_dir.parent}: {exc.strerror or exc}.") from exc
    onnx = export_onnx(model, locate, size, tmp, chip_px or size)
    tmp.rename(version_dir)  # a version folder appears complete or not at all (TF Serving polls)
    return Exported(version_dir, onnx, locate.record if locate is not None else {})


def export_onnx(model: Any, locate: Any, size: int, folder: Path, chip_px: int) -> dict[str, Any]:
    """``folder/model.onnx`` from the network (and its ``locate``, ml.locate.Locator or None),
    checked against the SavedModel already written in ``folder``; the record for the card (or
    why there is no copy)."""
    try:
        import onnxruntime  # noqa: F401 - the check needs it
        import tf2onnx
    except ImportError as exc:
        return {"skipped": f"{exc.name} is not installed in this runtime"}
    import contextlib
    import logging
    import sys

    import tensorflow as tf

    from ..inference.onnx_model import ONNX_FILE

    spec = [tf.TensorSpec([None, size, size, 3], tf.float32, name="pixels")]

    @tf.function(input_signature=spec)
    def network(pixels: Any) -> dict[str, Any]:
        if locate is None:
            return {OUTPUT: tf.reshape(tf.cast(model(pixels, training=False), tf.float32), [-1])}
        probability, _, location = locate(pixels)
        return {OUTPUT: probability, LOCATION: location}

    path = folder / ONNX_FILE
    logging.getLogger("tf2onnx").setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(sys.stderr):  # stdout carries the CLI's JSON lines
            tf2onnx.convert.from_function(network, input_signature=spec, opset=ONNX_OPSET, output_path=str(path))
        parity = onnx_parity(folder, path, chip_px)
    except Exception as exc:  # noqa: BLE001 - a model without a copy still scans with TensorFlow
        path.unlink(missing_ok=True)
        return {"skipped": f"conversion failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
    worst = max(parity["max_score_diff"], parity.get("max_location_diff", 0.0))
    if worst > PARITY_TOLERANCE:
        path.unlink(missing_ok=True)
        return {"skipped": f"the ONNX copy differed from the SavedModel by {worst:.1e} (over {PARITY_TOLERANCE:g})"}
    return {"file": ONNX_FILE, "opset": ONNX_OPSET, "locates": locate is not None, "parity": parity}


def parity_chips(chip_px: int, n: int = 8) -> Any:
    """Test chips for the parity check: noise, gradients and blocks (seeded, so reproducible)."""
    import numpy as np

    rng = np.random.default_rng(0)
    grid = np.linspace(0, 255, chip_px, dtype=np.float32)
    chips = [rng.integers(0, 256, (chip_px, chip_px, 3)).astype(np.uint8) for _ in range(n // 2)]
    for k in range(n - len(chips)):
        base = np.stack([np.add.outer(grid, grid[::-1]) / 2] * 3, axis=-1)
        y, x = rng.integers(0, chip_px // 2, 2)
        base[y : y + chip_px // 3, x : x + chip_px // 3] = (220, 200 - 30 * k, 180)
        chips.append(base.clip(0, 255).astype(np.uint8))
    return np.stack(chips)


def onnx_parity(folder: Path, onnx_path: Path, chip_px: int) -> dict[str, Any]:
    """Largest differences between the ONNX copy (numpy resize, ONNX Runtime) and the SavedModel
    (its own resize and signature) on the same chips, as a scan would give them."""
    import numpy as np
    import tensorflow as tf

    from ..inference.onnx_model import OnnxModel

    chips = parity_chips(chip_px)
    loaded = tf.saved_model.load(str(folder))
    locates = LOCATE_UINT8 in loaded.signatures
    reference = loaded.signatures[LOCATE_UINT8 if locates else PREDICT_UINT8](images=tf.constant(chips))
    scores, locations = OnnxModel(onnx_path).run(chips)
    found = {
        "chips": len(chips),
        "max_score_diff": float(np.abs(scores - reference[OUTPUT].numpy()).max()),
    }
    if locates and locations is not None:
        found["max_location_diff"] = float(np.abs(locations - reference[LOCATION].numpy()).max())
    return found
