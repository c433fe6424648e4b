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
MobileNetV2 at 224 px, 10x10 for Xception at 299, 8x8 for the tiny CNN at 128). Returned as
fractions of the chip: x from the west edge, y from the north edge.
"""

from __future__ import annotations

from typing import Any

PREPROCESS_LAYER = "preprocess"
OUTPUT_LAYER = "school_probability"
#: the part of the map's range (from its top) whose cells place the school
TOP_SHARE = 0.5
#: how far from the strongest cell (a share of the chip's side) cells still count: a school's size
WINDOW = 0.5


def _parts(model: Any) -> tuple[Any, Any, Any] | None:
    """(preprocess layer, pre-pooling feature model, dense layer) of a classifier built by
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
    return preprocess, features, dense


def cam_location(cam: Any) -> Any:
    """(N, 2) float32 fractions (x, y) of the chip from (N, h, w) activation maps; graph ops
    only, so it exports to TF Serving and converts to ONNX."""
    import tensorflow as tf

    cam = tf.cast(cam, tf.float32)
    shape = tf.shape(cam)
    h, w = shape[1], shape[2]
    top = tf.reduce_max(cam, axis=[1, 2], keepdims=True)
    low = tf.reduce_min(cam, axis=[1, 2], keepdims=True)
    ys = (tf.cast(tf.range(h), tf.float32) + 0.5) / tf.cast(h, tf.float32)
    xs = (tf.cast(tf.range(w), tf.float32) + 0.5) / tf.cast(w, tf.float32)
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


def locator(model: Any) -> Any:
    """``images (N, S, S, 3) float 0-255 -> (probabilities (N,), CAMs (N, h, w), locations
    (N, 2))`` for a classifier built by ml.models, else None."""
    import tensorflow as tf

    parts = _parts(model)
    if parts is None:
        return None
    preprocess, features_model, dense = parts

    def locate(images: Any) -> tuple[Any, Any, Any]:
        features = tf.cast(features_model(preprocess(images), training=False), tf.float32)
        kernel = tf.cast(dense.kernel, tf.float32)
        bias = tf.cast(dense.bias, tf.float32)
        shape = tf.shape(features)
        flat = tf.reshape(features, [shape[0], shape[1] * shape[2], shape[3]])
        cam = tf.reshape(tf.matmul(flat, kernel), [shape[0], shape[1], shape[2]]) + bias[0]
        probability = tf.sigmoid(tf.reduce_mean(cam, axis=[1, 2]))  # = dense(GAP(features))
        return probability, cam, cam_location(cam)

    return locate
