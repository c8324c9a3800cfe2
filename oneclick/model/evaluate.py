"""Test-set metrics with a bootstrap interval, and curve data for `dvc plots`."""

import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from oneclick.common.checks import SEED, number, section
from oneclick.stats import delong_difference, mean_interval, wilson

DIGITS = 6


def _score_codes(y, proba) -> tuple[np.ndarray, int]:
    """Per customer one index: its distinct score (lowest first) times 2, plus its class; and how many there are."""
    distinct, group = np.unique(np.asarray(proba), return_inverse=True)
    return 2 * group.reshape(-1) + (np.asarray(y) == 1), 2 * len(distinct)


def _class_counts(index: np.ndarray, cells: int, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(positives, negatives) at each distinct score, lowest first, per row of `index` (row r holding r * cells + a
    _score_codes index, once per draw or customer), (weighted) counts from one np.bincount."""
    rows = len(index)
    flat_weights = None if weights is None else np.asarray(weights, dtype=float).ravel()
    counts = np.bincount(index.ravel(), weights=flat_weights, minlength=rows * cells).reshape(rows, -1, 2)
    return counts[:, :, 1].astype(float), counts[:, :, 0].astype(float)


def _auc_of_counts(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """ROC-AUC per row, the Mann-Whitney form: each positive counts the negatives below it, and half of those tied
    with it."""
    below = np.cumsum(neg, axis=1) - neg
    with np.errstate(invalid="ignore", divide="ignore"):
        return (pos * (below + 0.5 * neg)).sum(axis=1) / (pos.sum(axis=1) * neg.sum(axis=1))


def _average_precision_of_counts(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """PR-AUC per row as scikit-learn's average_precision_score defines it: over the distinct scores, highest first,
    the recall each adds times the precision at that threshold (customers with equal scores taken together)."""
    pos, neg = pos[:, ::-1], neg[:, ::-1]
    tp, fp = np.cumsum(pos, axis=1), np.cumsum(neg, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        return (pos * precision).sum(axis=1) / pos.sum(axis=1)


SCORERS = {"roc_auc": _auc_of_counts, "pr_auc": _average_precision_of_counts}


def weighted_scores(y, proba, weights: np.ndarray) -> dict:
    """ROC-AUC and PR-AUC for each row of `weights` (case weights), all rows at once: the bootstrap's scoring,
    weighted. {"roc_auc": array, "pr_auc": array}."""
    code, cells = _score_codes(y, proba)
    rows = len(weights)
    counts = _class_counts(np.tile(code, (rows, 1)) + np.arange(rows)[:, None] * cells, cells, weights)
    return {name: score(*counts) for name, score in SCORERS.items()}


def bootstrap_intervals(y, proba, n: int, seed: int, level: float = 0.95, chunk: int | None = None,
                        names=tuple(SCORERS)) -> dict:
    """Percentile intervals of the scores `names` (ROC-AUC and PR-AUC by default) over the same `n` seeded
    resamples of the test customers: {"roc_auc": (low, high), "pr_auc": (low, high)}.

    A resample is scored from how many of its draws fall on each distinct score, per class (one np.bincount,
    exact integer counts), so a resample costs O(customers) and no sort. Resamples are drawn `chunk` at a time
    (by default as many as keep a chunk's arrays near 8 MB, faster than larger chunks); the result does not
    depend on it.
    """
    size = len(y)
    code, cells = _score_codes(y, proba)
    chunk = chunk or max(1, min(100, 1_000_000 // max(size, 1)))
    rng = np.random.default_rng(seed)
    scores = {name: [] for name in names}
    for start in range(0, n, chunk):
        rows = min(chunk, n - start)
        counts = _class_counts(code[rng.integers(0, size, (rows, size))] + np.arange(rows)[:, None] * cells, cells)
        for name in names:
            scores[name].append(SCORERS[name](*counts))
    tail = (1 - level) / 2 * 100
    out = {}
    for name, parts in scores.items():
        values = np.concatenate(parts)
        values = values[np.isfinite(values)]  # a resample with one class has no ROC-AUC
        out[name] = (float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail)))
    return out


def _interval(name: str, successes: int, n: int) -> dict:
    """A proportion's 95 % Wilson interval as metrics keys."""
    low, high = wilson(successes, n)
    return {f"{name}_ci95_low": round(low, DIGITS), f"{name}_ci95_high": round(high, DIGITS)}


def test_metrics(y, proba, threshold: float, bootstrap: int, seed: int, pr_interval: bool = True) -> dict:
    """The test part's metrics; PR-AUC's interval only with `pr_interval` (the other candidates' records of
    test_by_model.json leave it out: it doubles the bootstrap's cost on a large test part)."""
    intervals = bootstrap_intervals(y, proba, bootstrap, seed, names=tuple(SCORERS) if pr_interval else ("roc_auc",))
    low, high = intervals["roc_auc"]
    pr = {"pr_auc_ci95_low": round(intervals["pr_auc"][0], DIGITS),
          "pr_auc_ci95_high": round(intervals["pr_auc"][1], DIGITS)} if pr_interval else {}
    predicted = (np.asarray(proba) >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, predicted, labels=[0, 1]).ravel()
    return {
        "roc_auc": round(float(roc_auc_score(y, proba)), DIGITS),
        "roc_auc_ci95_low": round(low, DIGITS),
        "roc_auc_ci95_high": round(high, DIGITS),
        "pr_auc": round(float(average_precision_score(y, proba)), DIGITS),
        **pr,
        "brier": round(float(brier_score_loss(y, proba)), DIGITS),
        "threshold": threshold,
        **at_threshold(y, proba, threshold),
        "confusion": {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)},
        "n_test": int(len(y)),
    }


def at_threshold(y, proba, threshold: float, suffix: str = "") -> dict:
    """Precision and recall of flagging the customers whose `proba` is at least `threshold`, each with its 95 %
    Wilson interval (keys named with `suffix`)."""
    flagged, y = np.asarray(proba) >= threshold, np.asarray(y).astype(bool)
    tp, fp, fn = int((flagged & y).sum()), int((flagged & ~y).sum()), int((~flagged & y).sum())
    return {f"precision{suffix}": round(tp / (tp + fp) if tp + fp else 0.0, DIGITS),
            **_interval(f"precision{suffix}", tp, tp + fp),
            f"recall{suffix}": round(tp / (tp + fn) if tp + fn else 0.0, DIGITS),
            **_interval(f"recall{suffix}", tp, tp + fn)}


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


def calibrated_metrics(y, raw, calibrated, method: str, threshold: float) -> dict:
    """The calibration's effect on the test part: log loss and Brier before and after, with the 95 % intervals of
    their changes (normal, on the customers' paired differences) and of the calibrated Brier score; the ROC-AUC
    after with the paired (DeLong) interval of its change: a monotone calibration keeps the ranking, isotonic
    steps tie some customers; precision and recall of the calibrated probability at `threshold` (the segments'
    "high risk" rule)."""
    from oneclick.model.calibration import briers, log_losses

    change, low, high = delong_difference(y, raw, calibrated)
    squared = briers(y, calibrated)
    raw_losses, losses = log_losses(y, raw), log_losses(y, calibrated)
    loss_low, loss_high = mean_interval(losses - raw_losses)
    brier_low, brier_high = mean_interval(squared - briers(y, raw))
    level_low, level_high = mean_interval(squared)
    return {"calibration": method,
            "log_loss": round(float(np.mean(raw_losses)), DIGITS),
            "log_loss_calibrated": round(float(np.mean(losses)), DIGITS),
            "log_loss_change_ci95_low": round(loss_low, DIGITS), "log_loss_change_ci95_high": round(loss_high, DIGITS),
            "brier_calibrated": round(float(brier_score_loss(y, calibrated)), DIGITS),
            "brier_calibrated_ci95_low": round(level_low, DIGITS),
            "brier_calibrated_ci95_high": round(level_high, DIGITS),
            "brier_change_ci95_low": round(brier_low, DIGITS), "brier_change_ci95_high": round(brier_high, DIGITS),
            "roc_auc_calibrated": round(float(roc_auc_score(y, calibrated)), DIGITS),
            "roc_auc_change_ci95_low": round(low, DIGITS), "roc_auc_change_ci95_high": round(high, DIGITS),
            **at_threshold(y, calibrated, threshold, "_calibrated")}


def confusion_counts(y, proba, threshold: float) -> pd.DataFrame:
    """Customers per (actual, predicted) cell, all four: the data of the `confusion_counts` plot template (DVC's
    `confusion`, summing `customers`; one row per customer would put every test customer in the page)."""
    label = ("kept", "decreased")
    matrix = confusion_matrix(y, (np.asarray(proba) >= threshold).astype(int), labels=[0, 1])
    return pd.DataFrame([{"actual": label[a], "predicted": label[p], "customers": int(matrix[a, p])}
                         for a in (0, 1) for p in (0, 1)])


def test_predictions(ids, y, proba, calibrated) -> pd.DataFrame:
    """Each test customer's label, the model's probability and the calibrated one, by id: what a paired test of two
    models needs."""
    return pd.DataFrame({"id": np.asarray(ids), "actual": np.asarray(y).astype(int),
                         "probability": np.round(np.asarray(proba, dtype=float), DIGITS),
                         "calibrated": np.round(np.asarray(calibrated, dtype=float), DIGITS)})


def check_params(params: dict) -> None:
    section(params, "evaluate", {"threshold", "bootstrap", "seed", "curve_points"})
    number(params, "evaluate.bootstrap", 10, 100_000, integer=True)
    number(params, "evaluate.seed", 0, SEED, integer=True)
    number(params, "evaluate.threshold", 0, 1)
    number(params, "evaluate.curve_points", 10, 1_000_000, integer=True)
