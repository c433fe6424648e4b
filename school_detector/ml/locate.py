"""Where in the chip is the school? The classifier's own class activation map (CAM) says.

The classifier is preprocess -> backbone features -> global average pooling -> dense(1) ->
sigmoid, so its logit is the average over the feature map of ``features(y, x) . w + b``: that
per-position value is the CAM (Zhou et al. 2016), the evidence for "school" at each place of the
chip, with no extra training and no gradients. Giga locates schools in its tiles the same way.
One backbone pass gives both the probability (exactly the classifier's) and the map.

The location is a weighted centroid around the map's strongest cell: the cells within
``WINDOW`` of the chip from it that are in the top ``TOP_SHARE`` of the map's range, weighted
by how far into it they are. The window keeps two schools in one chip from averaging to the
field between them; the centroid lands between cells, finer than the feature grid (7x7 for
MobileNetV2 at 224 px, 10x10 for Xception at 299, 8x8 for the tiny CNN at 128). Each cell
stands at its receptive field's centre, measured on the network itself when the model is
exported (ml.receptive: MobileNetV2's and Xception's cells are not where an even grid would put
them) and baked into the graph as constants. Returned as fractions of the chip: x from the
west edge, y from the north edge.
"""

from __future__ import annotations

from typing import Any

PREPROCESS_LAYER = "preprocess"
OUTPUT_LAYER = "school_probability"
#: the part of the map's range (from its top) whose cells place the school
TOP_SHARE = 0.5
#: how far from the strongest cell (a share of the chip's side) cells still count: a school's size
WINDOW = 0.5


def _parts(model: Any) -> tuple[Any, Any, Any, Any] | None:
    """(preprocess layer, pre-pooling feature model, dense layer, backbone) of a classifier built by
    ml.models, or None for a model of another shape (it falls back to the tile centre)."""
    import keras

    try:
        preprocess = model.get_layer(PREPROCESS_LAYER)
        dense = model.get_layer(OUTPUT_LAYER)
    except ValueError:
        return None
    bases = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    if len(bases) != 1 or not isinstance(bases[0].layers[-1], keras.layers.GlobalAveragePooling2D):
        return None
    base = bases[0]
    features = keras.Model(base.inputs, base.layers[-1].input, name=f"{base.name}_features")
    return preprocess, features, dense, base


def cam_location(cam: Any, centres: tuple[list[float], list[float]] | None = None) -> Any:
    """(N, 2) float32 fractions (x, y) of the chip from (N, h, w) activation maps, each cell at
    ``centres`` (xs, ys: fractions of the chip, from ml.receptive; None: an even grid, for a map
    whose cells tile the chip evenly); graph ops only, so it exports to TF Serving and ONNX."""
    import tensorflow as tf

    cam = tf.cast(cam, tf.float32)
    shape = tf.shape(cam)
    h, w = shape[1], shape[2]
    top = tf.reduce_max(cam, axis=[1, 2], keepdims=True)
    low = tf.reduce_min(cam, axis=[1, 2], keepdims=True)
    if centres is None:
        ys = (tf.cast(tf.range(h), tf.float32) + 0.5) / tf.cast(h, tf.float32)
        xs = (tf.cast(tf.range(w), tf.float32) + 0.5) / tf.cast(w, tf.float32)
    else:
        xs = tf.constant(centres[0], tf.float32)
        ys = tf.constant(centres[1], tf.float32)
    flat = tf.argmax(tf.reshape(cam, [shape[0], h * w]), axis=1, output_type=tf.int32)
    peak_y = tf.gather(ys, flat // w)[:, tf.newaxis, tf.newaxis]
    peak_x = tf.gather(xs, flat % w)[:, tf.newaxis, tf.newaxis]
    near = (ys[tf.newaxis, :, tf.newaxis] - peak_y) ** 2 + (xs[tf.newaxis, tf.newaxis, :] - peak_x) ** 2
    weights = tf.nn.relu(cam - (top - TOP_SHARE * (top - low))) * tf.cast(near <= WINDOW**2, tf.float32)
    weights += tf.cast(tf.equal(cam, top), tf.float32) * 1e-6  # a flat map: its maximum cells
    total = tf.reduce_sum(weights, axis=[1, 2])
    fx = tf.reduce_sum(weights * xs[tf.newaxis, tf.newaxis, :], axis=[1, 2]) / total
    fy = tf.reduce_sum(weights * ys[tf.newaxis, :, tf.newaxis], axis=[1, 2]) / total
    return tf.stack([fx, fy], axis=1)


class Locator:
    """``images (N, S, S, 3) float 0-255 -> (probabilities (N,), CAMs (N, h, w), locations
    (N, 2))`` for a classifier built by ml.models; ``cells`` holds the feature cells' centres
    and ``record`` how they were found (the model card keeps it)."""

    def __init__(self, preprocess: Any, features: Any, dense: Any, base: Any) -> None:
        from .receptive import locate_cells

        self.preprocess, self.features, self.dense = preprocess, features, dense
        xs, ys, record = locate_cells(base)
        self.cells = (xs, ys)
        self.record = {**record, "cells_x": [round(v, 5) for v in xs], "cells_y": [round(v, 5) for v in ys]}

    def __call__(self, images: Any) -> tuple[Any, Any, Any]:
        import tensorflow as tf

        features = tf.cast(self.features(self.preprocess(images), training=False), tf.float32)
        kernel = tf.cast(self.dense.kernel, tf.float32)
        bias = tf.cast(self.dense.bias, tf.float32)
        shape = tf.shape(features)
        flat = tf.reshape(features, [shape[0], shape[1] * shape[2], shape[3]])
        cam = tf.reshape(tf.matmul(flat, kernel), [shape[0], shape[1], shape[2]]) + bias[0]
        probability = tf.sigmoid(tf.reduce_mean(cam, axis=[1, 2]))  # = dense(GAP(features))
        return probability, cam, cam_location(cam, self.cells)


def locator(model: Any) -> Locator | None:
    """The model's Locator, or None for a model of another shape (it falls back to the tile
    centre)."""
    parts = _parts(model)
    if parts is None:
        return None
    return Locator(*parts)
