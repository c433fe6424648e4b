"""One model version as the servers see it: named signatures with typed inputs and outputs and
a call, whichever engine runs it. TensorFlow runs the SavedModel's own signatures; ONNX Runtime
runs the version's ONNX copy behind the same signatures (``serving_default`` and ``locate`` take
encoded images, ``predict_uint8`` and ``locate_uint8`` pixels), so the REST and gRPC protocols
are the same whatever the backend.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..core.signatures import INPUT_BYTES, INPUT_UINT8, LOCATE, LOCATE_UINT8, LOCATION, OUTPUT, PREDICT_UINT8


@dataclass(frozen=True)
class Spec:
    """A tensor's type ("string", "uint8", "float32"…) and shape (None: any size)."""

    dtype: str
    shape: tuple[int | None, ...]


@dataclass(frozen=True)
class Signature:
    inputs: dict[str, Spec]
    outputs: dict[str, Spec]
    #: inputs by name (lists or arrays) -> outputs by name (numpy arrays); ValueError/TypeError
    #: for input the model cannot take (the servers answer 400 with its message)
    call: Callable[..., dict[str, Any]]


def tensorflow_signatures(folder: Path) -> dict[str, Signature]:
    """The SavedModel's signatures, called through TensorFlow."""
    import tensorflow as tf

    loaded = tf.saved_model.load(str(folder))
    signatures: dict[str, Signature] = {}
    for key, fn in loaded.signatures.items():
        _, in_specs = fn.structured_input_signature

        # ``keep``: the loaded SavedModel stays alive as long as its signatures (its variables)
        def call(fn: Any = fn, in_specs: Any = in_specs, keep: Any = loaded, **values: Any) -> dict[str, Any]:
            args = {}
            for name, value in values.items():
                spec = in_specs[name]
                data = value if spec.dtype == tf.string else np.asarray(value)
                args[name] = tf.constant(data, dtype=spec.dtype)
            try:
                result = fn(**args)
            except tf.errors.InvalidArgumentError as exc:
                raise ValueError(str(exc.message).splitlines()[0]) from exc
            return {k: v.numpy() for k, v in result.items()}

        signatures[key] = Signature(
            {n: Spec(s.dtype.name, tuple(s.shape.as_list())) for n, s in in_specs.items()},
            {n: Spec(s.dtype.name, tuple(s.shape.as_list())) for n, s in fn.structured_outputs.items()},
            call,
        )
    return signatures


def decode_images(values: Any) -> list[Any]:
    """Encoded PNG/JPEG images -> RGB uint8 arrays (Pillow; PNG pixels are TF's exactly)."""
    from PIL import Image, UnidentifiedImageError

    images = []
    for k, data in enumerate(values):
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"image {k} is not encoded image bytes")
        try:
            with Image.open(io.BytesIO(data)) as im:
                images.append(np.asarray(im.convert("RGB"), dtype=np.uint8))
        except (UnidentifiedImageError, OSError) as exc:
            raise ValueError(f"image {k} could not be decoded: {exc}") from exc
    return images


def run_batches(model: Any, images: list[Any]) -> tuple[Any, Any | None]:
    """Score decoded images that may differ in size: one batch per size, answers in request
    order. A request's chips are normally all one size, so this is one session run; the
    batch size the client chose is the one the model sees, as with TensorFlow."""
    scores = np.zeros(len(images), np.float32)
    where = np.zeros((len(images), 2), np.float32) if model.locates else None
    by_shape: dict[tuple[int, ...], list[int]] = {}
    for k, im in enumerate(images):
        by_shape.setdefault(im.shape, []).append(k)
    for ks in by_shape.values():
        batch_scores, batch_where = model.run(np.stack([images[k] for k in ks]))
        scores[ks] = batch_scores
        if where is not None:
            where[ks] = batch_where
    return scores, where


def onnx_signatures(path: Path) -> dict[str, Signature]:
    """The SavedModel's signatures, answered by the ONNX copy at ``path``."""
    from ..inference.onnx_model import OnnxModel

    model = OnnxModel(path)
    outputs = {OUTPUT: Spec("float32", (None,))}
    if model.locates:
        outputs[LOCATION] = Spec("float32", (None, 2))

    def run(images: list[Any] | Any) -> dict[str, Any]:
        if isinstance(images, list):
            scores, where = run_batches(model, images)
        else:
            scores, where = model.run(images)
        found = {OUTPUT: scores}
        if where is not None:
            found[LOCATION] = where
        return found

    def from_bytes(**values: Any) -> dict[str, Any]:
        return run(decode_images(values[INPUT_BYTES]))

    def from_pixels(**values: Any) -> dict[str, Any]:
        pixels = np.asarray(values[INPUT_UINT8])
        if pixels.ndim != 4 or pixels.shape[-1] != 3:
            raise ValueError(f"images must be (N, H, W, 3) uint8, not shape {list(pixels.shape)}")
        return run(pixels.astype(np.uint8))

    by_bytes = {INPUT_BYTES: Spec("string", (None,))}
    by_pixels = {INPUT_UINT8: Spec("uint8", (None, None, None, 3))}
    probability = {OUTPUT: outputs[OUTPUT]}
    signatures = {
        "serving_default": Signature(by_bytes, probability, lambda **v: {OUTPUT: from_bytes(**v)[OUTPUT]}),
        PREDICT_UINT8: Signature(by_pixels, probability, lambda **v: {OUTPUT: from_pixels(**v)[OUTPUT]}),
    }
    if model.locates:
        signatures[LOCATE] = Signature(by_bytes, outputs, from_bytes)
        signatures[LOCATE_UINT8] = Signature(by_pixels, outputs, from_pixels)
    return signatures
