"""What would another plan have earned on a past campaign? Off-policy value from its randomized customers.

A past campaign treated customer i with offer o with the probability it recorded (`propensity`: the plan's
customers with 1 - control share, explored ones with their chance x (1 - control share) / eligible offers). For a
new plan that would treat customer i with offer a_i, the inverse-propensity estimate of its value is the sum, over
the customers the campaign treated with exactly a_i, of their reward over their propensity; a customer the new plan
leaves alone is worth 0. The reward of a treated customer is V_i (p_i - y_i) - cost - contact: at the calibrated
probability p_i of buying less untreated, its mean is p_i s_i V_i - cost - contact, the plan's own objective.

Where the new plan gives a customer an offer the campaign could not have given them (a planned customer another
offer than the one planned), the campaign has no data: there the plan's own expected profit stands in (a model's
word, not a measurement), and the share of such contacts is given (`without_support_share`). The interval is a
bootstrap over the campaign's customers.
"""

import numpy as np
import pandas as pd

from oneclick.stats import bootstrap_means

DIGITS = 4


def rewards(table: pd.DataFrame, contact_cost: float) -> np.ndarray:
    """Each customer's reward for the treatment they got (0 unless treated)."""
    v = table["value_at_stake"].to_numpy(float)
    p = table["probability"].to_numpy(float)
    y = table["declined"].to_numpy(float)
    cost = table["offer_cost"].fillna(0.0).to_numpy(float) + contact_cost
    return np.where(table["treated"].to_numpy(bool), v * (p - y) - cost, 0.0)


def supported(table: pd.DataFrame, actions: np.ndarray) -> np.ndarray:
    """True where the campaign could have given the customer the new plan's action: always for no contact; for
    an offer, the planned offer of a planned customer, any eligible offer of one the plan left out when the
    campaign explored (a share of them was explored)."""
    planned = table["contact"].to_numpy(bool) & ~table["explored"].to_numpy(bool)
    explored_any = bool(table["explored"].any())
    same = actions == table["offer"].fillna("").to_numpy(str)
    open_ = table["offers_open"].fillna(0).to_numpy(float) > 0
    return (actions == "none") | np.where(planned, same, explored_any & open_)


def value(table: pd.DataFrame, actions: np.ndarray, expected: np.ndarray, contact_cost: float,
          resamples: int = 400, seed: int = 0) -> dict:
    """What the plan `actions` (an offer name or 'none' per customer of `table`, a read-out's customer table) would
    have earned, thousand roubles per 1000 customers, with its 95 % bootstrap interval: the inverse-propensity
    estimate where the campaign could have done what the plan does, and the plan's own expectation (`expected`:
    each customer's expected profit under the plan) where it could not, whose share of the contacts is given."""
    terms = _terms(table, np.asarray(actions, dtype=str), expected, contact_cost)
    n = len(table)
    (low,), (high,) = (bound * 1000 for bound in bootstrap_means(terms, resamples, seed))
    contacts = np.asarray(actions, dtype=str) != "none"
    without = int((contacts & ~supported(table, np.asarray(actions, dtype=str))).sum())
    return {"per_1000": round(float(terms.mean() * 1000) if n else 0.0, DIGITS), "low": round(float(low), DIGITS),
            "high": round(float(high), DIGITS), "contacts": int(contacts.sum()),
            "without_support": without, "without_support_share": round(without / max(int(contacts.sum()), 1), DIGITS)}


def compare(table: pd.DataFrame, plans: dict[str, tuple[np.ndarray, np.ndarray]], contact_cost: float, seed: int,
            base: str = "plan_that_ran") -> dict:
    """`value` of each named plan ((actions, expected profits)) on the same customers, and each plan minus the
    `base` plan, paired (the same bootstrap resamples)."""
    out = {name: value(table, actions, expected, contact_cost, seed=seed)
           for name, (actions, expected) in plans.items()}
    base_terms = _terms(table, *plans[base], contact_cost)
    n = len(table)
    for name, (actions, expected) in plans.items():
        if name == base:
            continue
        diff = _terms(table, actions, expected, contact_cost) - base_terms
        (low,), (high,) = (bound * 1000 for bound in bootstrap_means(diff, 400, seed))
        out[name][f"minus_{base}"] = {"per_1000": round(float(diff.mean() * 1000) if n else 0.0, DIGITS),
                                      "low": round(float(low), DIGITS), "high": round(float(high), DIGITS)}
    return out


def _terms(table: pd.DataFrame, actions: np.ndarray, expected: np.ndarray, contact_cost: float) -> np.ndarray:
    """Per customer: reward / propensity where the campaign treated them as the plan would, the plan's expected
    profit where the campaign could not have, 0 otherwise."""
    actions = np.asarray(actions, dtype=str)
    got = np.where(table["treated"].to_numpy(bool), table["offer"].fillna("none").to_numpy(str), "none")
    match = (actions != "none") & (actions == got)
    ipw = np.where(match, 1 / table["propensity"].to_numpy(float), 0.0) * rewards(table, contact_cost)
    model = np.where((actions != "none") & ~supported(table, actions), np.nan_to_num(expected), 0.0)
    return ipw + model
