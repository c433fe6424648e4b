"""``school-detector train`` and ``school-detector evaluate``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core.progress import Reporter
from ..core.training import TrainConfig
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
    TrainConfig.add_arguments(p)
    p.add_argument("--out", required=True, type=Path, help="model folder (versions are added on retraining)")
    p.set_defaults(run=run_train, needs_tensorflow="train")

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
    e.set_defaults(run=run_evaluate, needs_tensorflow="evaluate (it runs the SavedModel)")


def run_train(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    from ..ml.train import train

    cfg = TrainConfig.from_namespace(args)
    cancel.cooperate()
    return train(args.data, args.out, cfg, reporter, cancelled=cancel.requested)


def run_evaluate(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    from ..ml.evaluate import evaluate_model

    return evaluate_model(args.model, args.data, args.threshold, args.batch_size, reporter)
