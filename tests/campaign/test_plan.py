"""The campaign plan: the formulas on a hand-computed case, the budget, eligibility, the control draw, why nobody,
what the plan costs and returns, and its power statement."""

import copy

import numpy as np
import pandas as pd
import pytest
from segment_fixtures import PARAMS

from oneclick.campaign.offers import catalogue, eligible, save_rate_draws
from oneclick.campaign.plan import COLUMNS, make_plan, uniform_of_id
from oneclick.campaign.summary import power, summarize, totals, why_nobody
from oneclick.stats import power_of

SPEC = {"horizon_months": 3, "loss_share": 0.3, "contact_cost": 0.02, "budget": {"contacts": None, "spend": None},
        "control": {"share": 0.0, "seed": 42}, "draws": 200, "seed": 1, "power": {"alpha": 0.05, "power": 0.8},
        "offers": {
            "recommendations": {"text": "rec", "cost": 0.05, "save_rate": {"alpha": 2, "beta": 18}},
            "cart_reminder": {"text": "cart", "cost": 0.15, "save_rate": {"alpha": 6, "beta": 14},
                              "eligible": {"unpaid_items_quarter": {"min": 3}}}}}
CUSTOMERS = pd.DataFrame({"id": [11, 12, 13, 14, 15], "probability": [0.9, 0.1, 0.5, 0.8, 0.4],
                          "profit": [4.0, 4.0, np.nan, 2.0, 5.0], "unpaid_items_quarter": [5, 0, 3, 1, 4]})


def spec(**changes):
    out = copy.deepcopy(SPEC)
    for key, value in changes.items():
        node = out
        *path, last = key.split(".")
        for part in path:
            node = node[part]
        node[last] = value
    return out


def plan_of(s=SPEC, customers=CUSTOMERS):
    return make_plan(customers, s, catalogue(s)).set_index("id")


def test_expected_profit_by_hand():
    """V = profit x 3 x 0.3; E = p x s x V - offer cost - 0.02, s the Beta's mean (0.1 and 0.3)."""
    plan = plan_of()
    assert list(plan.reset_index().columns) == COLUMNS
    # 11: V 3.6; cart 0.9*0.3*3.6 - 0.17 = 0.802 beats recommendations 0.9*0.1*3.6 - 0.07 = 0.254
    assert plan.loc[11, ["offer", "value_at_stake", "offer_cost", "save_rate"]].tolist() == \
        ["cart_reminder", pytest.approx(3.6), 0.15, 0.3]
    assert plan.loc[11, "expected_profit"] == pytest.approx(0.802)
    assert plan.loc[12, "offer"] == "recommendations"  # not eligible for the cart reminder
    assert plan.loc[12, "expected_profit"] == pytest.approx(0.1 * 0.1 * 3.6 - 0.07)  # -0.034: not contacted
    assert plan.loc[14, "expected_profit"] == pytest.approx(0.8 * 0.1 * 1.8 - 0.07)  # 0.074
    assert plan.loc[15, "expected_profit"] == pytest.approx(0.4 * 0.3 * 4.5 - 0.17)  # 0.37
    assert plan["contact"].tolist() == [True, False, pd.NA, True, True]
    assert pd.isna(plan.loc[13, "offer"]) and pd.isna(plan.loc[13, "expected_profit"])  # no profit, no decision
    assert plan.loc[13, "probability"] == 0.5


def test_the_budget_takes_the_highest_expected_profit_first():
    assert plan_of(spec(**{"budget.contacts": 2}))["contact"].fillna(False).tolist() == [True, False, False, False,
                                                                                       True]
    # 0.17 (id 11) + 0.17 (15) = 0.34 fits 0.3? no: 11 first (0.17), 15 (0.17) does not fit, 14 (0.07) does
    assert plan_of(spec(**{"budget.spend": 0.3}))["contact"].fillna(False).tolist() == [True, False, False, True,
                                                                                      False]


def test_eligibility_rules():
    customers = pd.DataFrame({"promo_share": [0.2, 0.5, 0.9], "allow_messages": ["да", "нет", "да"]})
    assert eligible(customers, {"promo_share": {"min": 0.5}}).tolist() == [False, True, True]
    assert eligible(customers, {"promo_share": {"min": 0.3, "max": 0.6}}).tolist() == [False, True, False]
    assert eligible(customers, {"promo_share": {"min": 0.5}, "allow_messages": {"in": ["да"]}}).tolist() == \
        [False, False, True]
    assert eligible(customers, {}).all() and eligible(customers, None).all()
    closed = make_plan(CUSTOMERS.assign(unpaid_items_quarter=0), SPEC, catalogue(SPEC)).set_index("id")
    assert (closed["offer"].dropna() == "recommendations").all()


def test_the_control_group_is_drawn_by_id_and_seed():
    ids = np.arange(100_000, 110_000)
    u = uniform_of_id(ids, 42)
    assert 0 <= u.min() and u.max() < 1 and abs((u < 0.2).mean() - 0.2) < 0.015
    assert np.array_equal(uniform_of_id(ids[::-1], 42), u[::-1])  # each id's own number, in any order
    assert not np.array_equal(uniform_of_id(ids, 43), u)
    rng = np.random.default_rng(0)
    many = pd.DataFrame({"id": ids, "probability": rng.uniform(0.5, 1, len(ids)), "profit": 4.0,
                         "unpaid_items_quarter": 5})
    s = spec(**{"control.share": 0.2})
    first = make_plan(many, s, catalogue(s)).set_index("id")
    assert abs(first["control"].mean() - 0.2) < 0.015 and not (first["control"] & ~first["contact"]).any()
    subset = make_plan(many.iloc[::7], s, catalogue(s)).set_index("id")  # another export with some of them
    assert subset["control"].equals(first.loc[subset.index, "control"])


def test_when_no_offer_pays_nobody_is_contacted_and_the_plan_says_why():
    costly = spec(**{"offers.recommendations.cost": 5.0, "offers.cart_reminder.cost": 5.0})
    offers = catalogue(costly)
    plan = make_plan(CUSTOMERS, costly, offers)
    assert not plan["contact"].fillna(False).any()
    figures = summarize(CUSTOMERS, plan, costly, offers, save_rate_draws(offers, costly["draws"], costly["seed"]))
    assert figures["contacts"] == 0 and figures["expected_profit"] == 0
    reason = why_nobody(CUSTOMERS, costly, offers)
    assert reason == figures["why_nobody"]
    # the cart reminder's best customer (id 11: p V = 3.24) would need (5 + 0.02) / 3.24 = 1.55
    assert "cart_reminder would need a save rate of at least 1.55 (assumed 0.30)" in reason


def test_totals_add_up_and_the_range_holds_the_expected_profit():
    rng = np.random.default_rng(2)
    n = 3000
    customers = pd.DataFrame({"id": np.arange(n), "probability": rng.uniform(0, 1, n),
                              "profit": rng.uniform(1, 7, n), "unpaid_items_quarter": rng.integers(0, 8, n)})
    s = spec(**{"control.share": 0.2})
    offers = catalogue(s)
    plan = make_plan(customers, s, offers)
    figures = totals(plan, offers, s, save_rate_draws(offers, 2000, 0))
    treated = plan["contact"] & ~plan["control"]
    assert figures["treated"] == treated.sum() and figures["contacts"] == plan["contact"].sum()
    assert figures["spend"] == pytest.approx((plan.loc[treated, "offer_cost"] + 0.02).sum(), abs=1e-3)
    assert figures["expected_profit"] == pytest.approx(plan.loc[treated, "expected_profit"].sum(), abs=1e-3)
    assert figures["expected_profit_low"] < figures["expected_profit"] < figures["expected_profit_high"]
    assert sum(o["expected_profit"] for o in figures["offers"].values()) == pytest.approx(
        figures["expected_profit"], abs=1e-2)
    cart = figures["offers"]["cart_reminder"]
    mine = treated & (plan["offer"] == "cart_reminder")
    pv = (plan.loc[mine, "probability"] * plan.loc[mine, "value_at_stake"]).sum()
    assert cart["break_even_save_rate"] == pytest.approx(mine.sum() * 0.17 / pv, abs=1e-4)


def test_power_follows_the_arms():
    rng = np.random.default_rng(3)
    plan = pd.DataFrame({"probability": rng.uniform(0.6, 0.9, 1000), "save_rate": 0.3, "offer": "x",
                         "contact": True, "control": rng.random(1000) < 0.2})
    big = power(plan, 0.05, 0.8)
    assert big["power"] > 0.8 and big["campaigns_needed"] == 1
    small = power(plan.iloc[:60], 0.05, 0.8)
    k = small["campaigns_needed"]
    assert small["power"] < 0.8 and k > 1
    args = (small["decline_rate_without_offer"], small["control"], small["decline_rate_with_offer"], small["treated"])
    # that many campaigns of this size reach the target power, one fewer does not
    assert power_of(args[0], k * args[1], args[2], k * args[3], 0.05) >= 0.8
    assert power_of(args[0], (k - 1) * args[1], args[2], (k - 1) * args[3], 0.05) < 0.8
    assert big["decline_rate_with_offer"] == pytest.approx(big["decline_rate_without_offer"] * 0.7, rel=0.01)


def test_the_repository_campaign_params_plan():
    """The default economics make a plan with every offer used somewhere on a varied synthetic store."""
    from oneclick.data.synthesize import draw_customers

    customers = draw_customers(2000, seed=5, separation=0.9)
    customers["probability"] = np.random.default_rng(1).uniform(0, 1, len(customers))
    s = PARAMS["campaign"]
    plan = make_plan(customers, s, catalogue(s))
    assert set(plan.loc[plan["contact"], "offer"]) == set(s["offers"])
    assert 0 < plan["contact"].mean() < 1
