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
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from ..core.errors import InputError

INPUT_BYTES = "image_bytes"
INPUT_UINT8 = "images"
OUTPUT = "school_probability"
LOCATION = "school_location"
LOCATE, LOCATE_UINT8 = "locate", "locate_uint8"


def next_version(model_root: Path) -> int:
    """TF Serving serves the highest numeric version folder; retraining adds the next one."""
    versions = [int(p.name) for p in model_root.glob("*") if p.is_dir() and re.fullmatch(r"\d+", p.name)]
    return max(versions, default=0) + 1


def export_saved_model(model: Any, size: int, version_dir: Path) -> Path:
    """Write the model with its signatures (the locating ones when the model has the shape
    ml.locate needs); returns the version folder."""
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
    archive.add_endpoint("predict_uint8", serve_uint8, input_signature=uint8_spec)
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
    tmp.rename(version_dir)  # a version folder appears complete or not at all (TF Serving polls)
    return version_dir
