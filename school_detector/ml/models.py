"""Classifier construction: a backbone (MobileNetV2, Xception, or a tiny CNN for CPUs and
tests) under a small head, with the backbone's preprocessing inside the model so the exported
model takes plain RGB values in [0, 255]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.training import BACKBONES
from ..core.training import backbone as backbone_spec

DEFAULT_INPUT = {b.key: b.default_input for b in BACKBONES}
#: BatchNorm momentum of backbones trained from scratch (the tiny CNN's too): statistics settle
#: in the few hundred steps a small dataset gives
FROM_SCRATCH_BN_MOMENTUM = 0.9
IMAGENET_FILES = {
    "mobilenetv2": "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{alpha}_{size}_no_top.h5",
    "xception": "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
}


def resolve_weights(weights: str) -> str | None:
    """ "imagenet", "none", or a path to a local weights file (offline machines)."""
    if weights.lower() == "none":
        return None
    if weights.lower() == "imagenet":
        return "imagenet"
    path = Path(weights).expanduser()
    if not path.is_file():
        raise InputError(f"Weights file {path} does not exist; use imagenet, none, or a path to a .h5 file.")
    return str(path)


def _imagenet_help(backbone: str, alpha: float, size: int, error: Exception) -> InputError:
    name = IMAGENET_FILES.get(backbone, "").format(alpha=alpha, size=size)
    return InputError(
        f"Could not download the ImageNet weights for {backbone} ({error}). This computer seems offline. "
        f"Either connect once (Keras keeps them in ~/.keras/models), or download {name} from the Keras "
        "applications release on a connected machine and pass it with --weights /path/to/file (Weights: "
        "'Local file…' in the dialog), or train from scratch with --weights none (needs far more data).",
        details=str(error),
    )


def _tiny_backbone(size: int) -> Any:
    """Four conv blocks, each halving the grid (an 8x8 activation map at 128 px), and a last
    conv that widens each cell's view to a school compound's size, so the activation map
    peaks on the compound rather than on one of its parts. BatchNorm's momentum is 0.9: its
    statistics settle in the few hundred steps a small dataset gives (at 0.99 they still hold
    their start values, and every tile then scores the same)."""
    import keras

    inputs = keras.Input((size, size, 3))
    x = inputs
    for filters in (32, 64, 96, 128):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization(momentum=FROM_SCRATCH_BN_MOMENTUM)(x)
        x = keras.layers.Activation("relu")(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(128, 3, padding="same", use_bias=False)(x)
    x = keras.layers.BatchNormalization(momentum=FROM_SCRATCH_BN_MOMENTUM)(x)
    x = keras.layers.Activation("relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, x, name="tiny_backbone")


def build_backbone(backbone: str, size: int, weights: str | None, alpha: float = 1.0) -> Any:
    import keras

    smallest = backbone_spec(backbone).min_input
    if size < smallest:
        raise InputError(f"{backbone} needs an input of at least {smallest} px (asked for {size}).")
    if backbone == "tiny":
        model = _tiny_backbone(size)
        if weights not in (None, "imagenet"):
            model.load_weights(weights)
        elif weights == "imagenet":
            raise InputError("The tiny backbone has no ImageNet weights; use --weights none.")
        return model
    try:
        if backbone == "mobilenetv2":
            model = keras.applications.MobileNetV2(
                include_top=False, weights=weights, input_shape=(size, size, 3), alpha=alpha, pooling="avg"
            )
        else:
            model = keras.applications.Xception(
                include_top=False, weights=weights, input_shape=(size, size, 3), pooling="avg"
            )
    except Exception as exc:
        if weights == "imagenet" and "URL fetch failure" in str(exc):
            raise _imagenet_help(backbone, alpha, size, exc) from exc
        if weights not in (None, "imagenet"):
            raise InputError(f"The weights file {weights} does not fit {backbone} at {size} px: {exc}") from exc
        raise
    if weights is None:
        settle_batch_norm(model)
    return model


def settle_batch_norm(model: Any, momentum: float = FROM_SCRATCH_BN_MOMENTUM) -> None:
    """From scratch, BatchNorm's running statistics must follow the weights as they learn:
    Keras's MobileNetV2 and Xception keep 99.9 % of them per step, so after the few hundred
    steps a small dataset gives they still hold their start values and every image scores the
    same at inference (validation accuracy stuck at a class share). Pretrained backbones keep
    their BatchNorm frozen instead (unfreeze_top)."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = momentum


def build_classifier(
    backbone: str, size: int, weights: str | None, alpha: float = 1.0, dropout: float = 0.2
) -> tuple[Any, Any]:
    """(model, backbone). Input: (None, size, size, 3) float RGB in [0, 255]; output: P(school)."""
    import keras

    base = build_backbone(backbone, size, weights, alpha)
    inputs = keras.Input((size, size, 3), name="rgb")
    if backbone == "tiny":
        x = keras.layers.Rescaling(1.0 / 255.0, name="preprocess")(inputs)
    else:  # MobileNetV2 and Xception both expect [-1, 1]
        x = keras.layers.Rescaling(1.0 / 127.5, offset=-1.0, name="preprocess")(inputs)
    x = base(x)
    x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", dtype="float32", name="school_probability")(x)
    return keras.Model(inputs, outputs, name=f"school_{backbone}"), base


def unfreeze_top(base: Any, layers: int) -> int:
    """Make the top ``layers`` of the backbone trainable (0: all), keeping BatchNorm frozen so
    fine-tuning on a small dataset doesn't wreck its statistics. Returns how many train."""
    import keras

    base.trainable = True
    cut = 0 if layers <= 0 else max(0, len(base.layers) - layers)
    count = 0
    for i, layer in enumerate(base.layers):
        trainable = i >= cut and not isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = trainable
        count += int(trainable)
    return count
