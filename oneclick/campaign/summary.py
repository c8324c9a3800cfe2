"""What a plan costs and returns, and how sure that is: totals with intervals over the save-rate priors,
break-even save rates, what-ifs, the power of its control group, and why it contacts nobody when it does.

Money in thousand roubles over the horizon. The expected profit counts the treated customers (contacted and
not in the control group): the control group is planned but gets nothing, costs nothing and saves nothing; what
it would have earned is reported as the price of measuring the offers.
"""

import math

import numpy as np
import pandas as pd

from oneclick.campaign.offers import eligibility
from oneclick.campaign.plan import make_plan, value_at_stake
from oneclick.stats import power_of, size_factor

DIGITS = 4
QUANTILES = (0.05, 0.95)


def _arms(plan: pd.DataFrame):
    contact = plan["contact"].fillna(False).to_numpy(bool)
    control = plan["control"].fillna(False).to_numpy(bool)
    return contact, control, contact & ~control


def _money(value: float) -> float:
    return round(float(value), DIGITS)


def totals(plan: pd.DataFrame, offers: pd.DataFrame, spec: dict, draws: np.ndarray) -> dict:
    """Contacts, spend and expected profit (with its 5-95 % range over the save-rate draws), overall and per offer."""
    contact, control, treated = _arms(plan)
    pv = (plan["probability"] * plan["value_at_stake"]).fillna(0.0).to_numpy(float)
    cost = (plan["offer_cost"].fillna(0.0) + spec["contact_cost"]).to_numpy(float)
    names = offers["offer"].tolist()
    gains = np.array([pv[treated & (plan["offer"] == name).to_numpy()].sum() for name in names])
    spends = np.array([cost[treated & (plan["offer"] == name).to_numpy()].sum() for name in names])
    by_draw = draws * gains[None, :] - spends[None, :]  # draws x offers
    expected = plan["expected_profit"].fillna(0.0).to_numpy(float)

    def figures(mask, column):
        low, high = np.quantile(by_draw[:, column].sum(axis=1), QUANTILES) if len(draws) else (0.0, 0.0)
        return {"contacts": int((contact & mask).sum()), "treated": int((treated & mask).sum()),
                "control": int((control & mask).sum()), "spend": _money(cost[treated & mask].sum()),
                "expected_profit": _money(expected[treated & mask].sum()),
                "expected_profit_low": _money(low), "expected_profit_high": _money(high),
                "control_forgone_profit": _money(expected[control & mask].sum())}

    out = figures(np.ones(len(plan), dtype=bool), slice(None))
    out["offers"] = {}
    for j, name in enumerate(names):
        mine = (plan["offer"] == name).fillna(False).to_numpy(bool)
        entry = figures(mine, [j])
        entry["save_rate"] = round(float(offers.loc[j, "save_rate"]), DIGITS)
        entry["break_even_save_rate"] = (round(float(cost[treated & mine].sum() / gains[j]), DIGITS)
                                         if gains[j] > 0 else None)
        out["offers"][name] = entry
    return out


def what_if(customers: pd.DataFrame, spec: dict, offers: pd.DataFrame) -> dict:
    """The plan again with every cost doubled, and with every save rate halved: contacts and expected profit."""
    doubled = {**spec, "contact_cost": 2 * spec["contact_cost"]}
    cases = {"costs_doubled": (doubled, offers.assign(cost=2 * offers["cost"])),
             "save_rates_halved": (spec, offers.assign(save_rate=offers["save_rate"] / 2))}
    out = {}
    for name, (case_spec, case_offers) in cases.items():
        plan = make_plan(customers, case_spec, case_offers)
        _, _, treated = _arms(plan)
        out[name] = {"contacts": int(plan["contact"].fillna(False).sum()),
                     "expected_profit": _money(plan["expected_profit"].fillna(0.0).to_numpy(float)[treated].sum())}
    return out


def power(plan: pd.DataFrame, alpha: float, target: float) -> dict:
    """Can the control group tell? Decline rates expected without and with the offers (calibrated probabilities
    and the save rates' means), the power of this campaign's arms, and how many campaigns of this size it takes
    to reach `target` power; overall and per offer."""
    contact, control, treated = _arms(plan)

    def figures(mask):
        n_control, n_treated = int((control & mask).sum()), int((treated & mask).sum())
        p = plan["probability"].to_numpy(float)[contact & mask]
        s = plan["save_rate"].fillna(0.0).to_numpy(float)[contact & mask]
        if n_control == 0 or n_treated == 0:
            return {"control": n_control, "treated": n_treated, "power": None, "campaigns_needed": None}
        without, with_offer = float(p.mean()), float((p * (1 - s)).mean())
        factor = size_factor(without, n_control, with_offer, n_treated, alpha, target)
        return {"control": n_control, "treated": n_treated, "decline_rate_without_offer": round(without, DIGITS),
                "decline_rate_with_offer": round(with_offer, DIGITS),
                "power": round(power_of(without, n_control, with_offer, n_treated, alpha), DIGITS),
                "campaigns_needed": max(1, math.ceil(factor)) if math.isfinite(factor) else None}

    out = {"alpha": alpha, "target_power": target, **figures(np.ones(len(plan), dtype=bool)), "offers": {}}
    for name in sorted(set(plan.loc[contact, "offer"])):
        out["offers"][name] = figures((plan["offer"] == name).fillna(False).to_numpy(bool))
    return out


def why_nobody(customers: pd.DataFrame, spec: dict, offers: pd.DataFrame) -> str:
    """Why a plan contacts nobody, in words: per offer open to anyone, the save rate it would need for its best
    customer to pay back its cost, against the save rate assumed."""
    pv = (customers["probability"] * value_at_stake(customers["profit"], spec)).to_numpy(float)
    open_ = eligibility(customers, spec) & offers["in_plan"].to_numpy(bool)[None, :] & ~np.isnan(pv)[:, None]
    parts = []
    for j, row in offers.iterrows():
        if not open_[:, j].any():
            continue
        best = float(np.nanmax(np.where(open_[:, j], pv, np.nan)))
        needed = (row["cost"] + spec["contact_cost"]) / best if best > 0 else math.inf
        parts.append(f"{row['offer']} would need a save rate of at least {needed:.2f} (assumed {row['save_rate']:.2f})")
    if not parts:
        return "no offer is open to any customer (eligibility rules, or no offer left in the plan)"
    return ("no offer pays for any customer: the expected saving p x save rate x value at stake never exceeds "
            "the offer and contact cost; " + "; ".join(parts))


def summarize(customers: pd.DataFrame, plan: pd.DataFrame, spec: dict, offers: pd.DataFrame, draws: np.ndarray) -> dict:
    """metrics/campaign.json's plan part: totals, per offer, what-ifs, power, and why nobody if nobody; `draws`
    (offers.save_rate_draws) give the intervals."""
    out = {**totals(plan, offers, spec, draws), "customers": int(len(plan)),
           "customers_without_profit": int(plan["profit"].isna().sum()),
           "assumptions": {k: spec[k] for k in ("horizon_months", "loss_share", "contact_cost")}
           | {"control_share": spec["control"]["share"]}}
    out["what_if"] = what_if(customers, spec, offers)
    out["power"] = power(plan, spec["power"]["alpha"], spec["power"]["power"])
    if out["contacts"] == 0:
        out["why_nobody"] = why_nobody(customers, spec, offers)
    return out



def profit_curve(plan: pd.DataFrame, offers: pd.DataFrame, spec: dict, draws: np.ndarray, points: int) -> list[dict]:
    """Customers contacted in the plan's order against the cumulative expected profit, with its 5-95 % band over
    the save-rate draws; at most `points` points (every k-th customer, the last one kept)."""
    from oneclick.campaign.plan import contact_order

    ordered = plan.iloc[contact_order(plan)]
    ordered = ordered[ordered["expected_profit"].notna()]
    if ordered.empty:
        return [{"customers": 0, "expected_profit": 0.0, "low": 0.0, "high": 0.0}]
    pv = (ordered["probability"] * ordered["value_at_stake"]).to_numpy(float)
    cost = (ordered["offer_cost"] + spec["contact_cost"]).to_numpy(float)
    index = ordered["offer"].map({n: i for i, n in enumerate(offers["offer"])}).to_numpy(int)
    step = max(1, -(-len(ordered) // points))
    at = np.unique(np.r_[np.arange(step - 1, len(ordered), step), len(ordered) - 1])
    gains = np.column_stack([np.cumsum(np.where(index == j, pv, 0.0))[at] for j in range(len(offers))])
    spent = np.cumsum(cost)[at]
    band = draws @ gains.T - spent[None, :]  # draws x points
    low, high = np.quantile(band, QUANTILES, axis=0)
    expected = np.cumsum(ordered["expected_profit"].to_numpy(float))[at]
    return [{"customers": int(k + 1), "expected_profit": round(float(e), DIGITS), "low": round(float(lo), DIGITS),
             "high": round(float(hi), DIGITS)} for k, e, lo, hi in zip(at, expected, low, high, strict=True)]


def by_segment(plan: pd.DataFrame, segment: pd.Series) -> dict:
    """Per segment (who the customers are): customers, expected loss (sum of p x value at stake: what their
    buying less is expected to cost), and what the plan does there."""
    contact, control, treated = _arms(plan)
    loss = (plan["probability"] * plan["value_at_stake"]).fillna(0.0).to_numpy(float)
    expected = plan["expected_profit"].fillna(0.0).to_numpy(float)
    out = {}
    for name in sorted(segment.dropna().unique()):
        mine = (segment == name).to_numpy()
        offers = plan.loc[mine & contact, "offer"].value_counts().sort_index()
        out[name] = {"customers": int(mine.sum()), "expected_loss": _money(loss[mine].sum()),
                     "contacts": int((mine & contact).sum()),
                     "expected_profit": _money(expected[mine & treated].sum()),
                     "offers": {k: int(v) for k, v in offers.items()}}
    return out
