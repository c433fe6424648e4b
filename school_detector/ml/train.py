"""Two-phase transfer learning, evaluation and export: the whole ``train`` command.

Phase 1 trains the new head on a frozen backbone; phase 2 unfreezes the top of the backbone
and fine-tunes at a lower learning rate (the original Sat-Xception recipe). From-scratch
training (weights none, or the tiny backbone) is one phase with everything trainable. The best
epoch by validation loss is checkpointed and restored; the F2-optimal threshold is chosen on
the validation split and metrics are reported on the untouched test split.
"""

from __future__ import annotations

import errno
import json
import math
import platform
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core.chip_plan import CLASSES, SCHOOL, ChipGeometry
from ..core.errors import InputError, JobCancelled
from ..core.metrics import evaluate, margin_threshold
from ..core.model_card import CARD_FILE, ModelCard
from ..core.progress import Reporter
from ..core.training import TrainConfig
from ..core.training_checks import stopping, support, warnings_for
from ..version import __version__
from .data import Split, class_weights, collect, make_dataset
from .export import export_saved_model, next_version
from .models import build_classifier, resolve_weights, unfreeze_top
from .report import write_report

CHECKPOINT = "checkpoints/best.weights.h5"


def _dataset_info(data_dir: Path) -> dict[str, Any]:
    path = data_dir / "dataset.json"
    if path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            pass
    return {}


def _check_model_dir(out: Path, info: dict[str, Any], name: str) -> None:
    """Retraining into a model folder must keep its chip geometry, or scans would mix models
    that expect different imagery."""
    card_path = out / CARD_FILE
    if not card_path.is_file():
        return
    old = ModelCard.read(out)
    new = ChipGeometry.from_record(info) if info.get("zoom") else old.geometry
    if (old.zoom, old.supertile, old.tile_size) != (new.zoom, new.supertile, new.tile_size) or old.name != name:
        raise InputError(
            f"{out} holds model '{old.name}' for zoom {old.zoom} {'supertiles' if old.supertile else 'tiles'}; "
            f"this dataset is zoom {new.zoom} {'supertiles' if new.supertile else 'tiles'} (or the name differs). "
            "Train into a new model folder."
        )


def _disk_error(exc: OSError, where: Path) -> InputError:
    if exc.errno == errno.ENOSPC:
        return InputError(
            f"Out of disk space while writing in {where}. Free some space and train again; the dataset is untouched.",
            str(exc),
        )
    return InputError(f"Could not write in {where}: {exc.strerror or exc}.", str(exc))


def predict_files(model: Any, split: Split, size: int, batch_size: int) -> list[float]:
    ds = make_dataset(split, size, batch_size, training=False)
    return [float(v) for v in model.predict(ds, verbose=0).reshape(-1)]


def _progress_callback(reporter: Reporter, total_steps: int, cancelled: Any, history: list[dict[str, float]]) -> Any:
    """Batch progress with ETA, per-epoch metric events, and cooperative cancel at batch end."""
    import keras

    class Progress(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.step = 0

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            self.step += 1
            reporter.progress(min(self.step, total_steps), total_steps, unit="batch", message="Training")
            if cancelled():
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            values = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()}}
            values.pop("learning_rate", None)
            history.append(values)
            reporter.metric(values)

    return Progress()


class Training:
    """One training run in named steps: :meth:`prepare` (data, model, input pipelines),
    :meth:`fit` (the phases, with checkpoints and cooperative cancel), :meth:`evaluate` (the F2
    threshold on validation, metrics on test) and :meth:`export` (SavedModel, card, report)."""

    def __init__(self, data_dir: Path, out: Path, cfg: TrainConfig, reporter: Reporter, cancelled: Any) -> None:
        self.data_dir, self.out, self.cfg = Path(data_dir), Path(out), cfg
        self.reporter, self.cancelled = reporter, cancelled
        self.history: list[dict[str, float]] = []
        self.ckpt = self.out / CHECKPOINT
        self.training_seconds = 0.0
        self.was_cancelled = False

    # -- prepare ------------------------------------------------------------------------------
    def prepare(self) -> None:
        import keras
        import tensorflow as tf

        cfg = self.cfg
        cfg.validate()
        self.splits, self.corrupt = collect(self.data_dir)
        if self.corrupt:
            self.reporter.log(f"{len(self.corrupt)} unreadable image(s) skipped, e.g. {self.corrupt[0]}", "warning")
        self.info = _dataset_info(self.data_dir)
        _check_model_dir(self.out, self.info, cfg.name)
        self.weights = resolve_weights(cfg.weights)
        keras.utils.set_random_seed(cfg.seed)
        gpus = tf.config.list_physical_devices("GPU")
        mixed = cfg.mixed_precision if cfg.mixed_precision is not None else bool(gpus)
        keras.mixed_precision.set_global_policy("mixed_float16" if mixed else "float32")
        self.reporter.log(
            f"Training on {'GPU' if gpus else 'CPU'}{' with mixed precision' if mixed else ''}: "
            f"{len(self.splits['train'].files)} train / {len(self.splits['valid'].files)} valid images"
        )
        self.model, self.base = build_classifier(cfg.backbone, cfg.size, self.weights, cfg.alpha)
        self._pipelines()
        try:
            self.ckpt.parent.mkdir(parents=True, exist_ok=True)
            (self.out / "logs").mkdir(exist_ok=True)
        except OSError as exc:
            raise _disk_error(exc, self.out) from exc

    def _pipelines(self) -> None:
        cfg = self.cfg
        self.train_ds = make_dataset(self.splits["train"], cfg.size, cfg.batch_size, True, cfg.seed, cfg.augment)
        self.valid_ds = make_dataset(self.splits["valid"], cfg.size, cfg.batch_size, False)
        self.steps = math.ceil(len(self.splits["train"].files) / cfg.batch_size)
        if cfg.max_steps_per_epoch:
            self.steps = min(self.steps, cfg.max_steps_per_epoch)
            self.train_ds = self.train_ds.repeat()

    @property
    def from_scratch(self) -> bool:
        return self.weights is None

    def phases(self) -> list[tuple[int, float, bool]]:
        """(epochs, learning rate, unfreeze) per phase; from scratch: one phase, all trainable."""
        cfg = self.cfg
        phases = (
            [(cfg.epochs + cfg.fine_tune_epochs, cfg.learning_rate, True)]
            if self.from_scratch
            else [(cfg.epochs, cfg.learning_rate, False), (cfg.fine_tune_epochs, cfg.fine_tune_learning_rate, True)]
        )
        return [p for p in phases if p[0] > 0]

    # -- fit ----------------------------------------------------------------------------------
    def _callbacks(self, total_steps: int) -> list[Any]:
        import keras

        return [
            _progress_callback(self.reporter, total_steps, self.cancelled, self.history),
            keras.callbacks.ModelCheckpoint(
                str(self.ckpt), monitor="val_loss", save_best_only=True, save_weights_only=True
            ),
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=self.cfg.patience),
            keras.callbacks.TensorBoard(log_dir=str(self.out / "logs"), write_graph=False),
        ]

    def _set_trainable(self, unfreeze: bool, lr: float) -> None:
        if unfreeze and self.from_scratch:
            self.base.trainable = True  # BatchNorm too: there are no pretrained statistics to protect
            self.reporter.log(f"Training from scratch, all layers, learning rate {lr:g}")
        elif unfreeze:
            trainable = unfreeze_top(self.base, self.cfg.fine_tune_layers)
            self.reporter.log(f"Fine-tuning with {trainable} backbone layers trainable, learning rate {lr:g}")
        else:
            self.base.trainable = False
            self.reporter.log(f"Training the head on the frozen {self.cfg.backbone} backbone, learning rate {lr:g}")

    def fit(self) -> None:
        import keras

        phases = self.phases()
        callbacks = self._callbacks(self.steps * sum(p[0] for p in phases))
        weights_per_class = class_weights(self.splits["train"])
        start = time.perf_counter()
        epoch = 0
        try:
            for n_epochs, lr, unfreeze in phases:
                self._set_trainable(unfreeze, lr)
                self.model.compile(
                    optimizer=keras.optimizers.Adam(lr),
                    loss=keras.losses.BinaryCrossentropy(),
                    metrics=["accuracy", keras.metrics.AUC(name="auc")],
                )
                self.model.fit(
                    self.train_ds,
                    validation_data=self.valid_ds,
                    epochs=epoch + n_epochs,
                    initial_epoch=epoch,
                    steps_per_epoch=self.steps,
                    class_weight=weights_per_class,
                    callbacks=callbacks,
                    verbose=0,
                    shuffle=False,
                )  # the tf.data pipeline shuffles
                epoch += n_epochs
                if self.cancelled():
                    self.was_cancelled = True
                    break
        except OSError as exc:
            raise _disk_error(exc, self.ckpt.parent) from exc
        self.training_seconds = time.perf_counter() - start
        if self.was_cancelled and not self.ckpt.is_file():
            raise JobCancelled("Training cancelled before its first epoch ended: there is no model to keep yet.")
        if self.ckpt.is_file():
            self.model.load_weights(str(self.ckpt))

    # -- evaluate -----------------------------------------------------------------------------
    def evaluate(self) -> None:
        """The F2-optimal threshold on validation (with a margin: core.metrics.margin_threshold);
        metrics on the untouched test split (on validation when there is no usable test split,
        and the result says so)."""
        cfg = self.cfg
        self.reporter.log("Evaluating")
        valid_scores = predict_files(self.model, self.splits["valid"], cfg.size, cfg.batch_size)
        self.threshold = margin_threshold(self.splits["valid"].labels, valid_scores, beta=2.0)
        test = self.splits.get("test")
        if test is not None and test.counts()[SCHOOL] and test.counts()["not-school"]:
            self.eval_name, self.eval_split = "test", test
            self.scores = predict_files(self.model, test, cfg.size, cfg.batch_size)
        else:
            self.eval_name, self.eval_split, self.scores = "valid", self.splits["valid"], valid_scores
        self.metrics: dict[str, Any] = {
            **evaluate(self.eval_split.labels, self.scores, self.threshold).to_dict(),
            "split": self.eval_name,
            "support": support(self.eval_split.labels),
        }
        planned = sum(p[0] for p in self.phases())
        self.stopping = stopping(self.history, planned, self.was_cancelled)
        self.warnings = warnings_for(
            self.eval_name, self.eval_split.labels, self.scores, self.history, self.splits["valid"].labels
        )
        if self.was_cancelled:
            self.warnings.insert(0, f"Training was {self.stopping['text']}: this is the best model so far.")
        for warning in self.warnings:
            self.reporter.log(warning, "warning")

    # -- export -------------------------------------------------------------------------------
    def card(self, version: int) -> ModelCard:
        import keras
        import numpy as np
        import tensorflow as tf

        cfg, geometry = self.cfg, ChipGeometry.from_record(self.info)
        return ModelCard(
            name=cfg.name,
            version=version,
            backbone=cfg.backbone,
            input_size=cfg.size,
            zoom=geometry.zoom,
            tile_size=geometry.tile_size,
            supertile=geometry.supertile,
            class_names=list(CLASSES),
            positive_class=SCHOOL,
            preprocessing="RGB 0-255 in, backbone preprocessing inside the model",
            threshold=float(self.threshold),
            metrics={k: v for k, v in self.metrics.items() if isinstance(v, (int, float))},
            dataset_fingerprint=str(self.info.get("fingerprint", "")),
            dataset_dir=str(self.data_dir.resolve()),
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            training_seconds=round(self.training_seconds, 1),
            warnings=list(self.warnings),
            training=self.stopping["text"],
            cancelled=self.was_cancelled,
            software={
                "school_detector": __version__,
                "tensorflow": tf.__version__,
                "keras": keras.__version__,
                "numpy": np.__version__,
                "python": platform.python_version(),
            },
        )

    def export(self) -> dict[str, Any]:
        cfg, out = self.cfg, self.out
        model_root = out / cfg.name
        card = self.card(next_version(model_root))
        try:
            model_root.mkdir(parents=True, exist_ok=True)
            version_dir, card.onnx, card.location = export_saved_model(
                self.model, cfg.size, model_root / str(card.version), card.chip_px
            )
            if card.onnx.get("skipped"):
                self.reporter.log(f"No ONNX copy of the model: {card.onnx['skipped']}", "warning")
            (version_dir / "assets.extra").mkdir(exist_ok=True)
            card.write(version_dir / "assets.extra")
            card.write(out)
            result = self.summary(card)
            (out / "metrics.json").write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
            write_report(
                out / "report.html",
                card.to_dict(),
                self.history,
                self.metrics,
                self.eval_split.labels,
                self.scores,
                self.eval_split.files,
            )
        except OSError as exc:
            raise _disk_error(exc, out) from exc
        result["model_dir"] = str(out.resolve())
        result["saved_model"] = str(version_dir.resolve())
        result["report"] = str((out / "report.html").resolve())
        return result

    def summary(self, card: ModelCard) -> dict[str, Any]:
        cfg = self.cfg
        return {
            "card": card.to_dict(),
            "metrics": self.metrics,
            "history": self.history,
            "config": asdict(cfg),
            "corrupt_skipped": len(self.corrupt),
            "train_counts": self.splits["train"].counts(),
            "valid_counts": self.splits["valid"].counts(),
            "chosen_on": "valid",
            "evaluated_on": self.eval_name,
            "support": {name: support(split.labels) for name, split in self.splits.items()},
            "warnings": self.warnings,
            "stopping": self.stopping,
            "images_per_s": round(
                self.steps * cfg.batch_size * len(self.history) / max(self.training_seconds, 1e-9), 1
            ),
        }


def train(
    data_dir: Path, out: Path, cfg: TrainConfig, reporter: Reporter, cancelled: Any = lambda: False
) -> dict[str, Any]:
    """Train, evaluate and export; returns what the CLI prints and metrics.json holds."""
    run = Training(data_dir, out, cfg, reporter, cancelled)
    run.prepare()
    run.fit()
    run.evaluate()
    result = run.export()
    if run.was_cancelled:  # the best model so far is a normal version: usable, and it says it was cancelled
        raise JobCancelled(
            f"Training {run.stopping['text']}. The best checkpoint so far is saved as model "
            f"{result['card']['name']} v{result['card']['version']} in {result['model_dir']}.",
            result=result,
        )
    return result
