"""Classification metrics in pure Python: what a mapper needs to trust a model.

Kept dependency-free so the plugin (numpy 1.x) and the runtime agree on every number, and
so they can be checked by hand in tests. ``labels`` are 1 for school, 0 for not-school;
``scores`` are school probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass


@dataclass
class Confusion:
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def accuracy(self) -> float:
        n = self.tp + self.fp + self.tn + self.fn
        return (self.tp + self.tn) / n if n else 0.0

    def f_beta(self, beta: float) -> float:
        p, r = self.precision, self.recall
        b2 = beta * beta
        return (1 + b2) * p * r / (b2 * p + r) if p + r > 0 else 0.0


def confusion(labels: Sequence[int], scores: Sequence[float], threshold: float) -> Confusion:
    tp = fp = tn = fn = 0
    for y, s in zip(labels, scores):
        pred = s >= threshold
        if y and pred:
            tp += 1
        elif y:
            fn += 1
        elif pred:
            fp += 1
        else:
            tn += 1
    return Confusion(tp, fp, tn, fn)


def _ranked_counts(labels: Sequence[int], scores: Sequence[float]) -> list[tuple[int, int]]:
    """Cumulative (true positives, false positives) at every distinct score, highest first;
    tied scores enter together, as they must."""
    pairs = sorted(zip(scores, labels), key=lambda p: -p[0])
    steps = []
    tp = fp = 0
    i = 0
    while i < len(pairs):
        s = pairs[i][0]
        while i < len(pairs) and pairs[i][0] == s:
            tp, fp = (tp + 1, fp) if pairs[i][1] else (tp, fp + 1)
            i += 1
        steps.append((tp, fp))
    return steps


def roc_curve(labels: Sequence[int], scores: Sequence[float]) -> list[tuple[float, float]]:
    """(false positive rate, true positive rate) points from the highest threshold down."""
    pos = sum(1 for y in labels if y)
    neg = len(labels) - pos
    if pos == 0 or neg == 0:
        return [(0.0, 0.0), (1.0, 1.0)]
    return [(0.0, 0.0)] + [(fp / neg, tp / pos) for tp, fp in _ranked_counts(labels, scores)]


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    pts = roc_curve(labels, scores)
    return sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in zip(pts, pts[1:]))


def pr_curve(labels: Sequence[int], scores: Sequence[float]) -> list[tuple[float, float]]:
    """(recall, precision) at every distinct score threshold, highest threshold first."""
    pos = sum(1 for y in labels if y)
    if pos == 0:
        return [(0.0, 1.0)]
    return [(tp / pos, tp / (tp + fp)) for tp, fp in _ranked_counts(labels, scores)]


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    """PR AUC as average precision: sum of (recall step) x precision (scikit-learn's definition)."""
    prev_recall = 0.0
    total = 0.0
    for recall, precision in pr_curve(labels, scores):
        total += (recall - prev_recall) * precision
        prev_recall = recall
    return total


def best_threshold(labels: Sequence[int], scores: Sequence[float], beta: float = 2.0) -> float:
    """The score threshold that maximises F-beta (F2 by default: mappers prefer recall, they
    review every candidate anyway). Ties go to the higher threshold (fewer candidates)."""
    candidates = sorted(set(scores), reverse=True)
    if not candidates:
        return 0.5
    best, best_f = candidates[0], -1.0
    for t in candidates:
        f = confusion(labels, scores, t).f_beta(beta)
        if f > best_f + 1e-12:
            best, best_f = t, f
    return float(best)


def margin_threshold(labels: Sequence[int], scores: Sequence[float], beta: float = 2.0) -> float:
    """:func:`best_threshold`, moved halfway down to the next lower score: the same decisions
    on these scores, with a margin for unseen ones. (The best threshold sits exactly on a
    validation school's score: a school scanned later that scores a hair lower would be missed.)"""
    best = best_threshold(labels, scores, beta)
    lower = [s for s in scores if s < best]
    return float((best + max(lower)) / 2) if lower else best


@dataclass
class Metrics:
    threshold: float
    accuracy: float
    precision: float
    recall: float
    f1: float
    f2: float
    roc_auc: float
    pr_auc: float
    tp: int
    fp: int
    tn: int
    fn: int
    n: int
    positives: int

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def evaluate(labels: Sequence[int], scores: Sequence[float], threshold: float) -> Metrics:
    c = confusion(labels, scores, threshold)
    return Metrics(
        threshold=threshold,
        accuracy=c.accuracy,
        precision=c.precision,
        recall=c.recall,
        f1=c.f_beta(1.0),
        f2=c.f_beta(2.0),
        roc_auc=roc_auc(labels, scores),
        pr_auc=average_precision(labels, scores),
        tp=c.tp,
        fp=c.fp,
        tn=c.tn,
        fn=c.fn,
        n=len(labels),
        positives=sum(1 for y in labels if y),
    )
