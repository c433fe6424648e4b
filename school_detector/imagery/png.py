"""A minimal PNG writer for chips on their way to a model server.

Stored (uncompressed) deflate blocks: on loopback the bytes cost less than compressing them,
and this is several times faster than Qt's or Pillow's writers (filters, real deflate). It
needs only numpy and zlib, so the QGIS side and the ML runtime encode chips identically.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(rgb: np.ndarray, level: int = 0) -> bytes:
    """(H, W, 3) uint8 -> PNG bytes (8-bit RGB, no filter, zlib ``level``)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"png_bytes wants an (H, W, 3) uint8 array, not {rgb.shape} {rgb.dtype}")
    h, w, _ = rgb.shape
    raw = np.zeros((h, w * 3 + 1), dtype=np.uint8)  # a leading 0 per row: filter type "none"
    raw[:, 1:] = rgb.reshape(h, w * 3)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw.tobytes(), level))
        + _chunk(b"IEND", b"")
    )
