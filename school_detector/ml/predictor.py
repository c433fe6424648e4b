"""In-process prediction with the exported model's ``predict_uint8`` signature: the CLI's fast
path (no HTTP, no PNG round trip; the GPU when there is one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.model_card import ModelCard


class SavedModelPredictor:
    wants_bytes = False
    concurrency = 1  # one batch at a time: TF already uses every core (or the GPU)

    def __init__(self, model_dir: Path) -> None:
        import tensorflow as tf

        from .evaluate import version_dir

        self.card = ModelCard.read(model_dir)
        self._tf = tf
        folder = version_dir(model_dir, self.card)
        loaded = tf.saved_model.load(str(folder))
        self._loaded = loaded  # keep the variables alive
        if "predict_uint8" not in loaded.signatures:
            raise InputError(
                f"The SavedModel in {folder} has no 'predict_uint8' signature (it has "
                f"{', '.join(sorted(loaded.signatures)) or 'none'}): it was not exported by school_detector. "
                "Train or export it with school-detector, or serve it with TF Serving and scan with --serving-url."
            )
        self._fn = loaded.signatures["predict_uint8"]
        self.device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"

    def predict(self, chips: list[Any]) -> list[float]:
        import numpy as np

        if not chips:
            return []
        batch = self._tf.constant(np.stack(chips))
        return [float(v) for v in self._fn(images=batch)["school_probability"].numpy()]

    def describe(self) -> dict[str, Any]:
        return {"backend": "in-process", "model": self.card.model_id, "device": self.device}
