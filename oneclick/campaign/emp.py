"""The decision metric: expected maximum profit of a targeting rule on customers whose outcome is known.

In the spirit of Verbraken et al. (2013, EMPC): customers are contacted in the plan's order (expected profit,
highest first); for a given save rate of each offer, contacting the first k realizes
P(k) = sum over the first k of (declined_i x s_offer(i) x V_i - offer cost_i - contact cost); the maximum over
k (0 included: contact nobody) is the most the ranking could earn; its mean over draws of the save rates from
their Betas is the expected maximum profit. Reported per 1000 customers, in thousand roubles, so stores and
test parts of any size compare. Customers with equal expected profit are contacted together or not at all
(a threshold rule cannot split them), as a ROC curve's points do.
"""

import numpy as np

from oneclick.stats import bootstrap_means

CHUNK = 4_000_000  # draws x customers evaluated at a time (about 32 MB of floats)
RESAMPLES = 1000  # bootstrap resamples of the customers for the intervals of the realized profits


def _order(order_key, ids) -> np.ndarray:
    """The plan's contact order: expected profit, highest first, ties by id."""
    return np.lexsort((np.asarray(ids), -np.asarray(order_key, dtype=float)))


def profit_curves(declined, value, cost, offer_index, draws: np.ndarray, order_key, ids) -> tuple:
    """(best, best_k): per draw the maximum profit over the allowed contact counts and the count reaching it.

    `order_key` is the plan's expected profit (highest first, ties by id); `offer_index` the column of `draws`
    (draws x offers) holding each customer's offer; `cost` the offer and contact cost per customer."""
    best, best_k = np.zeros(len(draws)), np.zeros(len(draws), dtype=int)
    n = len(np.asarray(ids))
    if n == 0:
        return best, best_k
    order = _order(order_key, ids)
    key = np.asarray(order_key, dtype=float)[order]
    gain = (np.asarray(declined, dtype=float) * np.asarray(value, dtype=float))[order]
    spent = np.cumsum(np.asarray(cost, dtype=float)[order])
    offer = np.asarray(offer_index)[order]
    ends = np.flatnonzero(np.r_[key[1:] != key[:-1], True])  # the last customer of each tie group
    step = max(1, CHUNK // n)
    for start in range(0, len(draws), step):
        rates = draws[start:start + step][:, offer]
        profit = np.cumsum(rates * gain, axis=1)[:, ends] - spent[ends]
        at = np.argmax(profit, axis=1)
        top = profit[np.arange(len(rates)), at]
        best[start:start + step] = np.maximum(top, 0.0)
        best_k[start:start + step] = np.where(top > 0, ends[at] + 1, 0)
    return best, best_k


def customer_shares(declined, value, cost, offer_index, draws: np.ndarray, order_key, ids, best_k) -> np.ndarray:
    """Each customer's share of the expected maximum profit: what they earn in the draws whose best contact count
    reaches them, averaged over the draws (`best_k` from profit_curves). The shares sum to the mean maximum.

    The maximum is a sum over the customers above a threshold of the order, and moving that threshold by a
    customer changes a maximum by nothing to first order, so a bootstrap of the customers on their shares is the
    bootstrap of the maximum to first order, at the cost of one pass instead of one per resample."""
    n = len(np.asarray(ids))
    if n == 0:
        return np.zeros(0)
    order = _order(order_key, ids)
    offer = np.asarray(offer_index)[order]
    # per position: the draws whose best count passes it (their number, and per offer the sum of its save rate)
    reach = np.bincount(best_k, minlength=n + 1)[::-1].cumsum()[::-1][1:]
    rates = np.column_stack([np.bincount(best_k, weights=draws[:, j], minlength=n + 1)[::-1].cumsum()[::-1][1:]
                             for j in range(draws.shape[1])])
    gain = (np.asarray(declined, dtype=float) * np.asarray(value, dtype=float))[order]
    ordered = (gain * rates[np.arange(n), offer] - np.asarray(cost, dtype=float)[order] * reach) / len(draws)
    out = np.empty(n)
    out[order] = ordered
    return out


def expected_maximum_profit(declined, value, cost, offer_index, draws: np.ndarray, order_key, ids,
                            customers: int | None = None) -> dict:
    """EMP per 1000 customers (thousand roubles), the mean share of customers contacted at the maximum, and each
    customer's share of the maximum (customer_shares, in thousand roubles).
    `customers`: the count to scale by (default: the rows given; customers no offer is open to count too)."""
    best, best_k = profit_curves(declined, value, cost, offer_index, draws, order_key, ids)
    total = customers if customers is not None else len(np.asarray(ids))
    return {"emp_per_1000": float(best.mean()) * 1000 / max(total, 1),
            "emp_contact_share": float(best_k.mean()) / max(total, 1),
            "shares": customer_shares(declined, value, cost, offer_index, draws, order_key, ids, best_k)}


def contributions(declined, save_rate, value, cost) -> np.ndarray:
    """Thousand roubles each customer earns if contacted, at the save rates given: one who would have bought less
    is kept with its offer's save rate; every one costs its offer and contact."""
    gain = np.asarray(declined, dtype=float) * np.asarray(save_rate, dtype=float) * np.asarray(value, dtype=float)
    return gain - np.asarray(cost, dtype=float)


def realized_profit(mask, declined, save_rate, value, cost) -> float:
    """Thousand roubles a set of contacted customers (`mask`) earns at the save rates given."""
    return float(contributions(declined, save_rate, value, cost)[np.asarray(mask, dtype=bool)].sum())


def on_known_outcomes(plan, declined, priority, draws: np.ndarray, offer_names: list[str], contact_cost: float,
                      seed: int = 0) -> dict:
    """The plan on customers whose outcome is known (the test part): its expected maximum profit, and the profit
    it realizes at the save rates' means against three simpler rules under the same economics: contact everyone
    with their best offer, everyone with probability >= 0.5, the priority (high-risk, high-profit) segment only.
    Each profit, and the plan's minus each rule's, has a 95 % bootstrap interval over the customers (paired: the
    same resamples), at the save rates used: it covers which customers were there, not the save rates. The EMP's
    interval is the same bootstrap of the customers' shares of it (customer_shares)."""
    has_offer = plan["expected_profit"].notna().to_numpy()
    cost = (plan["offer_cost"].fillna(0.0) + contact_cost).to_numpy(float)
    value = plan["value_at_stake"].fillna(0.0).to_numpy(float)
    rate = plan["save_rate"].fillna(0.0).to_numpy(float)
    offer_index = plan["offer"].map({name: i for i, name in enumerate(offer_names)}).fillna(0).astype(int)
    emp = expected_maximum_profit(np.asarray(declined)[has_offer], value[has_offer], cost[has_offer],
                                  offer_index.to_numpy()[has_offer], draws, plan["expected_profit"][has_offer],
                                  plan["id"][has_offer], customers=len(plan))
    rules = {"plan": plan["contact"].fillna(False).to_numpy(bool), "everyone": has_offer,
             "probability_0.5": has_offer & (plan["probability"].to_numpy(float) >= 0.5),
             "priority_segment": has_offer & np.asarray(priority, dtype=bool)}
    earned = contributions(declined, rate, value, cost)
    realized = {name: round(float(earned[mask].sum()), 4) for name, mask in rules.items()}
    each = earned[:, None] * np.column_stack(list(rules.values()))
    others = list(rules)[1:]
    shares = np.zeros(len(plan))
    shares[has_offer] = emp["shares"]
    # every rule, then the plan minus each other rule, then the customers' shares of the EMP
    terms = np.column_stack([each, each[:, :1] - each[:, 1:], shares])
    low, high = (bound * len(plan) for bound in bootstrap_means(terms, RESAMPLES, seed))
    emp_low, emp_high = (float(bound[-1]) * 1000 / max(len(plan), 1) for bound in (low, high))
    interval = {name: [round(float(low[j]), 4), round(float(high[j]), 4)] for j, name in enumerate(rules)}
    plan_minus = {name: {"difference": round(float(terms[:, j].sum()), 4), "low": round(float(low[j]), 4),
                         "high": round(float(high[j]), 4)} for j, name in enumerate(others, start=len(rules))}
    return {"emp_per_1000": round(emp["emp_per_1000"], 4), "emp_interval": [round(emp_low, 4), round(emp_high, 4)],
            "emp_contact_share": round(emp["emp_contact_share"], 4),
            "customers": int(len(plan)), "realized_profit": realized, "realized_interval": interval,
            "plan_minus": plan_minus, "contacts": {name: int(mask.sum()) for name, mask in rules.items()}}
