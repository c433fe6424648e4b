"""In-process prediction with ONNX Runtime: the scan's fast path without TensorFlow, the same
answers as ml.predictor.SavedModelPredictor (scores and where the school is in the chip)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..core.model_card import ModelCard
from ..core.results import Prediction, batch_predictions
from .backend import no_onnx_copy
from .onnx_model import OnnxModel


class OnnxPredictor:
    wants_bytes = False
    concurrency = 1  # one batch at a time: ONNX Runtime already uses every core

    def __init__(self, model_dir: Path) -> None:
        self.card = ModelCard.read(model_dir)
        path = self.card.onnx_path(model_dir)
        if path is None:  # inference.backend.choose_backend says so first; a direct caller hears it too
            raise no_onnx_copy(self.card)
        self.model = OnnxModel(path)
        self.locates = self.model.locates

    def predict(self, chips: list[Any]) -> list[Prediction]:
        if not chips:
            return []
        return batch_predictions(*self.model.run(np.stack(chips)))

    def describe(self) -> dict[str, Any]:
        engine = self.model.describe()
        return {
            "backend": "in-process",
            "engine": "onnx",
            "model": self.card.model_id,
            "device": engine["device"],
            "runs_on": engine["text"],
            "threads": engine["threads"],
            "location": "model" if self.locates else "tile-centre",
        }
