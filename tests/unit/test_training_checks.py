"""What a training result can claim: support, flat scores, one-class answers, early stopping."""

from __future__ import annotations

from school_detector.core.training_checks import MIN_SUPPORT, best_epoch, stopping, support, warnings_for

HISTORY = [
    {"epoch": 1, "val_loss": 0.9, "val_accuracy": 0.75},
    {"epoch": 2, "val_loss": 0.6, "val_accuracy": 0.75},
    {"epoch": 3, "val_loss": 0.7, "val_accuracy": 0.8},
]


def test_a_test_split_of_two_schools_is_said_to_mean_little() -> None:
    labels = [1, 1] + [0] * 30
    said = warnings_for("test", labels, [0.9, 0.8] + [0.1] * 30, [])
    assert support(labels) == {"school": 2, "not-school": 30}
    assert len(said) == 1 and "only 2 schools" in said[0] and str(MIN_SUPPORT) in said[0]


def test_flat_scores_and_one_class_answers_are_detected() -> None:
    labels = [1] * 12 + [0] * 36
    flat = [0.59 + 0.001 * (k % 40) for k in range(48)]  # every tile 0.59-0.63: a ROC AUC can still look good
    said = warnings_for("test", labels, flat, HISTORY, valid_labels=[1] * 5 + [0] * 15)
    assert any("nearly the same score (0.59-0.63)" in w for w in said)
    assert any("one class's share" in w for w in said)  # best epoch 2: val accuracy 0.75 = the not-school share
    sound = warnings_for("test", labels, [0.9] * 12 + [0.1] * 36, HISTORY, valid_labels=[1] * 4 + [0] * 16)
    assert sound == []


def test_early_stopping_is_said_with_the_kept_epoch() -> None:
    assert best_epoch(HISTORY)["epoch"] == 2
    early = stopping(HISTORY, planned=10)
    assert early["stopped_early"] and early["text"] == (
        "stopped early at epoch 3 of 10 (no better validation loss since); the best epoch, 2, was restored"
    )
    assert stopping(HISTORY, planned=3)["text"].startswith("ran all 3 epochs")
    assert stopping(HISTORY, planned=10, cancelled=True)["text"].startswith("cancelled at epoch 3 of 10")
