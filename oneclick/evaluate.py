"""Test-set metrics with a bootstrap interval, and curve data for `dvc plots`."""

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

DIGITS = 6


def _auc_from_groups(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """ROC-AUC per row from the positives' and negatives' (weighted) counts per distinct score, lowest first.

    The Mann-Whitney form: each positive counts the negatives below it, and half of those tied with it.
    """
    below = np.cumsum(neg, axis=1) - neg
    with np.errstate(invalid="ignore", divide="ignore"):
        return (pos * (below + 0.5 * neg)).sum(axis=1) / (pos.sum(axis=1) * neg.sum(axis=1))


def weighted_roc_auc(y, proba, weights: np.ndarray) -> np.ndarray:
    """ROC-AUC for each row of `weights` (case weights), all rows at once."""
    y, proba = np.asarray(y), np.asarray(proba)
    order = np.argsort(proba, kind="stable")
    sorted_scores = proba[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    w = np.asarray(weights, dtype=float)[:, order]
    pos = np.add.reduceat(w * (y[order] == 1), starts, axis=1)
    neg = np.add.reduceat(w * (y[order] == 0), starts, axis=1)
    return _auc_from_groups(pos, neg)


def bootstrap_roc_auc(y, proba, n: int, seed: int, level: float = 0.95, chunk: int | None = None):
    """Percentile interval of ROC-AUC over `n` seeded resamples of the test customers.

    A resample is scored from how many of its draws fall on each distinct score, per class (one np.bincount,
    exact integer counts), so a resample costs O(customers) and no sort. Resamples are drawn `chunk` at a time
    (by default as many as keep a chunk's arrays near 8 MB, faster than larger chunks); the result does not
    depend on it.
    """
    y, proba = np.asarray(y), np.asarray(proba)
    size = len(y)
    distinct, group = np.unique(proba, return_inverse=True)
    code = 2 * group.reshape(-1) + (y == 1)  # per customer: its distinct score and its class, in one index
    cells = 2 * len(distinct)
    chunk = chunk or max(1, min(100, 1_000_000 // max(size, 1)))
    rng = np.random.default_rng(seed)
    scores = []
    for start in range(0, n, chunk):
        rows = min(chunk, n - start)
        drawn = code[rng.integers(0, size, (rows, size))] + np.arange(rows)[:, None] * cells
        counts = np.bincount(drawn.ravel(), minlength=rows * cells).reshape(rows, -1, 2).astype(float)
        scores.append(_auc_from_groups(counts[:, :, 1], counts[:, :, 0]))
    scores = np.concatenate(scores)
    scores = scores[np.isfinite(scores)]  # a resample with one class has no ROC-AUC
    tail = (1 - level) / 2 * 100
    return float(np.percentile(scores, tail)), float(np.percentile(scores, 100 - tail))


def test_metrics(y, proba, threshold: float, bootstrap: int, seed: int) -> dict:
    low, high = bootstrap_roc_auc(y, proba, bootstrap, seed)
    predicted = (np.asarray(proba) >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, predicted, labels=[0, 1]).ravel()
    return {
        "roc_auc": round(float(roc_auc_score(y, proba)), DIGITS),
        "roc_auc_ci95_low": round(low, DIGITS),
        "roc_auc_ci95_high": round(high, DIGITS),
        "pr_auc": round(float(average_precision_score(y, proba)), DIGITS),
        "brier": round(float(brier_score_loss(y, proba)), DIGITS),
        "threshold": threshold,
        "precision": round(float(tp / (tp + fp)) if tp + fp else 0.0, DIGITS),
        "recall": round(float(tp / (tp + fn)) if tp + fn else 0.0, DIGITS),
        "confusion": {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)},
        "n_test": int(len(y)),
    }


def along_curve(x: np.ndarray, y: np.ndarray, max_points: int) -> np.ndarray:
    """Indices of at most `max_points` points of a curve, evenly spaced along its length, first and last kept.

    On a large test part a ROC or PR curve has a point per distinct score (250 000 on a million customers):
    `dvc plots` would embed them all in its page. Kept points are at most 1/max_points of the curve's length
    apart, so the drawn line is the same to the eye. A curve with fewer points keeps them all.
    """
    if len(x) <= max_points:
        return np.arange(len(x))
    length = np.r_[0.0, np.cumsum(np.abs(np.diff(x)) + np.abs(np.diff(y)))]
    if length[-1] == 0:  # every point the same
        return np.array([0, len(x) - 1])
    bucket = np.floor(length / length[-1] * (max_points - 1))
    keep = np.r_[True, bucket[1:] != bucket[:-1]]
    keep[-1] = True
    return np.flatnonzero(keep)


def roc_points(y, proba, max_points: int) -> list[dict]:
    fpr, tpr, thresholds = roc_curve(y, proba)
    thresholds = np.minimum(thresholds, 1.0)  # the first threshold is +inf: never write it to JSON
    return [{"fpr": round(float(fpr[i]), DIGITS), "tpr": round(float(tpr[i]), DIGITS),
             "threshold": round(float(thresholds[i]), DIGITS)} for i in along_curve(fpr, tpr, max_points)]


def pr_points(y, proba, max_points: int) -> list[dict]:
    precision, recall, _ = precision_recall_curve(y, proba)
    return [{"recall": round(float(recall[i]), DIGITS), "precision": round(float(precision[i]), DIGITS)}
            for i in along_curve(recall, precision, max_points)]


def calibration_points(y, proba, bins: int = 10) -> list[dict]:
    observed, predicted = calibration_curve(y, proba, n_bins=bins, strategy="quantile")
    return [{"predicted": round(float(p), DIGITS), "observed": round(float(o), DIGITS)}
            for p, o in zip(predicted, observed, strict=True)]


def confusion_counts(y, proba, threshold: float) -> pd.DataFrame:
    """Customers per (actual, predicted) cell, all four: the data of the `confusion_counts` plot template (DVC's
    `confusion`, summing `customers`; one row per customer would put every test customer in the page)."""
    label = ("kept", "decreased")
    matrix = confusion_matrix(y, (np.asarray(proba) >= threshold).astype(int), labels=[0, 1])
    return pd.DataFrame([{"actual": label[a], "predicted": label[p], "customers": int(matrix[a, p])}
                         for a in (0, 1) for p in (0, 1)])


def test_predictions(ids, y, proba) -> pd.DataFrame:
    """Each test customer's label and probability, by id: what a paired test of two models needs."""
    return pd.DataFrame({"id": np.asarray(ids), "actual": np.asarray(y).astype(int),
                         "probability": np.round(np.asarray(proba, dtype=float), DIGITS)})
