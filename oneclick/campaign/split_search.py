"""The split search of a save-rate tree node (uplift.py): every candidate split's rate difference, for the observed
outcome and for outcome draws under one rate in the node, so that the best observed split is judged against the
best of the null draws (the guard)."""

import numpy as np
import pandas as pd


def rate(p, y, w, b):
    """Ratio-of-sums estimate of theta and its information sum w p b."""
    info = float((w * p * b).sum())
    return (float((w * (p - y)).sum()) / info if info > 0 else np.nan), info


def _z2(I_r, D_r, V_r, I_t, D_t, V_t, min_info):
    """z^2 of the right-minus-left rate difference from right-side sums and node totals (columns: replicates),
    and the difference itself."""
    I_l, D_l, V_l = I_t - I_r, D_t - D_r, V_t - V_r
    ok = (I_r >= min_info) & (I_l >= min_info)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = D_r / I_r - D_l / I_l
        z2 = diff ** 2 / np.maximum(V_r / I_r ** 2 + V_l / I_l ** 2, 1e-12)
    return np.where(ok, np.nan_to_num(z2), 0.0), np.nan_to_num(diff)


def numeric(x: pd.Series) -> bool:
    """Is the column split at thresholds (numbers) rather than by categories (text, booleans)?"""
    return pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)


def quantile_thresholds(v: np.ndarray, n_thresholds: int) -> np.ndarray:
    """The thresholds a numeric column is split at: its distinct quantiles at 1/n, ..., (n-1)/n."""
    return np.unique(np.quantile(v, np.arange(1, n_thresholds) / n_thresholds))


def group_sums(codes: np.ndarray, k: int, a: np.ndarray) -> np.ndarray:
    """Sums of the rows of `a` (rows, or rows x replicates) within each of the `k` groups numbered by `codes`. One
    matrix product instead of sorting every replicate: a million customers' null draws take a gigabyte each."""
    if a.ndim == 1:
        return np.bincount(codes, a, k)
    return (np.arange(k)[:, None] == codes[None, :]).astype(a.dtype) @ a


def column_sums(x: pd.Series, D, sums: tuple, n_thresholds: int):
    """The left sides of every split tried on column `x`: numbers x < t at `n_thresholds` quantile thresholds,
    categories the prefixes of the categories ordered by their rate (D over the first of `sums`, in each replicate
    of D, its columns).
    Returns (left sums of D: splits x replicates, left sums of each array in `sums`: splits x 1 for numbers,
    splits x replicates for categories, rule(k): the observed outcome's split k as a rule whose right side is the
    other side), or None when the column has no split."""
    if numeric(x):
        v = x.to_numpy(float)
        ts = quantile_thresholds(v, n_thresholds)
        below = np.searchsorted(ts, v, side="right")  # the thresholds at or below each row: t_j splits off < j + 1
        ks = np.cumsum(np.bincount(below, minlength=len(ts) + 1))[:len(ts)]  # rows left of each threshold
        keep = (ks > 0) & (ks < len(v))
        if not keep.any():
            return None
        ts = ts[keep]

        def left(a):
            return np.cumsum(group_sums(below, len(keep) + 1, a), 0)[:len(keep)][keep]

        return left(D), [left(a)[:, None] for a in sums], \
            lambda k: {"column": x.name, "kind": "min", "value": float(ts[k])}
    cats, inv = np.unique(x.astype(str).to_numpy(), return_inverse=True)
    k = len(cats)
    if k < 2:
        return None
    per_cat = [np.bincount(inv, a, k) for a in sums]
    cd = group_sums(inv, k, D)
    order = np.argsort(cd / np.where(per_cat[0] > 0, per_cat[0], 1)[:, None], axis=0, kind="stable")  # by rate
    left = [np.cumsum(c[order], 0)[:-1] for c in per_cat]
    return np.cumsum(np.take_along_axis(cd, order, 0), 0)[:-1], left, \
        lambda top: {"column": x.name, "kind": "in", "value": sorted(cats[order[top + 1:, 0]].tolist())}


def scan(frame: pd.DataFrame, D, info, var, columns, n_thresholds, min_info, info_min=None):
    """Best split for each outcome replicate (columns of D = w (p - y), the observed one first).
    info = w p b, var = w^2 Var(y) under the node's null. Returns (max z^2 per replicate, observed best rule,
    its signed rate difference). `info_min` (rows x 1 array) is the information a side must hold, default info."""
    R = D.shape[1]
    im = info if info_min is None else info_min
    I_t, D_t, V_t, M_t = info.sum(), D.sum(0), var.sum(), im.sum()
    best = np.zeros(R)
    rule, diff = None, 0.0
    for col in columns:
        found = column_sums(frame[col], D, (info, var, im), n_thresholds)
        if found is None:
            continue
        left_d, (left_i, left_v, left_m), rule_of = found
        z2, dd = _z2(I_t - left_i, D_t - left_d, V_t - left_v, I_t, D_t, V_t, 0.0)
        z2 = np.where((M_t - left_m >= min_info) & (left_m >= min_info), z2, 0.0)
        top = z2.argmax(0)
        zmax = z2[top, np.arange(R)]
        if zmax[0] > best[0]:
            rule, diff = rule_of(top[0]), float(dd[top[0], 0])
        best = np.maximum(best, zmax)
    return best, rule, diff


def apply_split(rule: dict, frame: pd.DataFrame) -> np.ndarray:
    """True for the rows on the split's right side (x >= value, or x in the categories)."""
    x = frame[rule["column"]]
    if rule["kind"] == "min":
        return x.to_numpy(float) >= rule["value"]
    return np.isin(x.astype(str).to_numpy(), rule["value"])


def null_outcomes(p, y, w, b, n_null, rng):
    """(D, info, var): the observed outcome and n_null draws under one theta in the node (the ratio estimate),
    y* ~ Bern(p (1 - b theta)), with each row's information and null variance."""
    theta, _ = rate(p, y, w, b)
    q = p * (1 - np.clip(b * theta, 0, 1))
    D = np.empty((len(p), n_null + 1))  # filled in place: at a million customers each copy is a gigabyte
    D[:, 0] = y
    D[:, 1:] = rng.random((len(p), n_null)) < q[:, None]
    np.subtract(p[:, None], D, out=D)
    D *= w[:, None]
    return D, w * p * b, w ** 2 * q * (1 - q)


def null_p_value(stats: np.ndarray) -> float:
    """The guard's p-value: the share of the null draws (stats[1:]) whose statistic reaches the observed one
    (stats[0]), the observed counted among them."""
    return float((1 + (stats[1:] >= stats[0]).sum()) / len(stats))
