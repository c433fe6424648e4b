"""What a training result can and cannot claim: the figures it rests on, and the signs that
the model learned nothing. Pure, so the CLI, the report, the model card and the dialog say the
same thing.

A model with flat scores (every tile 0.59-0.64) once reported "ROC AUC 1.000, recall 1.00"
because its test split held 2 schools. Every figure now comes with its support, and these are
said out loud:

* a test (or validation) split with fewer than ``MIN_SUPPORT`` schools or not-schools: its
  figures are not meaningful;
* scores that barely vary: the model gives every image about the same score;
* a validation accuracy equal to one class's share: it answers one class for everything;
* early stopping: which epoch was kept, and when training stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: fewer schools or not-schools than this in the split the figures come from: not meaningful
MIN_SUPPORT = 10
#: scores spread over less than this (max - min) tell nothing apart
FLAT_SPREAD = 0.05


def support(labels: Sequence[int]) -> dict[str, int]:
    schools = sum(1 for y in labels if y)
    return {"school": schools, "not-school": len(labels) - schools}


def warnings_for(
    split: str,
    labels: Sequence[int],
    scores: Sequence[float],
    history: Sequence[dict[str, Any]],
    valid_labels: Sequence[int] = (),
) -> list[str]:
    """The warnings a result must carry (an empty list for a sound one): ``labels`` and
    ``scores`` of the split the figures come from, the per-epoch ``history``, and the
    validation split's labels (for the one-class check)."""
    said: list[str] = []
    counts = support(labels)
    if min(counts.values()) < MIN_SUPPORT:
        said.append(
            f"The {split} split holds only {counts['school']} schools and {counts['not-school']} not-schools: "
            f"its figures rest on too few examples to mean much (at least {MIN_SUPPORT} of each). Build more "
            "training data, or read them as a rough sign."
        )
    if scores and max(scores) - min(scores) < FLAT_SPREAD:
        said.append(
            f"The model gives every image nearly the same score ({min(scores):.2f}-{max(scores):.2f}): it has not "
            "learned to tell schools apart. Check the dataset (both classes, enough of each) and train longer."
        )
    best = best_epoch(history)
    if best is not None and "val_accuracy" in best and valid_labels:
        share = sum(1 for y in valid_labels if y) / len(valid_labels)
        if min(abs(best["val_accuracy"] - share), abs(best["val_accuracy"] - (1 - share))) < 1e-3:
            said.append(
                f"At its best epoch the model's validation accuracy ({best['val_accuracy']:.3f}) is just one "
                "class's share: it answers the same for every image."
            )
    return said


def best_epoch(history: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The epoch whose weights were kept (the lowest validation loss)."""
    scored = [h for h in history if "val_loss" in h]
    return min(scored, key=lambda h: h["val_loss"]) if scored else None


def stopping(history: Sequence[dict[str, Any]], planned: int, cancelled: bool = False) -> dict[str, Any]:
    """How training ended: epochs run of planned, the kept (best) epoch, and in words."""
    best = best_epoch(history)
    ran = int(history[-1]["epoch"]) if history else 0
    kept = int(best["epoch"]) if best else None
    if cancelled:
        how = f"cancelled at epoch {ran} of {planned}"
    elif ran < planned:
        how = f"stopped early at epoch {ran} of {planned} (no better validation loss since)"
    else:
        how = f"ran all {planned} epochs"
    text = how + (f"; the best epoch, {kept}, was restored" if kept is not None else "")
    return {"epochs_run": ran, "epochs_planned": planned, "best_epoch": kept, "stopped_early": ran < planned,
            "cancelled": cancelled, "text": text}  # fmt: skip
