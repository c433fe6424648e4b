"""In-process prediction with the exported model's ``locate_uint8`` signature (score and where
the school is in the chip), or ``predict_uint8`` for a model exported before it had one: the
CLI's fast path (no HTTP, no PNG round trip; the GPU when there is one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.model_card import ModelCard
from ..core.results import Prediction, batch_predictions
from ..core.signatures import LOCATE_UINT8, LOCATION, OUTPUT, PREDICT_UINT8


class SavedModelPredictor:
    wants_bytes = False
    concurrency = 1  # one batch at a time: TF already uses every core (or the GPU)

    def __init__(self, model_dir: Path) -> None:
        import tensorflow as tf

        self.card = ModelCard.read(model_dir)
        self._tf = tf
        folder = self.card.version_dir(model_dir)
        loaded = tf.saved_model.load(str(folder))
        self._loaded = loaded  # keep the variables alive
        if PREDICT_UINT8 not in loaded.signatures:
            raise InputError(
                f"The SavedModel in {folder} has no 'predict_uint8' signature (it has "
                f"{', '.join(sorted(loaded.signatures)) or 'none'}): it was not exported by school_detector. "
                "Train or export it with school-detector, or serve it with TF Serving and scan with --serving-url."
            )
        self.locates = LOCATE_UINT8 in loaded.signatures
        self._fn = loaded.signatures[LOCATE_UINT8 if self.locates else PREDICT_UINT8]
        self.device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"

    def predict(self, chips: list[Any]) -> list[Prediction]:
        import numpy as np

        if not chips:
            return []
        out = self._fn(images=self._tf.constant(np.stack(chips)))
        return batch_predictions(out[OUTPUT].numpy(), out[LOCATION].numpy() if self.locates else None)

    def describe(self) -> dict[str, Any]:
        return {
            "backend": "in-process",
            "engine": "tensorflow",
            "model": self.card.model_id,
            "device": self.device,
            "runs_on": f"{self.device}, TensorFlow {self._tf.__version__}",
            "location": "model" if self.locates else "tile-centre",
        }
