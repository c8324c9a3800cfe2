"""What a plan costs and would earn, and how sure that is: totals with ranges, break-even save rates, what-ifs,
the power of its control group, what learning costs and is worth, and why it contacts nobody when it does.

Money in thousand roubles over the horizon. The expected profit counts the treated customers (contacted and
not in the control group): the control group is planned but gets nothing, costs nothing and saves nothing.

The ranges (5-95 %) hold two kinds of uncertainty: what the save rates are (each offer's rate drawn from its pooled
Beta, every customer's own rate scaled with it) and chance in who buys less and who is kept (for each draw, every
treated customer declines with their probability and is kept with their save rate, by simulation).
"""

import math

import numpy as np
import pandas as pd
from scipy.special import betainc, betaincinv

from oneclick.campaign.offers import eligibility
from oneclick.campaign.plan import make_plan, value_at_stake
from oneclick.stats import mean_interval, power_of, size_factor

DIGITS = 4
QUANTILES = (0.05, 0.95)
CHUNK = 2_000_000  # draws x customers simulated at a time
VOI_DRAWS = 200  # save-rate draws the value of information averages over (each a best plan for every customer)


def _arms(plan: pd.DataFrame):
    contact = plan["contact"].fillna(False).to_numpy(bool)
    control = plan["control"].fillna(False).to_numpy(bool)
    return contact, control, contact & ~control


def _money(value: float) -> float:
    return round(float(value), DIGITS)


def scales(draws: np.ndarray, offers: pd.DataFrame) -> np.ndarray:
    """draws x offers: each drawn save rate over the offer's mean, the factor every customer's own rate is scaled
    by in that draw."""
    return draws / np.maximum(offers["save_rate"].to_numpy(float), 1e-12)[None, :]


def _offer_index(plan: pd.DataFrame, offers: pd.DataFrame) -> np.ndarray:
    return plan["offer"].map({n: i for i, n in enumerate(offers["offer"])}).fillna(0).astype(int).to_numpy()


def draw_chunks(draws: int, customers: int) -> list[slice]:
    """The draws taken at a time so that draws x customers stays within CHUNK."""
    step = max(1, CHUNK // max(customers, 1))
    return [slice(start, start + step) for start in range(0, draws, step)]


def outcome_seed(spec: dict, offers: pd.DataFrame, figure: str, j: int = 0) -> int:
    """The seed of one figure's simulated outcomes, one stream per figure so that no two share their draws: the
    whole plan, each offer `j`, the two what-ifs `j`, the control group's forgone profit, exploration's profit."""
    n = len(offers)
    return spec["seed"] + {"plan": 0, "offer": 1 + j, "what_if": 1 + n + j, "forgone": 3 + n, "explored": 4 + n}[figure]


def simulated_profits(plan: pd.DataFrame, offers: pd.DataFrame, spec: dict, draws: np.ndarray, seed: int,
                      mask: np.ndarray | None = None) -> np.ndarray:
    """Per draw of the save rates, the profit the treated customers (within `mask`) realize in one simulated
    outcome: each declines with their probability and is then kept with their save rate (scaled by the draw);
    minus every offer and contact cost."""
    _, _, treated = _arms(plan)
    treated = treated & (True if mask is None else mask)
    p = plan["probability"].to_numpy(float)[treated]
    s = plan["save_rate"].fillna(0.0).to_numpy(float)[treated]
    v = plan["value_at_stake"].to_numpy(float)[treated]
    cost = float((plan["offer_cost"].fillna(0.0) + spec["contact_cost"]).to_numpy(float)[treated].sum())
    factor, index = scales(draws, offers), _offer_index(plan, offers)[treated]
    rng = np.random.default_rng(seed)
    out = np.empty(len(draws))
    for chunk in draw_chunks(len(draws), len(p)):
        rate = p[None, :] * np.clip(s[None, :] * factor[chunk, index], 0.0, 1.0)
        kept = rng.random(rate.shape) < rate
        out[chunk] = (kept * v[None, :]).sum(axis=1) - cost
    return out


def break_even(offer: pd.Series, saving: float, cost: float) -> tuple[float | None, float | None]:
    """(the offer's break-even save rate, the chance it does not pay) for its planned customers: the save rate of
    the offer (every customer's own rate scaled with it, as in the ranges) at which their expected saving equals
    what sending it costs them, and the probability under the offer's Beta that its rate is below that."""
    if not saving > 0:
        return None, None
    rate = offer["save_rate"] * cost / saving
    return round(float(rate), DIGITS), round(float(betainc(offer["alpha"], offer["beta"], min(rate, 1.0))), DIGITS)


def totals(plan: pd.DataFrame, offers: pd.DataFrame, spec: dict, draws: np.ndarray) -> dict:
    """Contacts, spend and expected profit (with its 5-95 % range over the save rates and the outcomes; and over
    the save rates alone), overall and per offer; the price of learning (the control group's and exploration's,
    with its range over the same two)."""
    contact, control, treated = _arms(plan)
    explored = plan["explored"].fillna(False).to_numpy(bool) if "explored" in plan else np.zeros(len(plan), bool)
    saving = (plan["probability"] * plan["save_rate"].fillna(0.0) * plan["value_at_stake"]).fillna(0.0).to_numpy(float)
    cost = (plan["offer_cost"].fillna(0.0) + spec["contact_cost"]).to_numpy(float)
    index = _offer_index(plan, offers)
    factor = scales(draws, offers)
    expected = plan["expected_profit"].fillna(0.0).to_numpy(float)

    def figures(mask, seed):
        rows = treated & mask
        rates_only = np.concatenate([(factor[chunk, index[rows]] * saving[rows][None, :]).sum(axis=1)
                                     for chunk in draw_chunks(len(draws), int(rows.sum()))] or [np.zeros(0)]) \
            - cost[rows].sum()
        both = simulated_profits(plan, offers, spec, draws, seed, mask)
        low, high = np.quantile(both, QUANTILES) if len(draws) else (0.0, 0.0)
        r_low, r_high = np.quantile(rates_only, QUANTILES) if len(draws) else (0.0, 0.0)
        return {"contacts": int((contact & mask).sum()), "treated": int(rows.sum()),
                "control": int((control & mask).sum()), "explored": int((explored & contact & mask).sum()),
                "explored_treated": int((explored & treated & mask).sum()),
                "spend": _money(cost[rows].sum()), "expected_profit": _money(expected[rows].sum()),
                "expected_profit_low": _money(low), "expected_profit_high": _money(high),
                "save_rates_only_low": _money(r_low), "save_rates_only_high": _money(r_high),
                "control_forgone_profit": _money(expected[control & mask & ~explored].sum()),
                "exploration_cost": _money(-expected[treated & explored & mask].sum())}

    out = figures(np.ones(len(plan), dtype=bool), outcome_seed(spec, offers, "plan"))
    out["price_of_learning"] = _money(out["control_forgone_profit"] + out["exploration_cost"])
    # its range: what the planned control customers would earn treated, minus what the explored treated ones
    # earn, on the same draws of the save rates (the two groups' outcomes are independent)
    forgone = simulated_profits(plan.assign(control=False), offers, spec, draws,
                                outcome_seed(spec, offers, "forgone"), control & ~explored)
    explored_profit = simulated_profits(plan, offers, spec, draws, outcome_seed(spec, offers, "explored"), explored)
    for key, values in (("price_of_learning", forgone - explored_profit), ("control_forgone_profit", forgone),
                        ("exploration_cost", -explored_profit)):
        low, high = np.quantile(values, QUANTILES) if len(draws) else (0.0, 0.0)
        out[f"{key}_low"], out[f"{key}_high"] = _money(low), _money(high)
    out["offers"] = {}
    for j, name in enumerate(offers["offer"]):
        mine = (plan["offer"] == name).fillna(False).to_numpy(bool)
        entry = figures(mine, outcome_seed(spec, offers, "offer", j))
        entry["save_rate"] = round(float(offers.loc[j, "save_rate"]), DIGITS)
        entry["break_even_save_rate"], entry["chance_it_does_not_pay"] = break_even(
            offers.loc[j], saving[treated & mine].sum(), cost[treated & mine].sum())
        out["offers"][name] = entry
    return out


def what_if(customers: pd.DataFrame, spec: dict, offers: pd.DataFrame, rates: np.ndarray, draws: np.ndarray) -> dict:
    """The plan made again under two other views of the world: every offer's save rate at the 5 % quantile of its
    Beta (each customer's rate scaled alike), and every probability halfway to the base rate (the model twice as
    unsure). Contacts and the expected profit it would then count on, with its 5-95 % range: over chance in who
    buys less and who is kept with the save rates held at that quantile; over the save rates (`draws`) and chance
    with the probabilities shrunk."""
    low = betaincinv(offers["alpha"].to_numpy(float), offers["beta"].to_numpy(float), 0.05)
    shrunk = customers.assign(probability=(customers["probability"] + customers["probability"].mean()) / 2)
    low_offers = offers.assign(save_rate=low)
    cases = {"save_rates_at_5_percent": (customers, low_offers, rates * scales(low[None, :], offers),
                                         np.tile(low, (len(draws), 1))),
             "probabilities_toward_base_rate": (shrunk, offers, rates, draws)}
    out = {}
    for k, (name, (case_customers, case_offers, case_rates, case_draws)) in enumerate(cases.items()):
        plan = make_plan(case_customers, spec, case_offers, case_rates)
        _, _, treated = _arms(plan)
        profits = simulated_profits(plan, case_offers, spec, case_draws, outcome_seed(spec, offers, "what_if", k))
        low_profit, high_profit = np.quantile(profits, QUANTILES) if len(profits) else (0.0, 0.0)
        out[name] = {"contacts": int(plan["contact"].fillna(False).sum()),
                     "expected_profit": _money(plan["expected_profit"].fillna(0.0).to_numpy(float)[treated].sum()),
                     "expected_profit_low": _money(low_profit), "expected_profit_high": _money(high_profit)}
    return out


def power(plan: pd.DataFrame, alpha: float, target: float, offers: list[str], min_per_arm: int,
          drawn_with_offer: np.ndarray | None = None) -> dict:
    """Can the control group tell? Decline rates expected without and with the offers (calibrated probabilities
    and each customer's save rate), the power of this campaign's arms, and how many campaigns of this size it takes
    to reach `target` power with at least `min_per_arm` customers in each arm (what a read-out needs before it
    calls a null result); overall and for every offer, "not planned" where an offer has no arm. With
    `drawn_with_offer` (with_offer_draws), the overall decline rate with the offers and the power get their
    5-95 % ranges over the save rates."""
    contact, control, treated = _arms(plan)

    def figures(mask):
        n_control, n_treated = int((control & mask).sum()), int((treated & mask).sum())
        p = plan["probability"].to_numpy(float)[contact & mask]
        s = plan["save_rate"].fillna(0.0).to_numpy(float)[contact & mask]
        if n_control == 0 or n_treated == 0:
            return {"control": n_control, "treated": n_treated, "power": None, "campaigns_needed": None,
                    "planned": bool(n_control or n_treated)}
        without, with_offer = float(p.mean()), float((p * (1 - s)).mean())
        factor = size_factor(without, n_control, with_offer, n_treated, alpha, target)
        arms = math.ceil(min_per_arm / min(n_control, n_treated))
        needed = max(1, math.ceil(factor), arms) if math.isfinite(factor) else None
        return {"control": n_control, "treated": n_treated, "decline_rate_without_offer": round(without, DIGITS),
                "decline_rate_with_offer": round(with_offer, DIGITS),
                "power": round(power_of(without, n_control, with_offer, n_treated, alpha), DIGITS)
                if min(n_control, n_treated) >= min_per_arm else 0.0,
                "campaigns_needed": needed, "planned": True}

    overall = figures(np.ones(len(plan), dtype=bool))
    if drawn_with_offer is not None and len(drawn_with_offer) and overall["power"] is not None:
        without = float(plan["probability"].to_numpy(float)[contact].mean())
        n_control, n_treated = overall["control"], overall["treated"]
        powers = [power_of(without, n_control, rate, n_treated, alpha) for rate in drawn_with_offer] \
            if min(n_control, n_treated) >= min_per_arm else [0.0]
        for key, values in (("decline_rate_with_offer", drawn_with_offer), ("power", powers)):
            low, high = np.quantile(values, QUANTILES)
            overall[f"{key}_low"], overall[f"{key}_high"] = round(float(low), DIGITS), round(float(high), DIGITS)
    out = {"alpha": alpha, "target_power": target, "min_per_arm": min_per_arm, **overall, "offers": {}}
    for name in offers:
        out["offers"][name] = figures((plan["offer"] == name).fillna(False).to_numpy(bool))
    return out


def with_offer_draws(plan: pd.DataFrame, offers: pd.DataFrame, draws: np.ndarray) -> np.ndarray:
    """Per save-rate draw (`draws`), the decline rate expected with the offers among the customers to contact
    (power's `decline_rate_with_offer` at that draw): each customer's rate scaled by the draw and clipped to
    [0, 1], as the simulated outcomes take it. Per offer the customers sorted by rate, so that a draw's factor f
    splits them at rate 1 / f (below: p s f kept, above: p): a search per offer and draw, not per customer."""
    contact, _, _ = _arms(plan)
    if not contact.any():
        return np.zeros(len(draws))
    p = plan["probability"].to_numpy(float)[contact]
    s = plan["save_rate"].fillna(0.0).to_numpy(float)[contact]
    index = _offer_index(plan, offers)[contact]
    kept = np.zeros(len(draws))
    for j, factor in enumerate(scales(draws, offers).T):
        mine = index == j
        order = np.argsort(s[mine], kind="stable")
        rates, probabilities = s[mine][order], p[mine][order]
        below = np.r_[0.0, np.cumsum(probabilities * rates)]  # sum of p s over the k lowest rates
        above = probabilities.sum() - np.r_[0.0, np.cumsum(probabilities)]  # sum of p over the others
        with np.errstate(divide="ignore"):
            k = np.searchsorted(rates, 1 / np.maximum(factor, 0.0), side="left")
        kept += np.maximum(factor, 0.0) * below[k] + above[k]
    return p.mean() - kept / len(p)


def value_of_information(customers: pd.DataFrame, plan: pd.DataFrame, spec: dict, offers: pd.DataFrame,
                         rates: np.ndarray, draws: np.ndarray) -> tuple[float, float, float]:
    """What not knowing the save rates costs the plan (the expected value of perfect information), thousand
    roubles: over draws of the rates, the mean of the profit the best plan for that draw would earn minus what this
    plan's targeting earns under it (its planned customers all treated: the control group and exploration, which
    are the price of learning, and the budget aside). It falls as read-outs narrow the posteriors. With the 95 %
    interval of that mean over the draws (a Monte Carlo error: the figure is an expectation, estimated)."""
    open_ = eligibility(customers, spec) & offers["in_plan"].to_numpy(bool)[None, :] \
        & ~customers["profit"].isna().to_numpy()[:, None]
    pv = (customers["probability"] * value_at_stake(customers["profit"], spec)).fillna(0.0).to_numpy(float)
    cost = offers["cost"].to_numpy(float)[None, :] + spec["contact_cost"]
    contact, _, _ = _arms(plan)
    planned = contact & ~plan["explored"].fillna(False).to_numpy(bool)
    rows = np.flatnonzero(planned)
    chosen = _offer_index(plan, offers)[rows]
    # offers x customers, each offer's row contiguous, one array reused by every draw: a million customers'
    # best offer is then K - 1 element-wise maxima rather than a million short reductions
    by_offer, closed, cost = np.ascontiguousarray(rates.T), np.ascontiguousarray(~open_.T), cost.T
    gaps, e = [], np.empty(by_offer.shape)
    for factor in scales(draws, offers):
        np.clip(np.multiply(by_offer, factor[:, None], out=e), 0, 1, out=e)
        e *= pv[None, :]
        e -= cost
        ours = e[chosen, rows].sum()
        np.copyto(e, -np.inf, where=closed)
        gaps.append(np.maximum(e.max(axis=0, initial=-np.inf), 0.0).sum() - ours)
    if not gaps:
        return 0.0, 0.0, 0.0
    low, high = mean_interval(gaps)
    return _money(np.mean(gaps)), _money(low), _money(high)


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


def summarize(customers: pd.DataFrame, plan: pd.DataFrame, spec: dict, offers: pd.DataFrame, draws: np.ndarray,
              rates: np.ndarray, min_per_arm: int, prior_draws: np.ndarray | None = None) -> dict:
    """metrics/campaign.json's plan part: totals, per offer, what-ifs, power, the price and the value of learning,
    and why nobody if nobody. `draws` (offers.save_rate_draws of the posteriors) give the ranges; `prior_draws`
    (of the params priors) the value of information before any campaign, beside today's."""
    out = {**totals(plan, offers, spec, draws), "customers": int(len(plan)),
           "customers_without_profit": int(plan["profit"].isna().sum()),
           "assumptions": {k: spec[k] for k in ("horizon_months", "loss_share", "contact_cost")}
           | {"control_share": spec["control"]["share"], "explore_share": spec["explore"]["share"],
              "campaign": spec["name"]}}
    voi = "value_of_information"
    out[voi], out[f"{voi}_low"], out[f"{voi}_high"] = value_of_information(customers, plan, spec, offers, rates,
                                                                          draws[:VOI_DRAWS])
    out[f"{voi}_draws"] = int(min(len(draws), VOI_DRAWS))
    if prior_draws is not None:
        prior_offers = offers.assign(save_rate=offers["alpha"] / (offers["alpha"] + offers["beta"]))
        before = f"{voi}_before_any_campaign"
        out[before], out[f"{before}_low"], out[f"{before}_high"] = value_of_information(
            customers, plan, spec, prior_offers, rates, prior_draws[:VOI_DRAWS])
    out["what_if"] = what_if(customers, spec, offers, rates, draws)
    out["power"] = power(plan, spec["power"]["alpha"], spec["power"]["power"], offers["offer"].tolist(), min_per_arm,
                         with_offer_draws(plan, offers, draws))
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
    saving = (ordered["probability"] * ordered["save_rate"] * ordered["value_at_stake"]).to_numpy(float)
    cost = (ordered["offer_cost"] + spec["contact_cost"]).to_numpy(float)
    index = _offer_index(ordered, offers)
    step = max(1, -(-len(ordered) // points))
    at = np.unique(np.r_[np.arange(step - 1, len(ordered), step), len(ordered) - 1])
    gains = np.column_stack([np.cumsum(np.where(index == j, saving, 0.0))[at] for j in range(len(offers))])
    spent = np.cumsum(cost)[at]
    band = scales(draws, offers) @ gains.T - spent[None, :]  # draws x points
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
