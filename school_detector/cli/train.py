"""``school-detector train`` and ``school-detector evaluate``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core.progress import Reporter
from . import cancel


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "train",
        parents=[common],
        help="train a school classifier on a chip dataset",
        description="Transfer learning in two phases (frozen backbone, then fine-tuning), "
        "evaluation on the test split, export in TF Serving layout with a model card.",
    )
    p.add_argument("--data", required=True, type=Path, help="dataset folder with train/ valid/ (test/)")
    p.add_argument(
        "--model",
        default="mobilenetv2",
        choices=("mobilenetv2", "xception", "tiny"),
        help="backbone (default mobilenetv2: ~4x faster to train than xception)",
    )
    p.add_argument(
        "--weights",
        default="imagenet",
        help="imagenet (downloaded once), none (from scratch), or a path to a local weights file",
    )
    p.add_argument("--input-size", type=int, default=None, help="model input in px (default 224/299/128)")
    p.add_argument("--epochs", type=int, default=5, help="epochs with the backbone frozen (default 5)")
    p.add_argument("--fine-tune-epochs", type=int, default=5, help="epochs of fine-tuning (default 5)")
    p.add_argument("--fine-tune-layers", type=int, default=40, help="top backbone layers to unfreeze (0: all)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--fine-tune-learning-rate", type=float, default=1e-5)
    p.add_argument("--patience", type=int, default=4, help="early stopping patience in epochs")
    p.add_argument("--alpha", type=float, default=1.0, help="MobileNetV2 width multiplier")
    p.add_argument("--no-augment", action="store_true", help="turn off flips/rotations/jitter")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--name", default="schools", help="model name (the TF Serving model name)")
    p.add_argument("--max-steps-per-epoch", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--out", required=True, type=Path, help="model folder (versions are added on retraining)")
    p.set_defaults(run=run_train)

    e = sub.add_parser("evaluate", parents=[common], help="evaluate an exported model on a labeled folder")
    e.add_argument("--model", required=True, type=Path, help="model folder (with model_card.json)")
    e.add_argument(
        "--data",
        required=True,
        type=Path,
        help="a folder with school/ and not-school/ (e.g. DATASET/test) or a dataset root",
    )
    e.add_argument("--threshold", type=float, default=None, help="default: the model card's")
    e.add_argument("--batch-size", type=int, default=32)
    e.set_defaults(run=run_evaluate)


def run_train(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    from ..ml.train import TrainConfig, train

    cfg = TrainConfig(
        backbone=args.model,
        weights=args.weights,
        input_size=args.input_size,
        epochs=args.epochs,
        fine_tune_epochs=args.fine_tune_epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        fine_tune_learning_rate=args.fine_tune_learning_rate,
        fine_tune_layers=args.fine_tune_layers,
        patience=args.patience,
        seed=args.seed,
        name=args.name,
        alpha=args.alpha,
        augment=not args.no_augment,
        max_steps_per_epoch=args.max_steps_per_epoch,
    )
    cancel.cooperate()
    return train(args.data, args.out, cfg, reporter, cancelled=cancel.requested)


def run_evaluate(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    from ..ml.evaluate import evaluate_model

    return evaluate_model(args.model, args.data, args.threshold, args.batch_size, reporter)
