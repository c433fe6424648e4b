"""Prediction through TF Serving's REST API (local ``school-detector serve`` or a real TF Serving)."""

from __future__ import annotations

from typing import Any

from ..core.results import Prediction
from .client import ServingClient


class RestPredictor:
    wants_bytes = True

    def __init__(self, client: ServingClient, concurrency: int = 4, runs_on: str = "") -> None:
        """``runs_on``: what the server runs the model on, when it said (the local server)."""
        self.client = client
        self.concurrency = concurrency
        self.runs_on = runs_on
        client.check_signature()

    def predict(self, chips: list[Any]) -> list[Prediction] | list[float]:
        return self.client.locate(chips) if self.client.locates else self.client.predict(chips)

    def close(self) -> None:
        self.client.close()

    def describe(self) -> dict[str, Any]:
        e = self.client.endpoint
        return {
            "backend": "rest",
            "model": e.model,
            "version": e.version,
            "label": e.label,
            "concurrency": self.concurrency,
            "location": "model" if self.client.locates else "tile-centre",
            "runs_on": self.runs_on or "the TF Serving endpoint",
        }
