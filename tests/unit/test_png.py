"""The chip PNG writer: a valid PNG (chunks, CRCs) that decodes to exactly the input pixels."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from school_detector.imagery.png import SIGNATURE, png_bytes


def decode(data: bytes) -> np.ndarray:
    """An independent reader of 8-bit RGB, filter-0 PNGs: checks every chunk's CRC."""
    assert data[:8] == SIGNATURE
    pos, idat, size = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        if kind == b"IHDR":
            w, h, depth, colour, *_ = struct.unpack(">IIBBBBB", body)
            assert (depth, colour) == (8, 2)
            size = (h, w)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert size is not None
    h, w = size
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(h, w * 3 + 1)
    assert not raw[:, 0].any()  # filter type none on every row
    return raw[:, 1:].reshape(h, w, 3)


@pytest.mark.parametrize("shape", [(256, 256), (512, 512), (3, 7)])
def test_round_trip(shape: tuple[int, int]) -> None:
    rgb = np.random.default_rng(1).integers(0, 256, (*shape, 3), dtype=np.uint8)
    assert np.array_equal(decode(png_bytes(rgb)), rgb)
    assert np.array_equal(decode(png_bytes(rgb, level=6)), rgb)


def test_rejects_non_rgb8() -> None:
    with pytest.raises(ValueError, match="uint8"):
        png_bytes(np.zeros((4, 4, 3), dtype=np.uint16))
    with pytest.raises(ValueError, match="H, W, 3"):
        png_bytes(np.zeros((4, 4), dtype=np.uint8))
