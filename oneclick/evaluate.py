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


def weighted_roc_auc(y, proba, weights: np.ndarray) -> np.ndarray:
    """ROC-AUC for each row of `weights` (case weights, e.g. bootstrap counts), all rows at once.

    The Mann-Whitney form: over customers sorted by score, each positive counts the
    negatives below it, and half of those tied with it.
    """
    y, proba = np.asarray(y), np.asarray(proba)
    order = np.argsort(proba, kind="stable")
    sorted_scores = proba[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    w = np.asarray(weights, dtype=float)[:, order]
    pos = np.add.reduceat(w * (y[order] == 1), starts, axis=1)
    neg = np.add.reduceat(w * (y[order] == 0), starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg
    with np.errstate(invalid="ignore", divide="ignore"):
        return (pos * (below + 0.5 * neg)).sum(axis=1) / (pos.sum(axis=1) * neg.sum(axis=1))


def bootstrap_roc_auc(y, proba, n: int, seed: int, level: float = 0.95, chunk: int = 100):
    """Percentile interval of ROC-AUC over `n` seeded resamples of the test customers.

    Resamples are drawn and scored `chunk` at a time, so memory stays small on a large test part.
    """
    size = len(y)
    rng = np.random.default_rng(seed)
    scores = []
    for start in range(0, n, chunk):
        rows = min(chunk, n - start)
        counts = np.zeros((rows, size))
        np.add.at(counts, (np.arange(rows)[:, None], rng.integers(0, size, (rows, size))), 1)
        scores.append(weighted_roc_auc(y, proba, counts))
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


def roc_points(y, proba) -> list[dict]:
    fpr, tpr, thresholds = roc_curve(y, proba)
    thresholds = np.minimum(thresholds, 1.0)  # the first threshold is +inf: never write it to JSON
    return [{"fpr": round(float(f), DIGITS), "tpr": round(float(t), DIGITS), "threshold": round(float(h), DIGITS)}
            for f, t, h in zip(fpr, tpr, thresholds, strict=True)]


def pr_points(y, proba) -> list[dict]:
    precision, recall, _ = precision_recall_curve(y, proba)
    return [{"recall": round(float(r), DIGITS), "precision": round(float(p), DIGITS)}
            for p, r in zip(precision, recall, strict=True)]


def calibration_points(y, proba, bins: int = 10) -> list[dict]:
    observed, predicted = calibration_curve(y, proba, n_bins=bins, strategy="quantile")
    return [{"predicted": round(float(p), DIGITS), "observed": round(float(o), DIGITS)}
            for p, o in zip(predicted, observed, strict=True)]


def confusion_rows(ids, y, proba, threshold: float) -> pd.DataFrame:
    """One row per test customer, the shape DVC's `confusion` template expects."""
    label = {0: "kept", 1: "decreased"}
    return pd.DataFrame({
        "id": np.asarray(ids),
        "actual": [label[int(v)] for v in np.asarray(y)],
        "predicted": [label[int(v)] for v in (np.asarray(proba) >= threshold)],
    })


def test_predictions(ids, y, proba) -> pd.DataFrame:
    """Each test customer's label and probability, by id: what a paired test of two models needs."""
    return pd.DataFrame({"id": np.asarray(ids), "actual": np.asarray(y).astype(int),
                         "probability": np.round(np.asarray(proba, dtype=float), DIGITS)})
