"""Metrics on cases small enough to check by hand."""

import pytest

from school_detector.core.metrics import (
    average_precision,
    best_threshold,
    confusion,
    evaluate,
    roc_auc,
    roc_curve,
)

# 4 schools, 4 not-schools
LABELS = [1, 1, 1, 1, 0, 0, 0, 0]
SCORES = [0.9, 0.8, 0.4, 0.35, 0.7, 0.3, 0.2, 0.1]


def test_confusion_by_hand():
    c = confusion(LABELS, SCORES, 0.5)
    assert (c.tp, c.fp, c.tn, c.fn) == (2, 1, 3, 2)
    assert c.precision == pytest.approx(2 / 3)
    assert c.recall == pytest.approx(0.5)
    assert c.accuracy == pytest.approx(5 / 8)
    assert c.f_beta(1) == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))  # 0.5714
    assert c.f_beta(2) == pytest.approx(5 * (2 / 3) * 0.5 / (4 * (2 / 3) + 0.5))  # 0.5263


def test_roc_auc_by_hand():
    # pairs (pos, neg) ranked correctly: 0.9,0.8 beat all 4 negatives (8); 0.4 and 0.35 beat 3 each (6): 14 of 16
    assert roc_auc(LABELS, SCORES) == pytest.approx(14 / 16)
    assert roc_auc([1, 0], [0.5, 0.5]) == pytest.approx(0.5)  # a tie counts half
    assert roc_auc([1, 1, 0], [0.9, 0.8, 0.1]) == 1.0
    pts = roc_curve(LABELS, SCORES)
    assert pts[0] == (0.0, 0.0) and pts[-1] == (1.0, 1.0)


def test_average_precision_by_hand():
    # ranked: 1,1,0,1,1,0,0,0 -> precision at each recall step: 1, 1, 3/4, 4/5
    expected = 0.25 * (1 + 1 + 3 / 4 + 4 / 5)
    assert average_precision(LABELS, SCORES) == pytest.approx(expected)


def test_f2_threshold_prefers_recall():
    t = best_threshold(LABELS, SCORES, beta=2.0)
    c = confusion(LABELS, SCORES, t)
    assert t == pytest.approx(0.35) and c.recall == 1.0
    assert best_threshold(LABELS, SCORES, beta=0.5) > t  # F0.5 prefers precision


def test_evaluate_bundle():
    m = evaluate(LABELS, SCORES, 0.5)
    assert (m.n, m.positives, m.tp, m.fp) == (8, 4, 2, 1)
    assert m.roc_auc == pytest.approx(0.875) and 0 < m.pr_auc <= 1
