"""The model card: what makes a model folder self-describing.

Written next to the TF Serving layout (``MODEL_DIR/model_card.json``) by training, read by
every dialog and by the scanner, so a scan chips imagery exactly as training did.
Validation lives here, on both sides of the process boundary, with messages that say
which field is wrong.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .chip_plan import ChipGeometry
from .errors import ModelCardError
from .tiles import TILE_SIZE
from .training import BACKBONE_KEYS as BACKBONES

CARD_FILE = "model_card.json"
SCHEMA_VERSION = 1
DEFAULT_CLASSES = ("not-school", "school")


@dataclass
class ModelCard:
    name: str
    version: int
    backbone: str
    input_size: int
    zoom: int
    tile_size: int = TILE_SIZE
    supertile: bool = False
    class_names: list[str] = field(default_factory=lambda: list(DEFAULT_CLASSES))
    positive_class: str = "school"
    preprocessing: str = "rgb-uint8"
    threshold: float = 0.5
    metrics: dict[str, float] = field(default_factory=dict)
    dataset_fingerprint: str = ""
    dataset_dir: str = ""  # where the training data was (its schools are known schools for a scan)
    created_at: str = ""
    training_seconds: float = 0.0
    software: dict[str, str] = field(default_factory=dict)
    #: what the figures can't claim (too few test examples, flat scores…): core.training_checks
    warnings: list[str] = field(default_factory=list)
    #: how training ended ("stopped early at epoch 9 of 30…; the best epoch, 5, was restored")
    training: str = ""
    cancelled: bool = False  # the best model so far of a training that was cancelled
    #: the version's ONNX copy (``file``, ``opset``, the parity measured at export) or why there
    #: is none (``skipped``): ONNX Runtime scans without TensorFlow (inference.onnx_model)
    onnx: dict[str, Any] = field(default_factory=dict)
    #: where the locating graph puts each feature cell (fractions of the chip) and how that was
    #: found (ml.receptive); {} for a model exported before it, or one that can't locate
    location: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        self.validate()

    @property
    def model_id(self) -> str:
        """``name:version``, stored with every scan result."""
        return f"{self.name}:{self.version}"

    def version_dir(self, model_dir: Path) -> Path:
        """The SavedModel folder of this card's version (``MODEL_DIR/NAME/VERSION``)."""
        path = Path(model_dir) / self.name / str(self.version)
        if not (path / "saved_model.pb").is_file():
            raise ModelCardError(f"{path} has no saved_model.pb: the model folder is incomplete.")
        return path

    def onnx_path(self, model_dir: Path) -> Path | None:
        """This version's ONNX copy, when export made one and it is there."""
        name = self.onnx.get("file")
        path = Path(model_dir) / self.name / str(self.version) / name if name else None
        return path if path is not None and path.is_file() else None

    @property
    def geometry(self) -> ChipGeometry:
        """How the model's chips are cut (the dataset's rule)."""
        return ChipGeometry(zoom=self.zoom, supertile=self.supertile, tile_size=self.tile_size)

    @property
    def chip_px(self) -> int:
        """Pixel size of one chip as cut from imagery (supertiles are 2x2 tiles)."""
        return self.geometry.chip_px

    def headline(self) -> str:
        """What a model is, in a line, with what its test figure rests on: a ROC AUC of 1.000
        on 2 schools, or on scores that are all the same, must not read like a good model."""
        m = self.metrics
        auc = m.get("roc_auc")
        n, positives = m.get("n"), m.get("positives")
        test = f"test ROC AUC {auc:.3f}" if isinstance(auc, (int, float)) else "no test figures"
        if isinstance(n, (int, float)) and isinstance(positives, (int, float)):
            test += f" on {int(positives)} schools / {int(n - positives)} not-schools"
        kind = "supertiles" if self.supertile else "tiles"
        return f"{self.model_id}: {self.backbone}, zoom {self.zoom} {kind}, threshold {self.threshold:.2f}, {test}" + (
            " (cancelled: the best epoch so far)" if self.cancelled else ""
        )

    def validate(self) -> None:
        problems = []
        if not self.name or "/" in self.name or self.name.strip() != self.name:
            problems.append("name must be a non-empty folder name without '/'")
        if not isinstance(self.version, int) or self.version < 1:
            problems.append("version must be a positive integer (TF Serving version folder)")
        if self.backbone not in BACKBONES:
            problems.append(f"backbone must be one of {', '.join(BACKBONES)}")
        if not isinstance(self.input_size, int) or not 32 <= self.input_size <= 1024:
            problems.append("input_size must be an integer from 32 to 1024")
        if not isinstance(self.zoom, int) or not 1 <= self.zoom <= 24:
            problems.append("zoom must be an integer from 1 to 24")
        if self.tile_size not in (256, 512):
            problems.append("tile_size must be 256 or 512")
        if len(self.class_names) != 2 or len(set(self.class_names)) != 2:
            problems.append("class_names must name exactly two distinct classes")
        elif self.positive_class not in self.class_names:
            problems.append("positive_class must be one of class_names")
        if not 0.0 <= float(self.threshold) <= 1.0:
            problems.append("threshold must be between 0 and 1")
        if self.schema_version > SCHEMA_VERSION:
            problems.append(
                f"schema_version {self.schema_version} is newer than this plugin understands "
                f"({SCHEMA_VERSION}); update the plugin"
            )
        if problems:
            raise ModelCardError("The model card is not valid: " + "; ".join(problems) + ".")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelCard:
        if not isinstance(data, dict):
            raise ModelCardError("The model card must be a JSON object.")
        known = set(cls.__dataclass_fields__)
        missing = [k for k in ("name", "version", "backbone", "input_size", "zoom") if k not in data]
        if missing:
            raise ModelCardError(f"The model card lacks required fields: {', '.join(missing)}.")
        try:
            return cls(**{k: v for k, v in data.items() if k in known})
        except TypeError as exc:
            raise ModelCardError(f"The model card has a field of the wrong type: {exc}.") from exc

    def write(self, model_dir: Path) -> Path:
        """Write atomically (temp file + rename) so a killed job never leaves half a card."""
        path = Path(model_dir) / CARD_FILE
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def read(cls, model_dir: Path) -> ModelCard:
        path = Path(model_dir) / CARD_FILE
        if not path.is_file():
            raise ModelCardError(
                f"{model_dir} has no {CARD_FILE}: it is not a model trained by school_detector. "
                "Train one with 'Train classifier…' or pick the folder that holds model_card.json."
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelCardError(f"{path} cannot be read as JSON.", details=str(exc)) from exc
        return cls.from_dict(data)
