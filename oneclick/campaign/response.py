"""Whom a campaign's offers moved: per offer, the Qini curve of the plan's ranking on its randomized customers with
a bootstrap band, and whether the save rate differs across the customers (the save-rate learner's guarded split
search on this campaign alone). The read-out's (oneclick/campaign/readout.py) view of who responds."""

import numpy as np
import pandas as pd

from oneclick.campaign.save_rates import uplift_columns
from oneclick.campaign.uplift import _rule_text, fit, leaves

DIGITS = 4
QINI_POINTS = 10  # fractions of an offer's customers at which the Qini curve is given


def qini_curve(saving, kept, treated, fractions) -> np.ndarray:
    """kept_T(f) - kept_C(f) N_T(f) / N_C(f) at each fraction f of the customers, ranked by `saving` (highest
    first, ties in the order given); NaN where no control customer is among them yet."""
    order = np.argsort(-np.asarray(saving, dtype=float), kind="stable")
    k, t = np.asarray(kept, dtype=float)[order], np.asarray(treated, dtype=bool)[order]
    n_t, n_c, y_t, y_c = np.cumsum(t), np.cumsum(~t), np.cumsum(k * t), np.cumsum(k * ~t)
    at = np.maximum(np.ceil(np.asarray(fractions) * len(k)).astype(int) - 1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_c[at] > 0, y_t[at] - y_c[at] * n_t[at] / np.maximum(n_c[at], 1), np.nan)


def qini(table: pd.DataFrame, resamples: int = 200, seed: int = 0) -> pd.DataFrame:
    """Per offer the Qini curve of the plan's ranking on its randomized customers (treated and control): the
    customers kept beyond the control group's rate among the share f of them the plan ranked first (by its
    expected saving, probability x save rate x value at stake; qini_curve), with a 5-95 % band over bootstrap
    resamples of the customers. A curve above the straight line to its end (`random`) means the plan's order put
    the customers the offer moves first."""
    rows = []
    rng = np.random.default_rng(seed)
    fractions = np.arange(1, QINI_POINTS + 1) / QINI_POINTS
    for offer, group in table[table["contact"]].sort_values("id").groupby("offer", sort=True):
        saving = (group["expected_profit"] + group["offer_cost"].fillna(0)).to_numpy(float)
        kept = 1 - group["declined"].to_numpy(float)
        treated = group["treated"].to_numpy(bool)
        main = qini_curve(saving, kept, treated, fractions)
        boot = []
        for _ in range(resamples):
            pick = rng.integers(0, len(group), len(group))
            boot.append(qini_curve(saving[pick], kept[pick], treated[pick], fractions))
        boot = np.array(boot)
        bands = [np.quantile(col[~np.isnan(col)], [0.05, 0.95]) if (~np.isnan(col)).any() else (np.nan, np.nan)
                 for col in boot.T]
        low, high = np.array(bands).T
        for f, q, lo, hi in zip(fractions, main, low, high, strict=True):
            rows.append({"offer": offer, "fraction": round(float(f), 4), "qini": round(float(q), DIGITS),
                         "low": round(float(lo), DIGITS), "high": round(float(hi), DIGITS),
                         "random": round(float(main[-1] * f), DIGITS)})
    return pd.DataFrame(rows, columns=["offer", "fraction", "qini", "low", "high", "random"])


def heterogeneity(table: pd.DataFrame, offers: dict, seed: int) -> dict:
    """Per offer: does its save rate differ across the customers of this campaign? The guarded split search of
    oneclick/campaign/uplift.py on the campaign's treated customers: the split it found (where and the two rates),
    or the best candidate's p-value against one rate for all."""
    if not table["treated"].any():
        return {}
    priors = {name: offer["save_rate"] for name, offer in offers.items()}
    model = fit(table, priors, uplift_columns(table), seed=seed)
    out = {}
    for name, fitted in model["offers"].items():
        tree = fitted["tree"]
        candidate = tree.get("candidate", {})
        if "split" in tree:
            where = [" and ".join(_rule_text(r, s) for r, s in node["path"]) for node in leaves(tree)]
            rates = [round(float(leaf["mean"]), DIGITS) for leaf in fitted["leaves"]]
            out[name] = {"differs": True, "p_value": candidate.get("p_value"),
                         "groups": dict(zip(where, rates, strict=True))}
        else:
            out[name] = {"differs": False, "p_value": candidate.get("p_value"), "alpha": model["options"]["alpha"]}
    return out
