"""Training settings, stated once: the backbones, the start weights, and every parameter of a
training run with its default, range and command-line flag.

The CLI parser, the Train dialog and the Processing algorithm all derive their defaults, their
ranges and the ``school-detector train`` command line from :class:`TrainConfig`, so a default
changed here changes everywhere, and a parameter added here cannot be forgotten by one front end.
Pure: no TensorFlow, no Qt.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, NamedTuple

from ..translation import N_
from .errors import InputError

#: The labels below are shown by the Train dialog, which translates them in its context.
TR_CONTEXT = "TrainDialog"


class Backbone(NamedTuple):
    key: str
    label: str  # for a chooser; the GUI translates it
    default_input: int  # px
    min_input: int  # px
    pretrained: bool  # ImageNet weights exist


BACKBONES: tuple[Backbone, ...] = (
    Backbone("mobilenetv2", N_("MobileNetV2 (recommended: ~4x faster)"), 224, 32, True),
    Backbone("xception", N_("Xception (slower, a bit more accurate)"), 299, 71, True),
    Backbone("tiny", N_("Tiny CNN (from scratch; quick CPU experiments)"), 128, 32, False),
)
BACKBONE_KEYS = tuple(b.key for b in BACKBONES)
#: Start weights a chooser offers; "file" stands for a path to a local weights file.
WEIGHTS: tuple[tuple[str, str], ...] = (
    ("imagenet", N_("ImageNet (downloaded once)")),
    ("none", N_("None (train from scratch)")),
    ("file", N_("Local file… (offline)")),
)


def backbone(key: str) -> Backbone:
    for b in BACKBONES:
        if b.key == key:
            return b
    raise InputError(f"Unknown backbone {key!r}; use {', '.join(BACKBONE_KEYS)}.")


def _opt(flag: str | None, help_text: str, lo: float | None = None, hi: float | None = None, **extra: Any) -> Any:
    """Field metadata: the CLI flag (None: not a CLI option), its help, and the range a spin box
    or a Processing parameter offers."""
    return {"flag": flag, "help": help_text, "min": lo, "max": hi, **extra}


@dataclass
class TrainConfig:
    backbone: str = field(
        default="mobilenetv2",
        metadata=_opt("--model", "backbone (default mobilenetv2: ~4x faster to train than xception)", choices=True),
    )
    weights: str = field(
        default="imagenet",
        metadata=_opt(
            "--weights", "imagenet (downloaded once), none (from scratch), or a path to a local weights file"
        ),
    )
    input_size: int | None = field(
        default=None, metadata=_opt("--input-size", "model input in px (default 224/299/128)", 0, 1024)
    )
    epochs: int = field(default=5, metadata=_opt("--epochs", "epochs with the backbone frozen (default 5)", 0, 500))
    fine_tune_epochs: int = field(
        default=5, metadata=_opt("--fine-tune-epochs", "epochs of fine-tuning (default 5)", 0, 500)
    )
    batch_size: int = field(default=32, metadata=_opt("--batch-size", "images per batch (default 32)", 1, 1024))
    learning_rate: float = field(
        default=1e-3, metadata=_opt("--learning-rate", "learning rate of the first phase", 1e-6, 1.0)
    )
    fine_tune_learning_rate: float = field(
        default=1e-5, metadata=_opt("--fine-tune-learning-rate", "learning rate of fine-tuning", 1e-7, 1.0)
    )
    fine_tune_layers: int = field(
        default=40, metadata=_opt("--fine-tune-layers", "top backbone layers to unfreeze (0: all)", 0, 1000)
    )
    patience: int = field(default=4, metadata=_opt("--patience", "early stopping patience in epochs", 1, 100))
    seed: int = field(default=0, metadata=_opt("--seed", "random seed", 0, 999999))
    name: str = field(default="schools", metadata=_opt("--name", "model name (the TF Serving model name)"))
    alpha: float = field(default=1.0, metadata=_opt("--alpha", "MobileNetV2 width multiplier", 0.35, 1.4))
    augment: bool = field(default=True, metadata=_opt("--no-augment", "turn off flips/rotations/jitter", negate=True))
    mixed_precision: bool | None = field(default=None, metadata=_opt(None, "None: on when a GPU is present"))
    max_steps_per_epoch: int | None = field(
        default=None, metadata=_opt("--max-steps-per-epoch", argparse.SUPPRESS, hidden=True)
    )

    @property
    def size(self) -> int:
        return self.input_size or backbone(self.backbone).default_input

    @property
    def from_scratch(self) -> bool:
        """One phase with everything trainable: no pretrained weights to protect."""
        return self.weights.lower() == "none"

    def validate(self) -> TrainConfig:
        """The checks every front end needs before a run is started; returns self."""
        backbone(self.backbone)
        if self.name.strip() != self.name or not self.name or "/" in self.name:
            raise InputError(f"Model name {self.name!r} must be a plain folder name.")
        if self.epochs + self.fine_tune_epochs <= 0:
            raise InputError("Set at least one epoch.")
        if not self.weights:
            raise InputError("Choose the start weights: imagenet, none, or a local weights file.")
        return self

    def resolved(self) -> TrainConfig:
        """What will really happen: the tiny CNN has no ImageNet weights, so it trains from scratch."""
        if not backbone(self.backbone).pretrained and self.weights.lower() == "imagenet":
            return _replace(self, weights="none")
        return self

    def to_argv(self, data: Path | str, out: Path | str) -> list[str]:
        """The ``school-detector train`` command line for this configuration."""
        argv = ["train", "--data", str(data), "--out", str(out)]
        for f in fields(self):
            meta = f.metadata
            value = getattr(self, f.name)
            if not meta.get("flag") or value is None:
                continue
            if meta.get("negate"):
                if not value:
                    argv.append(meta["flag"])
            else:
                argv += [meta["flag"], repr(value) if isinstance(value, float) else str(value)]
        return argv

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """The CLI's options, from the fields' defaults and help."""
        defaults = cls()
        for f in fields(cls):
            meta = f.metadata
            if not meta.get("flag"):
                continue
            if meta.get("negate"):
                parser.add_argument(meta["flag"], dest=f.name, action="store_false", help=meta["help"])
                continue
            kind = {"int": int, "float": float}.get(str(f.type).split("|")[0].strip(), str)
            parser.add_argument(
                meta["flag"],
                dest=f.name,
                type=kind,
                default=getattr(defaults, f.name),
                choices=BACKBONE_KEYS if meta.get("choices") else None,
                help=meta["help"],
            )

    @classmethod
    def from_namespace(cls, ns: argparse.Namespace | Mapping[str, Any]) -> TrainConfig:
        values = vars(ns) if isinstance(ns, argparse.Namespace) else dict(ns)
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})

    @classmethod
    def limits(cls, name: str) -> tuple[Any, Any]:
        """(min, max) of a numeric parameter, for spin boxes and Processing parameters."""
        meta = {f.name: f.metadata for f in fields(cls)}[name]
        return meta["min"], meta["max"]


def _replace(cfg: TrainConfig, **changes: Any) -> TrainConfig:
    from dataclasses import replace

    return replace(cfg, **changes)


def numeric_parameters() -> Sequence[str]:
    """The numeric fields a front end shows (in this order)."""
    return tuple(
        f.name for f in fields(TrainConfig) if f.metadata.get("min") is not None and not f.metadata.get("hidden")
    )
