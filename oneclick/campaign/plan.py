"""The campaign plan: who to contact, with which offer, at what cost, for what expected return.

Money is in thousand roubles over the prediction's horizon. For customer i with calibrated probability p_i of
buying less and monthly profit profit_i:

- value at stake V_i = profit_i x horizon_months x loss_share: what buying less costs the store;
- expected profit of contacting i with offer o: E_io = p_i s_o V_i - cost_o - contact_cost, with s_o the mean
  of the offer's save-rate Beta (prior, or posterior after read-outs);
- each customer gets the eligible offer with the highest E_io (ties: the offer listed first), and is contacted
  when that E is above 0, highest E first, within the budget;
- a seeded share of the contacted customers is the control group: planned, but the offer is withheld, so a
  read-out can measure what the offer does. The draw depends on the customer's id only, so a customer is in
  the same arm on every run and in every export.

The segment stage (known customers), predict (new customers) and the campaign simulation all call `make_plan`,
so a plan means the same thing everywhere.
"""

import numpy as np
import pandas as pd

from oneclick.campaign.offers import eligibility

COLUMNS = ["id", "probability", "profit", "value_at_stake", "offer", "offer_text", "offer_cost", "save_rate",
           "expected_profit", "contact", "control"]
NO_OFFER = "none"  # a customer no offer is open to
DIGITS = 6


def value_at_stake(profit, spec: dict):
    """Thousand roubles a customer's buying less costs over the horizon."""
    return profit * spec["horizon_months"] * spec["loss_share"]


def uniform_of_id(ids, seed: int) -> np.ndarray:
    """A number in [0, 1) per customer id, from the id and the seed alone (SplitMix64): the same id and seed
    give the same number on any machine and in any export, whatever other customers there are."""
    with np.errstate(over="ignore"):
        z = np.asarray(ids, dtype=np.int64).astype(np.uint64) + np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(2**53)


def expected_profits(customers: pd.DataFrame, spec: dict, offers: pd.DataFrame) -> np.ndarray:
    """customers x offers: E_io, -inf where the offer is closed to the customer (not eligible, not in the plan)."""
    v = value_at_stake(customers["profit"].to_numpy(float), spec)
    p = customers["probability"].to_numpy(float)
    e = (p * v)[:, None] * offers["save_rate"].to_numpy(float)[None, :] \
        - offers["cost"].to_numpy(float)[None, :] - spec["contact_cost"]
    open_ = eligibility(customers, spec) & offers["in_plan"].to_numpy(bool)[None, :]
    return np.where(open_, e, -np.inf)


def contact_order(table: pd.DataFrame) -> np.ndarray:
    """Row positions by expected profit, highest first (ties: lower id first)."""
    return np.lexsort((table["id"].to_numpy(), -table["expected_profit"].fillna(-np.inf).to_numpy()))


def select_contacts(table: pd.DataFrame, spec: dict) -> np.ndarray:
    """Contact every customer whose best E is above 0, highest E first, while the budget lasts: at most
    `budget.contacts` customers and `budget.spend` thousand roubles of offer and contact costs (counted for every
    selected customer, control group included; a customer who does not fit the money left is skipped)."""
    budget = spec.get("budget") or {}
    most_contacts, money = budget.get("contacts"), budget.get("spend")
    contact = np.zeros(len(table), dtype=bool)
    cost = (table["offer_cost"] + spec["contact_cost"]).to_numpy(float)
    expected = table["expected_profit"].to_numpy(float)
    chosen, spent = 0, 0.0
    for i in contact_order(table):
        if not expected[i] > 0 or (most_contacts is not None and chosen >= most_contacts):
            break
        if money is not None and spent + cost[i] > money + 1e-9:
            continue
        contact[i], chosen, spent = True, chosen + 1, spent + cost[i]
    return contact


def make_plan(customers: pd.DataFrame, spec: dict, offers: pd.DataFrame) -> pd.DataFrame:
    """The plan for `customers` (id, probability, profit and the columns eligibility rules name). A customer
    without profit (NA) gets a probability and no decision: offer, contact and control stay empty."""
    profit = customers["profit"].to_numpy(float)
    known = ~np.isnan(profit)
    e = expected_profits(customers, spec, offers)
    e = np.where(np.isnan(e), -np.inf, e)
    rows = np.arange(len(customers))
    best = np.argmax(e, axis=1) if len(offers) else np.zeros(len(customers), dtype=int)
    best_e = e[rows, best] if len(offers) else np.full(len(customers), -np.inf)
    has_offer = known & np.isfinite(best_e)

    def pick(column, none_value):
        values = offers[column].to_numpy()[best] if len(offers) else np.full(len(customers), none_value)
        return pd.Series(np.where(has_offer, values, none_value), dtype=object).where(known, None)

    table = pd.DataFrame({"id": customers["id"].to_numpy(), "probability": customers["probability"].to_numpy(float),
                          "profit": profit, "value_at_stake": value_at_stake(profit, spec)})
    table["offer"] = pick("offer", NO_OFFER).astype("str")
    table["offer_text"] = pick("text", "no offer is open to this customer").astype("str")
    table["offer_cost"] = pick("cost", 0.0).astype(float)
    table["save_rate"] = pick("save_rate", 0.0).astype(float)
    table["expected_profit"] = np.where(has_offer, best_e, np.nan)
    contact = select_contacts(table.fillna({"offer_cost": 0.0}), spec)
    control = contact & (uniform_of_id(table["id"], spec["control"]["seed"]) < spec["control"]["share"])
    table["contact"] = pd.array(np.where(known, contact, False), dtype="boolean")
    table["control"] = pd.array(np.where(known, control, False), dtype="boolean")
    table.loc[~known, ["contact", "control"]] = pd.NA
    return table[COLUMNS]


def rounded(plan: pd.DataFrame) -> pd.DataFrame:
    """The plan as written to CSV: probabilities and money to 6 decimals (the last bits differ between CPUs)."""
    return plan.round({c: DIGITS for c in ("probability", "profit", "value_at_stake", "offer_cost", "save_rate",
                                           "expected_profit")})
