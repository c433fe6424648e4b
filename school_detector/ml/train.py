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
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core.dataset import CLASSES, SCHOOL
from ..core.errors import InputError, JobCancelled
from ..core.metrics import best_threshold, evaluate
from ..core.model_card import CARD_FILE, ModelCard
from ..core.progress import Reporter
from ..version import __version__
from .data import Split, class_weights, collect, make_dataset
from .export import export_saved_model, next_version
from .models import DEFAULT_INPUT, build_classifier, resolve_weights, unfreeze_top
from .report import write_report

CHECKPOINT = "checkpoints/best.weights.h5"


@dataclass
class TrainConfig:
    backbone: str = "mobilenetv2"
    weights: str = "imagenet"
    input_size: int | None = None  # default per backbone
    epochs: int = 5
    fine_tune_epochs: int = 5
    batch_size: int = 32
    learning_rate: float = 1e-3
    fine_tune_learning_rate: float = 1e-5
    fine_tune_layers: int = 40  # top backbone layers to unfreeze in phase 2 (0: all)
    patience: int = 4
    seed: int = 0
    name: str = "schools"
    alpha: float = 1.0  # MobileNetV2 width
    augment: bool = True
    mixed_precision: bool | None = None  # None: on when a GPU is present
    max_steps_per_epoch: int | None = None  # tests: keep epochs tiny

    @property
    def size(self) -> int:
        return self.input_size or DEFAULT_INPUT.get(self.backbone, 224)


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
    new = (info.get("zoom", old.zoom), bool(info.get("supertile", old.supertile)))
    if (old.zoom, old.supertile) != new or old.name != name:
        raise InputError(
            f"{out} holds model '{old.name}' for zoom {old.zoom} {'supertiles' if old.supertile else 'tiles'}; "
            f"this dataset is zoom {new[0]} {'supertiles' if new[1] else 'tiles'} (or the name differs). "
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


def train(
    data_dir: Path, out: Path, cfg: TrainConfig, reporter: Reporter, cancelled: Any = lambda: False
) -> dict[str, Any]:
    import keras
    import numpy as np
    import tensorflow as tf

    data_dir, out = Path(data_dir), Path(out)
    if cfg.name.strip() != cfg.name or not cfg.name or "/" in cfg.name:
        raise InputError(f"Model name {cfg.name!r} must be a plain folder name.")
    splits, corrupt = collect(data_dir)
    if corrupt:
        reporter.log(f"{len(corrupt)} unreadable image(s) skipped, e.g. {corrupt[0]}", "warning")
    info = _dataset_info(data_dir)
    _check_model_dir(out, info, cfg.name)
    weights = resolve_weights(cfg.weights)
    keras.utils.set_random_seed(cfg.seed)
    gpus = tf.config.list_physical_devices("GPU")
    mixed = cfg.mixed_precision if cfg.mixed_precision is not None else bool(gpus)
    keras.mixed_precision.set_global_policy("mixed_float16" if mixed else "float32")
    reporter.log(
        f"Training on {'GPU' if gpus else 'CPU'}{' with mixed precision' if mixed else ''}: "
        f"{len(splits['train'].files)} train / {len(splits['valid'].files)} valid images"
    )
    model, base = build_classifier(cfg.backbone, cfg.size, weights, cfg.alpha)
    train_ds = make_dataset(splits["train"], cfg.size, cfg.batch_size, True, cfg.seed, cfg.augment)
    valid_ds = make_dataset(splits["valid"], cfg.size, cfg.batch_size, False)
    steps = math.ceil(len(splits["train"].files) / cfg.batch_size)
    if cfg.max_steps_per_epoch:
        steps = min(steps, cfg.max_steps_per_epoch)
        train_ds = train_ds.repeat()
    from_scratch = weights is None
    phases = (
        [(cfg.epochs + cfg.fine_tune_epochs, cfg.learning_rate, True)]
        if from_scratch
        else [(cfg.epochs, cfg.learning_rate, False), (cfg.fine_tune_epochs, cfg.fine_tune_learning_rate, True)]
    )
    phases = [p for p in phases if p[0] > 0]
    total_steps = steps * sum(p[0] for p in phases)
    history: list[dict[str, float]] = []
    ckpt = out / CHECKPOINT
    try:
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        (out / "logs").mkdir(exist_ok=True)
    except OSError as exc:
        raise _disk_error(exc, out) from exc
    progress = _progress_callback(reporter, total_steps, cancelled, history)
    checkpoint = keras.callbacks.ModelCheckpoint(
        str(ckpt), monitor="val_loss", save_best_only=True, save_weights_only=True
    )
    callbacks = [
        progress,
        checkpoint,
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=cfg.patience),
        keras.callbacks.TensorBoard(log_dir=str(out / "logs"), write_graph=False),
    ]
    weights_per_class = class_weights(splits["train"])
    start = time.perf_counter()
    epoch = 0
    try:
        for n_epochs, lr, unfreeze in phases:
            if unfreeze and from_scratch:
                base.trainable = True  # BatchNorm too: there are no pretrained statistics to protect
                reporter.log(f"Training from scratch, all layers, learning rate {lr:g}")
            elif unfreeze:
                trainable = unfreeze_top(base, cfg.fine_tune_layers)
                reporter.log(f"Fine-tuning with {trainable} backbone layers trainable, learning rate {lr:g}")
            else:
                base.trainable = False
                reporter.log(f"Training the head on the frozen {cfg.backbone} backbone, learning rate {lr:g}")
            model.compile(
                optimizer=keras.optimizers.Adam(lr),
                loss=keras.losses.BinaryCrossentropy(),
                metrics=["accuracy", keras.metrics.AUC(name="auc")],
            )
            model.fit(
                train_ds,
                validation_data=valid_ds,
                epochs=epoch + n_epochs,
                initial_epoch=epoch,
                steps_per_epoch=steps,
                class_weight=weights_per_class,
                callbacks=callbacks,
                verbose=0,
                shuffle=False,
            )  # the tf.data pipeline shuffles
            epoch += n_epochs
            if cancelled():
                raise JobCancelled(f"Training cancelled; the best checkpoint so far is kept in {ckpt}.")
    except OSError as exc:
        raise _disk_error(exc, ckpt.parent) from exc
    training_seconds = time.perf_counter() - start
    if ckpt.is_file():
        model.load_weights(str(ckpt))
    reporter.log("Evaluating")
    valid_scores = predict_files(model, splits["valid"], cfg.size, cfg.batch_size)
    threshold = best_threshold(splits["valid"].labels, valid_scores, beta=2.0)
    test = splits.get("test")
    if test is not None and test.counts()[SCHOOL] and test.counts()["not-school"]:
        eval_name, eval_split = "test", test
        scores = predict_files(model, test, cfg.size, cfg.batch_size)
    else:  # no usable test split: report on validation, and say so
        eval_name, eval_split, scores = "valid", splits["valid"], valid_scores
    metrics: dict[str, Any] = {**evaluate(eval_split.labels, scores, threshold).to_dict(), "split": eval_name}
    model_root = out / cfg.name
    version = next_version(model_root)
    card = ModelCard(
        name=cfg.name,
        version=version,
        backbone=cfg.backbone,
        input_size=cfg.size,
        zoom=int(info.get("zoom", 18)),
        tile_size=int(info.get("tile_size", 256)),
        supertile=bool(info.get("supertile", False)),
        class_names=list(CLASSES),
        positive_class=SCHOOL,
        preprocessing="RGB 0-255 in, backbone preprocessing inside the model",
        threshold=float(threshold),
        metrics={k: v for k, v in metrics.items() if isinstance(v, (int, float))},
        dataset_fingerprint=str(info.get("fingerprint", "")),
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        training_seconds=round(training_seconds, 1),
        software={
            "school_detector": __version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    )
    try:
        model_root.mkdir(parents=True, exist_ok=True)
        version_dir = export_saved_model(model, cfg.size, model_root / str(version))
        (version_dir / "assets.extra").mkdir(exist_ok=True)
        card.write(version_dir / "assets.extra")
        card.write(out)
        result = {
            "card": card.to_dict(),
            "metrics": metrics,
            "history": history,
            "config": asdict(cfg),
            "corrupt_skipped": len(corrupt),
            "train_counts": splits["train"].counts(),
            "valid_counts": splits["valid"].counts(),
            "chosen_on": "valid",
            "evaluated_on": eval_name,
            "images_per_s": round(steps * cfg.batch_size * len(history) / max(training_seconds, 1e-9), 1),
        }
        (out / "metrics.json").write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
        write_report(out / "report.html", card.to_dict(), history, metrics, eval_split.labels, scores, eval_split.files)
    except OSError as exc:
        raise _disk_error(exc, out) from exc
    result["model_dir"] = str(out.resolve())
    result["saved_model"] = str(version_dir.resolve())
    result["report"] = str((out / "report.html").resolve())
    return result
