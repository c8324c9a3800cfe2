"""The offer catalogue of params `campaign.offers`: cost, save-rate prior, and who may get each offer.

An offer's save rate is the chance that it keeps a customer who would otherwise buy less. It is uncertain, so
params give a prior Beta(alpha, beta) per offer; read-outs of past campaigns turn it into a posterior
(oneclick/campaign/readout.py, metrics/save_rates.json). An eligibility rule names model-table columns (or
`profit`) with `min`, `max` (inclusive) or `in` (a list of categories); a customer may get the offer when every
condition holds.
"""

import numpy as np
import pandas as pd
from scipy.special import betaincinv

from oneclick.common.checks import NAME, NAME_RULE, SEED, Names, get, number, require, section, text
from oneclick.data.columns import FEATURES, MARKET_FILE

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


# columns an eligibility rule may name: the model table's, and profit
RULE_COLUMNS = FEATURES + ["profit"]
CATEGORIES = {c.name: list(c.categories) for c in MARKET_FILE.columns if c.categories}
KEYS = {"name": None, "horizon_months": None, "loss_share": None, "contact_cost": None, "draws": None, "seed": None,
        "budget": {"contacts", "spend"}, "control": {"share", "seed"}, "explore": {"share"},
        "power": {"alpha", "power"},
        "offers": Names({"text": None, "cost": None, "eligible": None, "save_rate": {"alpha", "beta"}})}


def check_params(params: dict) -> None:
    """The economics of `campaign` and every offer."""
    section(params, "campaign", KEYS)
    require(isinstance(get(params, "campaign.name"), str) and NAME.match(get(params, "campaign.name")) is not None,
            "campaign.name", f"must be a name of {NAME_RULE} (the arms are drawn from it)")
    number(params, "campaign.horizon_months", 1, 120, integer=True)
    number(params, "campaign.loss_share", 0, 1)
    number(params, "campaign.contact_cost", 0, float("inf"))
    budget = get(params, "campaign.budget")
    require(isinstance(budget, dict) and set(budget) <= {"contacts", "spend"}, "campaign.budget",
            "must be a mapping with contacts and spend (each a number or null)")
    if budget.get("contacts") is not None:
        number(params, "campaign.budget.contacts", 0, 10**9, integer=True)
    if budget.get("spend") is not None:
        number(params, "campaign.budget.spend", 0, float("inf"))
    number(params, "campaign.control.share", 0, 0.9)
    number(params, "campaign.control.seed", 0, SEED, integer=True)
    number(params, "campaign.explore.share", 0, 0.5)
    offers = get(params, "campaign.offers")
    require(isinstance(offers, dict) and offers, "campaign.offers", "must name at least one offer")
    for name in offers:
        key = f"campaign.offers.{name}"
        require(isinstance(offers[name], dict), key, "must be a mapping with text, cost, save_rate, eligible")
        text(params, f"{key}.text")
        number(params, f"{key}.cost", 0, float("inf"))
        for part in ("alpha", "beta"):
            value = get(params, f"{key}.save_rate.{part}")
            require(isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0,
                    f"{key}.save_rate.{part}", f"must be a number above 0 (a Beta prior), got {value!r}")
        _check_rule(params, key, offers[name].get("eligible") or {})
    number(params, "campaign.power.alpha", 0.0001, 0.5)
    number(params, "campaign.power.power", 0.5, 0.9999)
    number(params, "campaign.draws", 10, 100_000, integer=True)
    number(params, "campaign.seed", 0, SEED, integer=True)


def _check_rule(params: dict, key: str, rule) -> None:
    """An offer's eligibility rule: {column: {min, max, in}} over RULE_COLUMNS."""
    require(isinstance(rule, dict), f"{key}.eligible", "must be a mapping {column: {min, max, in}}")
    for column, condition in rule.items():
        where = f"{key}.eligible.{column}"
        require(column in RULE_COLUMNS, where, f"names no column of the model table; one of {RULE_COLUMNS}")
        require(isinstance(condition, dict) and condition and set(condition) <= set(CONDITIONS), where,
                "must be a mapping with min, max and/or in")
        for bound in ("min", "max"):
            if bound in condition:
                number(params, f"{where}.{bound}", float("-inf"), float("inf"))
        if "in" in condition:
            known = CATEGORIES.get(column)
            require(isinstance(condition["in"], list) and condition["in"]
                    and (known is None or set(condition["in"]) <= set(known)), f"{where}.in",
                    f"must be a list of categories{f' from {known}' if known else ''}")
