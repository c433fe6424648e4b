"""What every chip source returns, and the conversions to 8-bit RGB they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..core.errors import SchoolDetectorError
from ..core.tiles import Bounds


class ImageryError(SchoolDetectorError):
    """The imagery cannot be read (missing file, no georeference, server down)."""

    exit_code = 2  # the user's to fix (a path, a georeference, a URL or key), like other bad input


@dataclass
class Chip:
    rgb: np.ndarray  # (H, W, 3) uint8
    valid: np.ndarray  # (H, W) bool: pixels that hold real imagery

    @property
    def valid_fraction(self) -> float:
        return float(self.valid.mean()) if self.valid.size else 0.0


class ChipSource(Protocol):
    def describe(self) -> dict[str, Any]: ...

    def extent_3857(self) -> Bounds | None: ...

    def read(self, bounds: Bounds, size: int) -> Chip: ...

    def close(self) -> None: ...


def percentile_stretch(samples: np.ndarray, low: float = 2.0, high: float = 98.0) -> tuple[float, float]:
    """Robust display range of one band from its valid samples."""
    if samples.size == 0:
        return 0.0, 1.0
    lo, hi = (float(v) for v in np.percentile(samples, [low, high]))
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def to_rgb8(bands: np.ndarray, stretch: list[tuple[float, float]] | None) -> np.ndarray:
    """(B, H, W) any dtype -> (H, W, 3) uint8. One band becomes grey RGB; a stretch maps
    [lo, hi] to [0, 255] per band (16-bit and float imagery); uint8 passes unchanged."""
    if bands.shape[0] == 1:
        bands = np.repeat(bands, 3, axis=0)
        if stretch and len(stretch) == 1:
            stretch = stretch * 3
    bands = bands[:3]
    if stretch is None and bands.dtype == np.uint8:
        return np.ascontiguousarray(np.moveaxis(bands, 0, -1))
    out = np.empty(bands.shape, dtype=np.uint8)
    for i in range(3):
        lo, hi = stretch[i] if stretch else (0.0, 255.0)
        scaled = (bands[i].astype(np.float32) - lo) * (255.0 / (hi - lo))
        out[i] = np.clip(np.round(scaled), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.moveaxis(out, 0, -1))
