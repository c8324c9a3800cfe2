"""The campaign plan: who to contact, with which offer, at what cost, for what expected return; and the design
that lets the next read-out learn whom each offer moves.

Money is in thousand roubles over the prediction's horizon. For customer i with calibrated probability p_i of
buying less and monthly profit profit_i:

- value at stake V_i = profit_i x horizon_months x loss_share: what buying less costs the store;
- expected profit of contacting i with offer o: E_io = p_i s_io V_i - cost_o - contact_cost, with s_io the save
  rate the campaign stage learned for that customer and offer (oneclick/campaign/uplift.py; the offer's prior mean
  before any read-out);
- each customer gets the eligible offer with the highest E_io (ties: the offer listed first), and is planned
  when that E is above 0, highest E first, within the budget (which counts what is spent: the treated customers'
  offers and contacts, the control group's nothing);
- exploration: a share `campaign.explore.share` of the customers the plan leaves out, who have an eligible offer,
  get one of those offers at random (a dropped offer stays eligible here, so it can be measured again); each is
  drawn with a chance in proportion to their probability p (the share on average), because only a customer who
  would have bought less shows what an offer does;
- the control group: a share `campaign.control.share` of everyone planned or explored is planned but gets
  nothing, so that a read-out can measure what the offers do, above and below the plan's cut-off.

Every draw is a hash of the campaign's name (`campaign.name`, predict's `--campaign`) and the customer's id: the
same campaign gives the same arms on every run and in every export, the next campaign fresh ones. Each row records
the design: `explored`, `offers_open` (the eligible offers an explored customer was drawn from) and `propensity`,
the probability of the treatment the customer got (an offer, the control group, or nothing), so that a read-out can
weight by it.

The campaign stage (known customers), predict (new customers) and the demo campaign all call `make_plan`, so a
plan means the same thing everywhere.
"""

import hashlib

import numpy as np
import pandas as pd

from oneclick.campaign.offers import eligibility

COLUMNS = ["id", "probability", "profit", "value_at_stake", "offer", "offer_text", "offer_cost", "save_rate",
           "expected_profit", "contact", "control", "explored", "offers_open", "propensity"]
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


def draw(ids, campaign: str, what: str, seed: int) -> np.ndarray:
    """uniform_of_id for one campaign and one purpose (control, explore, offer): a fresh, independent number per
    campaign name, the same on every run of that campaign."""
    key = int.from_bytes(hashlib.sha256(f"{campaign}\n{what}\n{seed}".encode()).digest()[:8], "little") >> 1
    return uniform_of_id(ids, key)


def expected_profits(customers: pd.DataFrame, spec: dict, offers: pd.DataFrame, rates: np.ndarray) -> np.ndarray:
    """customers x offers: E_io at the save rates `rates` (customers x offers), NaN where a customer has no profit."""
    v = value_at_stake(customers["profit"].to_numpy(float), spec)
    p = customers["probability"].to_numpy(float)
    return (p * v)[:, None] * rates - offers["cost"].to_numpy(float)[None, :] - spec["contact_cost"]


def contact_order(table: pd.DataFrame) -> np.ndarray:
    """Row positions by expected profit, highest first (ties: lower id first)."""
    return np.lexsort((table["id"].to_numpy(), -table["expected_profit"].fillna(-np.inf).to_numpy()))


def select_contacts(table: pd.DataFrame, spec: dict, control: np.ndarray) -> np.ndarray:
    """Plan every customer whose best E is above 0, highest E first, while the budget lasts: at most
    `budget.contacts` customers (control group included: they are contacted lists) and `budget.spend` thousand
    roubles of what is spent, the offers and contacts of the treated (a customer who does not fit the money left
    is skipped)."""
    budget = spec.get("budget") or {}
    most_contacts, money = budget.get("contacts"), budget.get("spend")
    planned = np.zeros(len(table), dtype=bool)
    cost = np.where(control, 0.0, (table["offer_cost"] + spec["contact_cost"]).to_numpy(float))
    expected = table["expected_profit"].to_numpy(float)
    chosen, spent = 0, 0.0
    for i in contact_order(table):
        if not expected[i] > 0 or (most_contacts is not None and chosen >= most_contacts):
            break
        if money is not None and spent + cost[i] > money + 1e-9:
            continue
        planned[i], chosen, spent = True, chosen + 1, spent + cost[i]
    return planned


def exploration_intensity(probability: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Each candidate's chance to be explored relative to the share: its probability over the candidates' mean
    (0 for the others). A treated customer tells about a save rate only if they would have bought less, so a
    customer of p = 0.02 carries a tenth of what one of p = 0.2 does, at the same price; exploring in proportion
    to p spends the share where it teaches (the propensities record each customer's own chance)."""
    p = np.where(candidates, np.nan_to_num(probability, nan=0.0), 0.0)
    mean = p[candidates].mean() if candidates.any() else 0.0
    return p / mean if mean > 0 else candidates.astype(float)


def within_budget(candidates: np.ndarray, order_key: np.ndarray, planned: np.ndarray, cost: np.ndarray,
                  planned_cost: np.ndarray, control: np.ndarray, spec: dict, share: float) -> tuple[np.ndarray, float]:
    """(the exploration `candidates` that fit the budget the planned customers leave, the share explored in
    effect). Candidates are taken in the order of their draw (`order_key`, uniform below `share`) until one does
    not fit, so the explored ones are exactly those drawn below a cut-off: the cut-off is the share in effect, which
    the propensities use. Explored customers are contacted and their offers paid like any other."""
    budget = spec.get("budget") or {}
    most_contacts, money = budget.get("contacts"), budget.get("spend")
    if most_contacts is None and money is None:
        return candidates, share
    chosen = int(planned.sum())
    spent = float(np.where(control, 0.0, planned_cost + spec["contact_cost"])[planned].sum())
    keep = np.zeros(len(candidates), dtype=bool)
    for i in np.flatnonzero(candidates)[np.argsort(order_key[candidates], kind="stable")]:
        if (most_contacts is not None and chosen >= most_contacts) or \
                (money is not None and spent + cost[i] > money + 1e-9):
            return keep, float(order_key[i])
        keep[i], chosen, spent = True, chosen + 1, spent + cost[i]
    return keep, share


def make_plan(customers: pd.DataFrame, spec: dict, offers: pd.DataFrame, rates: np.ndarray | None = None,
              campaign: str | None = None) -> pd.DataFrame:
    """The plan and its design for `customers` (id, probability, profit and the columns eligibility rules name).

    `offers`: the catalogue (oneclick/campaign/offers.py); `rates`: customers x offers save rates (default: each
    offer's mean for everyone); `campaign`: the name the arms are drawn from (default `campaign.name`). A customer
    without profit (NA) gets a probability and no decision: offer, contact and control stay empty."""
    campaign = spec.get("name", "campaign") if campaign is None else campaign
    n = len(customers)
    rates = np.broadcast_to(offers["save_rate"].to_numpy(float), (n, len(offers))) if rates is None else rates
    profit = customers["profit"].to_numpy(float)
    known = ~np.isnan(profit)
    ids = customers["id"].to_numpy()
    eligible = eligibility(customers, spec) & known[:, None]
    e_all = expected_profits(customers, spec, offers, rates)
    e = np.where(eligible & offers["in_plan"].to_numpy(bool)[None, :], e_all, -np.inf)
    best = np.argmax(e, axis=1) if len(offers) else np.zeros(n, dtype=int)
    rows = np.arange(n)
    best_e = e[rows, best] if len(offers) else np.full(n, -np.inf)
    has_offer = known & np.isfinite(best_e)

    table = pd.DataFrame({"id": ids, "probability": customers["probability"].to_numpy(float), "profit": profit,
                          "value_at_stake": value_at_stake(profit, spec),
                          "offer_cost": np.where(has_offer, offers["cost"].to_numpy(float)[best], 0.0),
                          "expected_profit": np.where(has_offer, best_e, np.nan)})
    share = spec["control"]["share"]
    control_draw = draw(ids, campaign, "control", spec["control"]["seed"]) < share
    planned = select_contacts(table, spec, control_draw)

    # exploration among the customers the plan leaves out who may get an offer (in the plan or not)
    k = eligible.sum(axis=1)
    explore_share = (spec.get("explore") or {}).get("share", 0.0)
    explore_draw = draw(ids, campaign, "explore", spec["control"]["seed"])
    pick = np.minimum((draw(ids, campaign, "offer", spec["control"]["seed"]) * np.maximum(k, 1)).astype(int),
                      np.maximum(k - 1, 0))
    nth_open = np.argsort(~eligible, axis=1, kind="stable")  # the open offers first, in params order
    explored_offer = nth_open[rows, pick]
    intensity = exploration_intensity(table["probability"].to_numpy(float), ~planned & (k > 0))
    explore_key = np.divide(explore_draw, intensity, out=np.full(n, np.inf), where=intensity > 0)
    explored, explore_share = within_budget(
        ~planned & (k > 0) & (explore_key < explore_share), explore_key, planned,
        np.where(control_draw, 0.0, offers["cost"].to_numpy(float)[explored_offer] + spec["contact_cost"])
        if len(offers) else np.zeros(n), table["offer_cost"].to_numpy(float), control_draw, spec, explore_share)
    explore_chance = np.minimum(1.0, explore_share * intensity)  # each left-out customer's chance to be explored
    offer = np.where(explored, explored_offer, best)
    decided = planned | explored
    offer_open = decided | has_offer

    table["offer"] = np.where(offer_open, offers["offer"].to_numpy()[offer], NO_OFFER) if len(offers) else NO_OFFER
    table["offer_text"] = np.where(offer_open, offers["text"].to_numpy()[offer],
                                   "no offer is open to this customer") if len(offers) else ""
    table["offer_cost"] = np.where(offer_open, offers["cost"].to_numpy(float)[offer], 0.0) if len(offers) else 0.0
    table["save_rate"] = np.where(offer_open, rates[rows, offer], 0.0) if len(offers) else 0.0
    table["expected_profit"] = np.where(offer_open, e_all[rows, offer], np.nan) if len(offers) else np.nan
    control = decided & control_draw
    propensity = np.where(planned, np.where(control, share, 1 - share),
                          np.where(explored, np.where(control, explore_chance * share,
                                                      explore_chance * (1 - share) / np.maximum(k, 1)),
                                   np.where(k > 0, 1 - explore_chance, 1.0)))
    for column in ("offer", "offer_text"):
        table[column] = pd.Series(table[column], dtype="str").where(known, None)
    table["contact"] = pd.array(np.where(known, decided, False), dtype="boolean")
    table["control"] = pd.array(np.where(known, control, False), dtype="boolean")
    table["explored"] = pd.array(np.where(known, explored, False), dtype="boolean")
    table["offers_open"] = pd.array(np.where(known, k, 0), dtype="Int64")
    table["propensity"] = np.where(known, propensity, np.nan)
    table.loc[~known, ["contact", "control", "explored", "offers_open"]] = pd.NA
    table.loc[~known, ["offer_cost", "save_rate"]] = np.nan
    return table[COLUMNS]


def rounded(plan: pd.DataFrame) -> pd.DataFrame:
    """The plan as written to CSV: probabilities and money to 6 decimals (the last bits differ between CPUs)."""
    return plan.round({c: DIGITS for c in ("probability", "profit", "value_at_stake", "offer_cost", "save_rate",
                                           "expected_profit", "propensity")})
