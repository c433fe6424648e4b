"""Where each cell of a backbone's feature map looks in the chip: its receptive field's centre.

The class activation map (ml.locate) scores every cell of the backbone's last feature map; to
turn the best cells into a point, each cell needs its place in the chip. Assuming cell ``i`` of
``h`` sits at ``(i + 0.5) / h`` is exact only for networks that pad symmetrically. Keras's
MobileNetV2 pads only bottom/right before its stride-2 convolutions (its cells sit at
``32 i + 31.5`` px of a 224 px chip: 6.9 % of the chip, ~10 m at zoom 18, south-east of where
the plain formula puts them) and Xception's first convolutions are unpadded (its cells are
squeezed toward the chip's centre). So the centres are worked out from the network itself,
once, when a model is exported, and baked into its ``locate`` graph and ONNX copy.

The walk follows the graph from the input to the feature map, keeping for each tensor and axis
the affine map ``centre(j) = scale * j + offset`` (input pixels, pixel ``k`` spanning
``[k, k + 1)``). A convolution or pooling of kernel ``k``, stride ``s``, dilation ``d`` and
``pb`` leading padding (TensorFlow's "same" puts the odd pixel at the end) maps output ``j`` to
the mean of its taps, ``s j - pb + d (k - 1) / 2``; explicit padding and cropping shift. Where
branches merge (residual connections), the centre is the shortest branch's (fewest windowed
layers from the input; the mean of the shortest if several): a residual network's gradients
flow mostly through its shortcuts (Veit et al. 2016, "Residual networks behave like ensembles of
relatively shallow networks"), and Xception's stride-2 shortcuts sit up to 24 px from its main
branches. tests/runtime/test_receptive.py checks the walk against the centroid of the network's
own input gradients, for each backbone at two sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: how the centres were found, as the model card records it
METHOD = "receptive-field walk (strides, kernels, padding; shortest branch at merges)"


@dataclass(frozen=True)
class Axis:
    """``centre(j) = scale * j + offset`` in input pixels, over ``size`` cells."""

    scale: float
    offset: float
    size: int

    def centres(self) -> list[float]:
        return [self.scale * j + self.offset for j in range(self.size)]


class UnknownLayer(ValueError):
    """A layer that changes the feature map's size in a way the walk doesn't know."""


def _pair(value: Any) -> tuple[int, int]:
    return (int(value), int(value)) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _window(axis: Axis, size: int, kernel: int, stride: int, dilation: int, padding: str) -> Axis:
    span = dilation * (kernel - 1) + 1
    if padding == "same":
        out = -(-axis.size // stride)
        lead = max((out - 1) * stride + span - axis.size, 0) // 2
    else:
        out = (axis.size - span) // stride + 1
        lead = 0
    if out != size:
        raise UnknownLayer(f"expected {size} cells, the walk gives {out}")
    return Axis(axis.scale * stride, axis.scale * (dilation * (kernel - 1) / 2 - lead) + axis.offset, out)


Walked = tuple[Axis, Axis, int]  # (y, x, windowed layers on the shortest path from the input)


def _step(layer: Any, inputs: list[Walked], out_shape: tuple[int, int]) -> Walked:
    """The output's (y, x) axes and depth from the inputs' for one layer."""
    import keras

    h, w = out_shape
    name = type(layer).__name__
    if len(inputs) > 1:  # Add, Concatenate, Multiply...: the shortest branch's centre
        if len({a.scale for a, _, _ in inputs}) > 1 or len({b.scale for _, b, _ in inputs}) > 1:
            raise UnknownLayer(f"{name} {layer.name} merges feature maps of different strides")
        depth = min(d for _, _, d in inputs)
        short = [(a, b) for a, b, d in inputs if d == depth]
        return (
            Axis(short[0][0].scale, sum(a.offset for a, _ in short) / len(short), h),
            Axis(short[0][1].scale, sum(b.offset for _, b in short) / len(short), w),
            depth,
        )
    (y, x, depth) = inputs[0]
    windowed = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.SeparableConv2D)
    pooled = (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)
    if isinstance(layer, windowed) or isinstance(layer, pooled):
        kernel = _pair(layer.kernel_size if isinstance(layer, windowed) else layer.pool_size)
        stride = _pair(layer.strides)
        dilation = _pair(getattr(layer, "dilation_rate", 1))
        padding = str(layer.padding).lower()
        return (
            _window(y, h, kernel[0], stride[0], dilation[0], padding),
            _window(x, w, kernel[1], stride[1], dilation[1], padding),
            depth + 1,
        )
    if isinstance(layer, keras.layers.ZeroPadding2D):
        (top, _), (left, _) = layer.padding
        return Axis(y.scale, y.offset - y.scale * top, h), Axis(x.scale, x.offset - x.scale * left, w), depth
    if isinstance(layer, keras.layers.Cropping2D):
        (top, _), (left, _) = layer.cropping
        return Axis(y.scale, y.offset + y.scale * top, h), Axis(x.scale, x.offset + x.scale * left, w), depth
    if (y.size, x.size) == (h, w):  # per-pixel layers: BatchNorm, activations, 1x1 reshapes of channels
        return y, x, depth
    raise UnknownLayer(f"{name} {layer.name} changes the map from {y.size}x{x.size} to {h}x{w}")


def _spatial(tensor: Any) -> tuple[int, int] | None:
    shape = tuple(tensor.shape)
    return (int(shape[1]), int(shape[2])) if len(shape) == 4 and shape[1] and shape[2] else None


def feature_axes(backbone: Any) -> tuple[Axis, Axis]:
    """(y, x) axes of the map that feeds ``backbone``'s last layer (its global pooling), for a
    Keras functional backbone. Raises UnknownLayer for a layer the walk can't follow."""
    (inp,) = backbone.inputs
    size = _spatial(inp)
    if size is None:
        raise UnknownLayer("the backbone's input has no fixed size")
    axes: dict[int, Walked] = {id(inp): (Axis(1.0, 0.5, size[0]), Axis(1.0, 0.5, size[1]), 0)}
    target = backbone.layers[-1].input
    import keras

    for layer in backbone.layers[:-1]:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        sources = layer.input if isinstance(layer.input, (list, tuple)) else [layer.input]
        known = [axes[id(t)] for t in sources if id(t) in axes]
        if not known:
            continue
        shape = _spatial(layer.output)
        if shape is None:
            continue
        axes[id(layer.output)] = _step(layer, known, shape)
    if id(target) not in axes:
        raise UnknownLayer("the walk did not reach the feature map")
    y, x, _ = axes[id(target)]
    return y, x


def locate_cells(backbone: Any) -> tuple[list[float], list[float], dict[str, Any]]:
    """Each feature cell's centre as a fraction of the chip's side (xs from the west, ys from
    the north, clipped to the chip) and the model card's record of how they were found: the
    walk, or an even grid (said so, with why) for a backbone the walk can't follow."""
    (inp,) = backbone.inputs
    height, width = _spatial(inp) or (1, 1)
    try:
        y, x = feature_axes(backbone)
        record: dict[str, Any] = {"method": METHOD, "stride_px": x.scale, "offset_px": [x.offset, y.offset]}
    except UnknownLayer as exc:
        h, w = _spatial(backbone.layers[-1].input) or (1, 1)
        y, x = Axis(height / h, height / h / 2, h), Axis(width / w, width / w / 2, w)
        record = {"method": f"even grid (the walk could not follow the network: {exc})"}
    xs = [min(max(c / width, 0.0), 1.0) for c in x.centres()]
    ys = [min(max(c / height, 0.0), 1.0) for c in y.centres()]
    return xs, ys, record
