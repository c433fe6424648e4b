"""Each backbone's feature cells stand where the network looks: the centres baked into the
locating graph agree, within 1 % of the chip, with the receptive-field centres measured here
from the network's own input gradients, for tiny, MobileNetV2 (the default) and Xception at two
input sizes each. The even grid ``(i + 0.5) / h`` that 0.2.0 assumed misses by 6.9 % of the chip
on MobileNetV2 and 3 % on Xception (~10 m at zoom 18): the test says so too."""

import numpy as np
import pytest
import tensorflow as tf

from school_detector.ml.locate import cam_location, locator
from school_detector.ml.models import build_backbone, build_classifier
from school_detector.ml.receptive import METHOD, feature_axes, locate_cells

#: each backbone's total stride (pixels per feature cell): the measurement's canvas grows by whole cells
STRIDES = {"tiny": 16, "mobilenetv2": 32, "xception": 32}
CASES = [("tiny", 128), ("tiny", 192), ("mobilenetv2", 224), ("mobilenetv2", 256), ("xception", 299), ("xception", 256)]
#: networks with fresh weights per measurement: one draw leans ~1.5 px one way or the other
DRAWS = {"tiny": 4, "mobilenetv2": 4, "xception": 2}


def measured_centres(backbone: str, size: int, cells: list[int]) -> dict[int, tuple[float, float]]:
    """Receptive-field centres (x, y, input pixels) of cells (j, j), measured as the centroid of
    |d features / d input| on a canvas ``2 m`` cells wider than the chip, so that no field is
    cut off at the chip's edge (every layer pads there as it does at the chip's size). Averaged
    over a few networks with fresh random weights: the geometry is the architecture's, not one
    draw of weights'."""
    import keras

    draws = DRAWS[backbone]
    stride = STRIDES[backbone]
    margin = -(-size // (3 * stride))  # the fields' strong part lies well within a third of the chip
    side = size + 2 * margin * stride
    centre = np.arange(side) + 0.5
    sums = {j: np.zeros(2) for j in cells}
    for draw in range(draws):
        keras.utils.set_random_seed(draw)
        base = build_backbone(backbone, side, None)
        features = keras.Model(base.inputs, base.layers[-1].input)
        pixels = tf.constant(np.random.default_rng(draw).uniform(0, 1, (2, side, side, 3)).astype("float32"))
        for j in cells:
            k = j + margin
            with tf.GradientTape() as tape:
                tape.watch(pixels)
                value = tf.reduce_sum(features(pixels, training=False)[:, k, k, :])
            grad = np.abs(tape.gradient(value, pixels).numpy()).sum(axis=(0, 3))
            sums[j] += [(grad.sum(axis=0) * centre).sum() / grad.sum(), (grad.sum(axis=1) * centre).sum() / grad.sum()]
    return {j: tuple(float(v) for v in sums[j] / draws - margin * stride) for j in cells}


def graph_centres(model, h: int, cells: list[int]) -> dict[int, tuple[float, float]]:
    """Where the exported locating graph puts a school that lights only cell (j, j)."""
    locate = locator(model)
    found = {}
    for j in cells:
        cam = np.zeros((1, h, h), np.float32)
        cam[0, j, j] = 1.0
        found[j] = tuple(cam_location(tf.constant(cam), locate.cells).numpy()[0])
    return found


@pytest.mark.parametrize(("backbone", "size"), CASES)
def test_the_graphs_cell_centres_are_the_networks_receptive_field_centres(backbone, size):
    model, base = build_classifier(backbone, size, None)
    h = int(base.layers[-1].input.shape[1])
    cells = [0, h // 2, h - 1]
    baked = graph_centres(model, h, cells)
    measured = measured_centres(backbone, size, cells)
    for j in cells:
        for axis in (0, 1):
            error = abs(baked[j][axis] * size - measured[j][axis]) / size
            assert error <= 0.01, (backbone, size, j, axis, baked[j][axis] * size, measured[j][axis])
    if backbone != "tiny":  # the even grid is wrong for both real backbones
        worst = max(abs((j + 0.5) / h * size - measured[j][0]) / size for j in cells)
        assert worst > 0.02, worst


def test_the_card_says_how_the_centres_were_found():
    base = build_backbone("mobilenetv2", 96, None)
    xs, ys, record = locate_cells(base)
    assert record == {"method": METHOD, "stride_px": 32.0, "offset_px": [31.5, 31.5]}
    assert xs == ys == [31.5 / 96, 63.5 / 96, 95.5 / 96]  # MobileNetV2 pads bottom/right: cell 0 at 31.5 px


def test_the_walk_reads_strides_kernels_and_padding():
    """The walk alone (the probe's grid): MobileNetV2's one-sided padding and Xception's
    unpadded first convolutions, against the centres worked out by hand."""
    _, x = feature_axes(build_backbone("mobilenetv2", 224, None))
    assert x.centres() == [32 * j + 31.5 for j in range(7)]
    for size in (299, 256):  # the stride-2 shortcuts set the centre, whatever the size's parity
        _, x = feature_axes(build_backbone("xception", size, None))
        assert x.scale == 32 and abs(x.offset - 3.5) < 1e-9
    _, x = feature_axes(build_backbone("tiny", 128, None))
    assert x.centres() == [16 * j + 8.0 for j in range(8)]  # symmetric: the even grid is right for it
    assert METHOD.startswith("receptive-field walk")
