"""Is a change of ROC-AUC real or noise? Intervals for two models scored on the same customers.

Two runs with the same `cv.*` params and the same customers score the same folds, and two runs with the
same split score the same test customers: their differences are paired, which is far sharper than
comparing two separate intervals. Only numpy and scipy.special (the cheap part of scipy) are imported.
"""

import hashlib
import math

import numpy as np
from scipy.special import ndtri, stdtrit

LEVEL = 0.95


def verdict(low: float, high: float) -> str:
    """The word for an interval of head minus base."""
    if low > 0:
        return "better"
    if high < 0:
        return "worse"
    return "no detectable difference"


def _corrected_half_width(std: float, folds: int, splits: int, level: float) -> float:
    """Half-width of Nadeau and Bengio's corrected resampled t interval for the mean over `splits` folds of a
    (repeated) K-fold CV: the folds share training rows, so the variance of the mean is
    std² (1/J + n_test/n_train), with n_test/n_train = 1/(K-1), not std²/J."""
    return float(stdtrit(splits - 1, 1 - (1 - level) / 2) * std * math.sqrt(1 / splits + 1 / (folds - 1)))


def cv_interval(mean: float, std: float, folds: int, repeats: int, level: float = LEVEL) -> tuple[float, float]:
    """Interval of one model's mean CV ROC-AUC (`std`: the population std of its fold scores, as
    scikit-learn's cv_results_ reports it); a ROC-AUC interval stops at 1."""
    splits = folds * repeats
    half = _corrected_half_width(std, folds, splits, level)
    return mean - half, min(mean + half, 1.0)


def corrected_t_difference(base, head, folds: int, level: float = LEVEL) -> tuple[float, float, float]:
    """(mean, low, high) of head minus base, fold by fold, over the same repeated K-fold splits."""
    diff = np.asarray(head, dtype=float) - np.asarray(base, dtype=float)
    if diff.size < 2:
        raise ValueError("a paired CV comparison needs at least two folds")
    half = _corrected_half_width(float(diff.std(ddof=1)), folds, diff.size, level)
    mean = float(diff.mean())
    return mean, mean - half, mean + half


def _midranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing the mean of their ranks."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return (ends - (counts - 1) / 2)[inverse]


def _delong_components(y: np.ndarray, proba: np.ndarray):
    """ROC-AUC and its DeLong placement values: per positive, the share of negatives scored below it (ties
    half); per negative, the share of positives scored above it. Fast form of Sun and Xu (2014)."""
    pos, neg = proba[y == 1], proba[y == 0]
    m, n = len(pos), len(neg)
    ranks = _midranks(np.concatenate([pos, neg]))
    v_pos = (ranks[:m] - _midranks(pos)) / n
    v_neg = 1 - (ranks[m:] - _midranks(neg)) / m
    return float(v_pos.mean()), v_pos, v_neg


def delong_difference(y, base, head, level: float = LEVEL) -> tuple[float, float, float]:
    """(difference, low, high) of ROC-AUC head minus base on the same customers, DeLong et al. (1988):
    the variance of the difference from the covariance of the two models' placement values."""
    y = np.asarray(y).astype(int)
    if y.min() == y.max():
        raise ValueError("ROC-AUC needs customers of both classes")
    auc_b, pos_b, neg_b = _delong_components(y, np.asarray(base, dtype=float))
    auc_h, pos_h, neg_h = _delong_components(y, np.asarray(head, dtype=float))
    variance = (np.var(pos_h - pos_b, ddof=1) / len(pos_b)) + (np.var(neg_h - neg_b, ddof=1) / len(neg_b))
    half = float(ndtri(1 - (1 - level) / 2) * math.sqrt(max(variance, 0.0)))
    diff = auc_h - auc_b
    return diff, diff - half, diff + half


def customers_digest(ids, labels) -> str:
    """A short fingerprint of which customers, in which order, with which labels: equal digests mean the
    same CV folds (stratified splits depend only on the labels' order and the seed)."""
    text = "".join(f"{i},{int(v)}\n" for i, v in zip(ids, labels, strict=True))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
