"""The offer catalogue of params `campaign.offers`: cost, save-rate prior, and who may get each offer.

An offer's save rate is the chance that it keeps a customer who would otherwise buy less. It is uncertain, so
params give a prior Beta(alpha, beta) per offer; read-outs of past campaigns turn it into a posterior
(oneclick/readout.py, metrics/save_rates.json). An eligibility rule names model-table columns (or `profit`) with
`min`, `max` (inclusive) or `in` (a list of categories); a customer may get the offer when every condition holds.
"""

import numpy as np
import pandas as pd
from scipy.special import betaincinv

CONDITIONS = ("min", "max", "in")
COLUMNS = ["offer", "text", "cost", "alpha", "beta", "save_rate", "in_plan"]


def catalogue(spec: dict, save_rates: dict | None = None) -> pd.DataFrame:
    """One row per offer of `spec` (params `campaign`), in params order: its cost, the Beta of its save rate
    (the posterior of `save_rates` where there is one, else the prior) with its mean, and whether it may be
    planned (an offer a read-out found harmful or without effect is not)."""
    rows = []
    for name, offer in spec["offers"].items():
        learned = (save_rates or {}).get(name)
        alpha, beta = ((learned["alpha"], learned["beta"]) if learned
                       else (offer["save_rate"]["alpha"], offer["save_rate"]["beta"]))
        rows.append({"offer": name, "text": offer["text"], "cost": float(offer["cost"]), "alpha": float(alpha),
                     "beta": float(beta), "save_rate": alpha / (alpha + beta),
                     "in_plan": bool(learned["in_plan"]) if learned else True})
    return pd.DataFrame(rows, columns=COLUMNS)


def eligible(customers: pd.DataFrame, rule: dict | None) -> np.ndarray:
    """True for each customer who meets every condition of `rule` ({column: {min, max, in}})."""
    ok = np.ones(len(customers), dtype=bool)
    for column, condition in (rule or {}).items():
        values = customers[column]
        if "min" in condition:
            ok &= (values >= condition["min"]).to_numpy()
        if "max" in condition:
            ok &= (values <= condition["max"]).to_numpy()
        if "in" in condition:
            ok &= values.isin(condition["in"]).to_numpy()
    return ok


def eligibility(customers: pd.DataFrame, spec: dict) -> np.ndarray:
    """customers x offers: may the customer get the offer."""
    return np.column_stack([eligible(customers, offer.get("eligible")) for offer in spec["offers"].values()])


def save_rate_draws(offers: pd.DataFrame, draws: int, seed: int) -> np.ndarray:
    """draws x offers save rates from each offer's Beta, by Latin hypercube: each offer's draws are its Beta's
    quantiles at the midpoints of `draws` equal slices, in an order shuffled per offer (seeded), so every offer's
    distribution is covered evenly and the offers vary independently of one another."""
    rng = np.random.default_rng(seed)
    u = (np.arange(draws)[:, None] + 0.5) / draws
    u = np.column_stack([rng.permutation(u[:, 0]) for _ in range(len(offers))]) if len(offers) else u[:, :0]
    return betaincinv(offers["alpha"].to_numpy(float), offers["beta"].to_numpy(float), u)
