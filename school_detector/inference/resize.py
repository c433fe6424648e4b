"""TensorFlow's antialiased bilinear resize (``tf.image.resize(..., antialias=True)``), in numpy.

The models are trained and exported with that resize in front of them; a backend without
TensorFlow (ONNX Runtime) must feed the network the very same pixels, or its scores drift from
the SavedModel's. TF computes it as ``scale_and_translate`` with a triangle kernel widened by
the downscale factor: each output pixel is a normalised, weighted sum of the input pixels under
the kernel (tensorflow/core/kernels/image/scale_and_translate_op.cc, ComputeSpansCore). Both
axes are separable, and each output pixel reads only the few input pixels under the kernel.
Pure numpy: no TF, no Qt.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import numpy as np


@lru_cache(maxsize=32)
def resize_weights(input_size: int, output_size: int) -> Any:
    """(output_size, input_size) float32 weights of TF's antialiased triangle resize, computed
    in float32 step by step as TF does (a float64 sample position differs by ~1e-5 px, which is
    ~5e-3 grey levels on the output)."""
    f32 = np.float32
    scale = f32(output_size) / f32(input_size)
    inv_scale = f32(1.0) / scale
    kernel_scale = max(inv_scale, f32(1.0))  # antialias: a downscale widens the kernel
    one_over_kernel_scale = f32(1.0) / kernel_scale
    weights = np.zeros((output_size, input_size), dtype=np.float32)
    for x in range(output_size):
        sample = f32(f32(x) + f32(0.5)) * inv_scale
        if sample < 0 or sample > input_size:
            continue
        start = max(int(np.ceil(sample - kernel_scale - f32(0.5))), 0)
        end = min(int(np.floor(sample + kernel_scale - f32(0.5))), input_size - 1) + 1
        sources = np.arange(start, end).astype(np.float32)
        position = (sources + f32(0.5) - sample) * one_over_kernel_scale
        row = np.maximum(f32(0.0), f32(1.0) - np.abs(position)).astype(np.float32)
        total = np.float32(0.0)
        for w in row:  # TF sums in order, in float32
            total = f32(total + w)
        if total > 0:
            weights[x, start:end] = row * (f32(1.0) / total)
    return weights


@lru_cache(maxsize=32)
def resize_taps(input_size: int, output_size: int) -> tuple[Any, Any]:
    """The banded form of :func:`resize_weights`: for each output pixel, the input pixels under
    the kernel (indices, (output_size, K)) and their weights (zero where a row has fewer)."""
    weights = resize_weights(input_size, output_size)
    width = max(1, int((weights > 0).sum(axis=1).max()))
    index = np.zeros((output_size, width), dtype=np.intp)
    taps = np.zeros((output_size, width), dtype=np.float32)
    for row in range(output_size):
        (where,) = np.nonzero(weights[row])
        index[row, : len(where)] = where
        taps[row, : len(where)] = weights[row, where]
    return index, taps


def _resize_rows_cols(pixels: Any, size: int) -> Any:
    """One block of images: rows, then columns, a few taps each (float32 as TF sums them)."""
    n, height, width, channels = pixels.shape
    index, taps = resize_taps(height, size)
    rows = np.zeros((n, size, width, channels), dtype=np.float32)
    buffer = np.empty_like(rows)
    gathered = np.empty((n, size, width, channels), dtype=pixels.dtype)  # uint8 chips: a quarter of the traffic
    for k in range(index.shape[1]):
        np.take(pixels, index[:, k], axis=1, out=gathered)
        np.multiply(gathered, taps[:, k][None, :, None, None], out=buffer)
        rows += buffer
    index, taps = resize_taps(width, size)
    out = np.zeros((n, size, size, channels), dtype=np.float32)
    buffer = np.empty_like(out)
    for k in range(index.shape[1]):
        np.take(rows, index[:, k], axis=2, out=buffer)
        buffer *= taps[:, k][None, None, :, None]
        out += buffer
    return out


_pool: list[ThreadPoolExecutor] = []


def resize_images(images: Any, size: int) -> Any:
    """(N, H, W, C) images (any numeric dtype, 0-255) -> (N, size, size, C) float32, as TF's
    ``tf.image.resize(tf.cast(images, tf.float32), [size, size], antialias=True)``: the same
    taps, summed in the same order, so the same numbers. A few taps per pixel and axis (the
    kernel's width), on every core (numpy lets go of the GIL): a batch of 32 chips of 256 px
    costs tens of milliseconds."""
    pixels = np.asarray(images)
    if pixels.ndim != 4:
        raise ValueError(f"images must be (N, H, W, C), not shape {pixels.shape}")
    if pixels.shape[1:3] == (size, size):
        return pixels.astype(np.float32, copy=False)
    cores = max(1, min(os.cpu_count() or 1, 8, pixels.shape[0]))
    if cores == 1:
        return _resize_rows_cols(pixels, size)
    if not _pool:
        _pool.append(ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, 8), thread_name_prefix="resize"))
    blocks = np.array_split(pixels, cores)
    return np.concatenate(list(_pool[0].map(lambda block: _resize_rows_cols(block, size), blocks)))
