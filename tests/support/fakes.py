"""In-process stand-ins for a scan's chip source and predictor, for scanner tests that care
about the loop (what is read, skipped, committed), not the pixels or the model."""

from __future__ import annotations

from typing import Any

import numpy as np

from school_detector.core.results import Prediction
from school_detector.imagery.base import Chip


class BlankSource:
    """Blank chips, no extent (as web imagery); ``reads`` lists the bounds asked for."""

    def __init__(self) -> None:
        self.reads: list[Any] = []

    def extent_3857(self) -> None:
        return None

    def read(self, bounds: Any, size: int) -> Chip:
        self.reads.append(bounds)
        return Chip(np.zeros((size, size, 3), np.uint8), np.ones((size, size), bool))

    def describe(self) -> dict[str, Any]:
        return {"type": "test"}

    def close(self) -> None:
        pass


class ConstantPredictor:
    """Every chip scores ``score`` (no location)."""

    wants_bytes, concurrency = False, 1

    def __init__(self, score: float) -> None:
        self.score = score

    def predict(self, chips: list[Any]) -> list[Prediction]:
        return [Prediction(self.score) for _ in chips]

    def describe(self) -> dict[str, Any]:
        return {}
