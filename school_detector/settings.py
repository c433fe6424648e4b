"""Typed plugin settings in QgsSettings (per user profile, never in project files).

Secrets never go here: API keys and tokens live in the QGIS auth manager.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qgis.core import QgsApplication, QgsSettings

from .runtime.locate import RuntimeLocation, locate_runtime, managed_runtime_dir

PREFIX = "school_detector/"


@dataclass
class PluginSettings:
    runtime_python: str = ""
    pip_index_url: str = ""  # a PyPI mirror for "Set up ML runtime…", if the user has one
    model_dir: str = ""  # the model "Use this model for scanning" chose
    imagery_layer_id: str = ""  # the last imagery scanned, for one-click "Scan current extent"
    ask_above_tiles: int = 20000  # confirm scans larger than this
    last_rate: float = 0.0  # tiles/s of the last scan, for ETAs before starting
    results_dir: str = ""  # where scans of an unsaved project go (asked once, then remembered)
    last_dataset: str = ""  # the dataset Build training data made last: Train classifier offers it
    reviewer: str = ""  # the name review decisions are recorded under (the review dock asks once)
    #: model folders the user agreed to load (a SavedModel runs its own code), or trained here
    trusted_models: list[str] = field(default_factory=list)

    @classmethod
    def load(cls) -> PluginSettings:
        s = QgsSettings()
        return cls(
            runtime_python=str(s.value(PREFIX + "runtime_python", "") or ""),
            pip_index_url=str(s.value(PREFIX + "pip_index_url", "") or ""),
            model_dir=str(s.value(PREFIX + "model_dir", "") or ""),
            imagery_layer_id=str(s.value(PREFIX + "imagery_layer_id", "") or ""),
            ask_above_tiles=int(s.value(PREFIX + "ask_above_tiles", 20000) or 20000),
            last_rate=float(s.value(PREFIX + "last_rate", 0.0) or 0.0),
            results_dir=str(s.value(PREFIX + "results_dir", "") or ""),
            last_dataset=str(s.value(PREFIX + "last_dataset", "") or ""),
            reviewer=str(s.value(PREFIX + "reviewer", "") or ""),
            trusted_models=_as_list(s.value(PREFIX + "trusted_models", [])),
        )

    def save(self) -> None:
        s = QgsSettings()
        s.setValue(PREFIX + "runtime_python", self.runtime_python)
        s.setValue(PREFIX + "pip_index_url", self.pip_index_url)
        s.setValue(PREFIX + "model_dir", self.model_dir)
        s.setValue(PREFIX + "imagery_layer_id", self.imagery_layer_id)
        s.setValue(PREFIX + "ask_above_tiles", self.ask_above_tiles)
        s.setValue(PREFIX + "last_rate", self.last_rate)
        s.setValue(PREFIX + "results_dir", self.results_dir)
        s.setValue(PREFIX + "last_dataset", self.last_dataset)
        s.setValue(PREFIX + "reviewer", self.reviewer)
        s.setValue(PREFIX + "trusted_models", self.trusted_models)

    def trusts(self, model_dir: str | Path) -> bool:
        return str(Path(model_dir).resolve()) in self.trusted_models

    def trust(self, model_dir: str | Path) -> None:
        key = str(Path(model_dir).resolve())
        if key not in self.trusted_models:
            self.trusted_models.append(key)


def _as_list(value: object) -> list[str]:
    """QSettings gives a str for a one-item list, and None or "" for none."""
    if not value:
        return []
    return [str(value)] if isinstance(value, str) else [str(v) for v in value]  # type: ignore[attr-defined]


def profile_dir() -> Path:
    return Path(QgsApplication.qgisSettingsDirPath())


def managed_dir() -> Path:
    return managed_runtime_dir(profile_dir())


def current_runtime(settings: PluginSettings | None = None) -> RuntimeLocation:
    import os

    settings = settings or PluginSettings.load()
    return locate_runtime(settings.runtime_python, os.environ, managed_dir())
