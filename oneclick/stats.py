"""Is a change of ROC-AUC real or noise? Intervals for two models scored on the same customers.

Two runs with the same `cv.*` params and the same customers score the same folds, and two runs with the
same split score the same test customers: their differences are paired, which is far sharper than
comparing two separate intervals. Only numpy and scipy.special (the cheap part of scipy) are imported.
"""

import math

import numpy as np
from scipy.special import expit, ndtr, ndtri, stdtrit

LEVEL = 0.95


def mean_interval(x, level: float = LEVEL) -> tuple[float, float]:
    """Normal interval of a mean, x̄ ± z sd / sqrt(n): for the mean of paired per-customer differences."""
    x = np.asarray(x, dtype=float)
    half = float(ndtri(1 - (1 - level) / 2)) * float(x.std(ddof=1)) / math.sqrt(len(x)) if len(x) > 1 else 0.0
    return float(x.mean()) - half, float(x.mean()) + half


def bootstrap_means(terms, resamples: int, seed: int, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) per column of `terms` (customers x columns): the percentile bootstrap interval of the column's
    mean over the customers. Every column is resampled with the same customers, so a column holding the
    difference of two others gives their paired interval."""
    terms = np.asarray(terms, dtype=float)
    terms = terms[:, None] if terms.ndim == 1 else terms
    n = len(terms)
    if n == 0:
        return np.zeros(terms.shape[1]), np.zeros(terms.shape[1])
    rng = np.random.default_rng(seed)
    boot = np.array([np.bincount(rng.integers(0, n, n), minlength=n) @ terms for _ in range(resamples)]) / n
    tail = (1 - level) / 2
    return np.quantile(boot, tail, axis=0), np.quantile(boot, 1 - tail, axis=0)


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
    """Interval of one model's mean CV ROC-AUC; a ROC-AUC interval stops at 1. `std` is the population std of
    its fold scores, as scikit-learn's cv_results_ reports it; the interval takes their sample std (ddof 1), as
    the paired comparisons do."""
    splits = folds * repeats
    half = _corrected_half_width(std * math.sqrt(splits / (splits - 1)), folds, splits, level)
    return mean - half, min(mean + half, 1.0)


FOLD_KEYS = {"folds": "cv.folds", "repeats": "cv.repeats", "seed": "cv.seed"}  # fold record key -> its param


def unpaired_folds(base: dict, head: dict) -> str | None:
    """Why two per-fold score records (reports/cv_folds/) cannot be compared fold by fold, or None if they can."""
    for key, param in FOLD_KEYS.items():
        if base[key] != head[key]:
            return f"{param} changed ({base[key]} → {head[key]})"
    if base["customers"] != head["customers"]:
        return (f"the folds hold other customers ({base['train_rows']} → {head['train_rows']} rows; "
                "the data, prepare, split or a subsample changed)")
    return None


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
    if min(int(y.sum()), int(len(y) - y.sum())) < 2:
        raise ValueError("DeLong's interval needs at least two customers of each class")
    auc_b, pos_b, neg_b = _delong_components(y, np.asarray(base, dtype=float))
    auc_h, pos_h, neg_h = _delong_components(y, np.asarray(head, dtype=float))
    variance = (np.var(pos_h - pos_b, ddof=1) / len(pos_b)) + (np.var(neg_h - neg_b, ddof=1) / len(neg_b))
    half = float(ndtri(1 - (1 - level) / 2) * math.sqrt(max(variance, 0.0)))
    diff = auc_h - auc_b
    return diff, diff - half, diff + half


# Two proportions: the read-out's arms and the campaign's power statement.

def wilson(successes: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson's score interval of a proportion: good coverage on small arms, never outside [0, 1]."""
    if n == 0:
        return 0.0, 1.0
    z = float(ndtri(1 - (1 - level) / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # at 0 or n successes the bound is exactly 0 or 1 (the arithmetic leaves 1e-17 that would exclude p)
    return (0.0 if successes == 0 else max(0.0, centre - half)), (1.0 if successes == n else min(1.0, centre + half))


def newcombe_difference(x1: int, n1: int, x2: int, n2: int, level: float = LEVEL) -> tuple[float, float, float]:
    """(p1 - p2, low, high): Newcombe's hybrid score interval (his method 10, 1998) from the two Wilson
    intervals; for small arms, where the normal approximation's coverage fails."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, level)
    l2, u2 = wilson(x2, n2, level)
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def effective_counts(y, weights) -> tuple[float, float]:
    """(weighted successes, Kish's effective size) of a weighted proportion: Wilson's and Newcombe's intervals on
    these counts give the weighted rate its interval (equal weights give the plain counts back)."""
    y, w = np.asarray(y, dtype=float), np.asarray(weights, dtype=float)
    n = w.sum() ** 2 / (w * w).sum()
    return float((w * y).sum() / w.sum() * n), float(n)


def ratio_interval(x1: int, n1: int, x2: int, n2: int, level: float = LEVEL) -> tuple[float, float, float]:
    """(p1 / p2, low, high): the MOVER-R interval of a ratio of two proportions from their Wilson intervals
    (Donner and Zou 2012); `high` is inf when the interval of p2 reaches 0.

    Each limit is the root of a quadratic, p1 - t p2 = -/+ sqrt((p1 - l1)^2 + t^2 (u2 - p2)^2) for the lower one;
    its leading coefficient u2 (2 p2 - u2) is negative when u2 > 2 p2 (a small denominator arm), and the same root
    still holds (tests/common/test_stats.py checks it against a root solver)."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, level)
    l2, u2 = wilson(x2, n2, level)
    ratio = p1 / p2 if p2 > 0 else math.inf
    low_den = u2 * (2 * p2 - u2)
    root = math.sqrt(max((p1 * p2) ** 2 - l1 * u2 * (2 * p1 - l1) * (2 * p2 - u2), 0.0))
    if low_den != 0:
        low = (p1 * p2 - root) / low_den
    else:  # the quadratic is linear
        low = l1 * (2 * p1 - l1) / (2 * p1 * p2) if p1 * p2 > 0 else 0.0
    high_den = l2 * (2 * p2 - l2)
    high = (p1 * p2 + math.sqrt(max((p1 * p2) ** 2 - u1 * l2 * (2 * p1 - u1) * (2 * p2 - l2), 0.0))) / high_den \
        if high_den > 0 else math.inf
    return ratio, max(low, 0.0), high


def two_proportion_se(p1: float, n1: float, p2: float, n2: float) -> float:
    return math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)


def power_of(p1: float, n1: float, p2: float, n2: float, alpha: float) -> float:
    """Power of a two-sided two-proportion test of p1 against p2 with arms of n1 and n2."""
    se = two_proportion_se(p1, n1, p2, n2)
    if se == 0:
        return 1.0 if p1 != p2 else 0.0
    return float(ndtr(abs(p1 - p2) / se - ndtri(1 - alpha / 2)))


def size_factor(p1: float, n1: float, p2: float, n2: float, alpha: float, power: float) -> float:
    """How many times the arms must grow (same split) for a two-sided test at `alpha` to reach `power`:
    the standard error shrinks with the square root of the customers."""
    if p1 == p2:
        return math.inf
    z = ndtri(1 - alpha / 2) + ndtri(power)
    return float((z * two_proportion_se(p1, n1, p2, n2) / abs(p1 - p2)) ** 2)


def delong_interval(y, proba, level: float = LEVEL) -> tuple[float, float, float]:
    """(ROC-AUC, low, high) of one model on one set of customers: DeLong's standard error, the normal interval
    taken on the logit scale (Pepe 2003, section 4.2), so it stays inside (0, 1) and holds its level better than
    the plain normal interval where the ROC-AUC is high or the customers few (tests/common/test_stats.py measures
    both). At a ROC-AUC of 0 or 1 the logit has no scale: the plain interval, clipped to [0, 1]."""
    y = np.asarray(y).astype(int)
    if min(int(y.sum()), int(len(y) - y.sum())) < 2:
        raise ValueError("DeLong's interval needs at least two customers of each class")
    auc, v_pos, v_neg = _delong_components(y, np.asarray(proba, dtype=float))
    z = float(ndtri(1 - (1 - level) / 2))
    se = math.sqrt(np.var(v_pos, ddof=1) / len(v_pos) + np.var(v_neg, ddof=1) / len(v_neg))
    if 0 < auc < 1:
        centre, half = math.log(auc / (1 - auc)), z * se / (auc * (1 - auc))
        return auc, float(expit(centre - half)), float(expit(centre + half))
    return auc, max(auc - z * se, 0.0), min(auc + z * se, 1.0)


def unpaired_difference(a: float, a_low: float, a_high: float, b: float, b_low: float, b_high: float,
                        level: float = LEVEL) -> tuple[float, float, float]:
    """(a - b, low, high) for two estimates on different customers, each given with its `level` interval: the
    standard errors read off the intervals' widths add in quadrature."""
    z = float(ndtri(1 - (1 - level) / 2))
    se = math.sqrt(((a_high - a_low) / (2 * z)) ** 2 + ((b_high - b_low) / (2 * z)) ** 2)
    return a - b, a - b - z * se, a - b + z * se
