"""The campaign plan: the formulas on a hand-computed case, the budget, eligibility, the control draw, why nobody,
what the plan costs and returns, and its power statement."""

import copy

import numpy as np
import pandas as pd
import pytest
from segment_fixtures import PARAMS

from oneclick.campaign.offers import catalogue, eligible, save_rate_draws
from oneclick.campaign.plan import COLUMNS, draw, make_plan, uniform_of_id
from oneclick.campaign.summary import (
    outcome_seed,
    power,
    profit_curve,
    summarize,
    totals,
    value_of_information,
    what_if,
    why_nobody,
    with_offer_draws,
)
from oneclick.stats import power_of

SPEC = {"name": "c1", "horizon_months": 3, "loss_share": 0.3, "contact_cost": 0.02,
        "budget": {"contacts": None, "spend": None}, "control": {"share": 0.0, "seed": 42}, "explore": {"share": 0.0},
        "draws": 200, "seed": 1, "power": {"alpha": 0.05, "power": 0.8},
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


def test_each_campaign_draws_its_own_arms_from_its_name_and_the_id():
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
    again = make_plan(many, s, catalogue(s), campaign="c1").set_index("id")
    assert again["control"].equals(first["control"])  # the same campaign: the same arms
    other = make_plan(many, s, catalogue(s), campaign="c2").set_index("id")
    both = (other["control"] & first["control"]).mean()
    assert abs(other["control"].mean() - 0.2) < 0.015 and abs(both - 0.04) < 0.01  # fresh, independent arms


def mixed_risk(n: int, seed: int) -> pd.DataFrame:
    """n customers of the same profit, risk uniform in (0, 1), 0-5 unpaid items (the cart reminder open from 3)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"id": np.arange(n), "probability": rng.uniform(0, 1, n), "profit": 4.0,
                         "unpaid_items_quarter": rng.integers(0, 6, n)})


def test_exploration_treats_a_share_of_those_left_out_and_records_every_propensity():
    customers = mixed_risk(40_000, 4)
    s = spec(**{"control.share": 0.2, "explore.share": 0.1})
    plan = make_plan(customers, s, catalogue(s))
    planned = plan["contact"] & ~plan["explored"]
    left = ~planned & (plan["offers_open"] > 0)
    assert not (plan["explored"] & planned).any() and abs(plan.loc[left, "explored"].mean() - 0.1) < 0.01
    left = left.astype(bool)
    p = plan["probability"].where(left, 0.0)
    chance = np.minimum(1, 0.1 * p / p[left].mean())  # in proportion to p, the share on average
    edges = np.quantile(p[left], [0, 1 / 3, 2 / 3, 1])
    assert chance[left].max() > 4 * chance[left].min()  # the likeliest to buy less are explored far more often
    for low, high in zip(edges[:-1], edges[1:], strict=True):  # measured against the chance computed here
        band = left & plan["probability"].between(low, high, inclusive="left")
        assert abs(plan.loc[band, "explored"].astype(float).mean() - chance[band].mean()) < 3 * np.sqrt(
            chance[band].mean() / band.sum()), (low, high)
    both_open = plan["explored"] & (plan["offers_open"] == 2)  # cart reminder and recommendations open
    assert abs((plan.loc[both_open, "offer"] == "cart_reminder").mean() - 0.5) < 0.05  # drawn uniformly
    explored = plan[plan["explored"]]
    assert abs(explored["control"].mean() - 0.2) < 0.02  # the control group spans the explored ones too
    k = explored["offers_open"].to_numpy(float)
    expected = chance[explored.index] * np.where(explored["control"], 0.2, 0.8 / k)
    np.testing.assert_allclose(explored["propensity"], expected)
    np.testing.assert_allclose(plan.loc[planned, "propensity"], np.where(plan.loc[planned, "control"], 0.2, 0.8))
    np.testing.assert_allclose(plan.loc[left & ~plan["explored"], "propensity"], 1 - chance[left & ~plan["explored"]])
    assert (plan.loc[plan["offers_open"] == 0, "propensity"] == 1).all()
    assert (plan.loc[explored.index, "expected_profit"] <= 0).mean() > 0.5  # they were left out for a reason


def test_a_budget_that_cuts_exploration_short_records_the_share_in_effect():
    """With room for 300 explored customers of the 10 % drawn, exactly those drawn lowest (the draw over their
    intensity, p over the mean p of those left out) are explored, and their propensities (and those of everyone
    left out) use the share in effect, the cut-off."""
    customers = mixed_risk(20_000, 5)
    free = spec(**{"explore.share": 0.1, "control.share": 0.2})
    unlimited = make_plan(customers, free, catalogue(free))
    planned = int((unlimited["contact"].astype(bool) & ~unlimited["explored"].astype(bool)).sum())
    s = spec(**{"explore.share": 0.1, "control.share": 0.2, "budget.contacts": planned + 300})
    plan = make_plan(customers, s, catalogue(s))
    explored = plan["explored"].astype(bool)
    assert explored.sum() == 300
    drawn = draw(plan["id"], s["name"], "explore", s["control"]["seed"])
    left = (~(plan["contact"].astype(bool) & ~explored) & (plan["offers_open"] > 0)).to_numpy(bool)
    intensity = plan["probability"].to_numpy() / plan.loc[left, "probability"].mean()
    key = drawn / intensity
    cut = key[left & ~explored].min()
    assert key[explored].max() < cut < 0.1  # exactly the lowest draws
    chance = np.minimum(1, cut * intensity)
    k = plan.loc[explored, "offers_open"].to_numpy(float)
    np.testing.assert_allclose(plan.loc[explored, "propensity"],
                               chance[explored] * np.where(plan.loc[explored, "control"], 0.2, 0.8 / k))
    np.testing.assert_allclose(plan.loc[left & ~explored, "propensity"], 1 - chance[left & ~explored])


def test_the_money_budget_counts_what_is_spent():
    """The control group is planned but costs nothing: with a budget that pays for two treated customers, the plan
    may also hold control customers beyond it."""
    many = pd.DataFrame({"id": np.arange(200), "probability": 0.9, "profit": 4.0, "unpaid_items_quarter": 5})
    s = spec(**{"control.share": 0.5, "budget.spend": 10 * 0.17})
    plan = make_plan(many, s, catalogue(s))
    treated = plan["contact"] & ~plan["control"]
    assert treated.sum() == 10 and plan["control"].sum() > 0
    assert (plan.loc[treated, "offer_cost"] + 0.02).sum() <= 10 * 0.17 + 1e-9


def test_when_no_offer_pays_nobody_is_contacted_and_the_plan_says_why():
    costly = spec(**{"offers.recommendations.cost": 5.0, "offers.cart_reminder.cost": 5.0})
    offers = catalogue(costly)
    plan = make_plan(CUSTOMERS, costly, offers)
    assert not plan["contact"].fillna(False).any()
    rates = np.broadcast_to(offers["save_rate"].to_numpy(), (len(CUSTOMERS), 2))
    figures = summarize(CUSTOMERS, plan, costly, offers, save_rate_draws(offers, costly["draws"], costly["seed"]),
                        rates, 30)
    assert figures["contacts"] == 0 and figures["expected_profit"] == 0
    reason = why_nobody(CUSTOMERS, costly, offers)
    assert reason == figures["why_nobody"]
    # the cart reminder's best customer (id 11: p V = 3.24) would need (5 + 0.02) / 3.24 = 1.55
    assert "cart_reminder would need a save rate of at least 1.55 (assumed 0.30)" in reason
    curve = profit_curve(plan, offers, costly, save_rate_draws(offers, 50, 0), 10)  # contacting anyway loses
    assert curve[-1]["customers"] == 4 and all(point["high"] < 0 for point in curve)
    closed = spec(**{"offers.recommendations.eligible": {"unpaid_items_quarter": {"min": 99}}})
    nobody = CUSTOMERS.assign(unpaid_items_quarter=0)  # the cart reminder needs 3 or more: no offer is open
    offers = catalogue(closed)
    plan = make_plan(nobody, closed, offers)
    assert not plan["contact"].fillna(False).any()
    assert why_nobody(nobody, closed, offers) == \
        "no offer is open to any customer (eligibility rules, or no offer left in the plan)"
    assert profit_curve(plan, offers, closed, save_rate_draws(offers, 50, 0), 10) == \
        [{"customers": 0, "expected_profit": 0.0, "low": 0.0, "high": 0.0}]


def test_totals_add_up_and_the_range_holds_the_expected_profit():
    rng = np.random.default_rng(2)
    n = 3000
    customers = pd.DataFrame({"id": np.arange(n), "probability": rng.uniform(0, 1, n),
                              "profit": rng.uniform(1, 7, n), "unpaid_items_quarter": rng.integers(0, 8, n)})
    s = spec(**{"control.share": 0.2, "explore.share": 0.1})
    offers = catalogue(s)
    plan = make_plan(customers, s, offers)
    sent = plan["offer"] == "recommendations"  # a rate that differs: the likelier decliners kept more often
    plan.loc[sent, "save_rate"] *= 0.4 + plan.loc[sent, "probability"]
    figures = totals(plan, offers, s, save_rate_draws(offers, 2000, 0))
    treated = plan["contact"] & ~plan["control"]
    assert figures["treated"] == treated.sum() and figures["contacts"] == plan["contact"].sum()
    assert figures["spend"] == pytest.approx((plan.loc[treated, "offer_cost"] + 0.02).sum(), abs=1e-3)
    assert figures["expected_profit"] == pytest.approx(plan.loc[treated, "expected_profit"].sum(), abs=1e-3)
    assert figures["expected_profit_low"] < figures["save_rates_only_low"] < figures["expected_profit"] < \
        figures["save_rates_only_high"] < figures["expected_profit_high"]  # chance in the outcomes widens it
    assert sum(o["expected_profit"] for o in figures["offers"].values()) == pytest.approx(
        figures["expected_profit"], abs=1e-2)
    explored = plan["explored"].astype(bool)
    assert (explored & treated).any() and (explored & plan["control"]).any()
    assert figures["explored_treated"] == (explored & treated).sum()  # sent an offer beyond the cut-off ...
    assert figures["explored"] - figures["explored_treated"] == (explored & plan["control"]).sum()  # ... or held back
    assert sum(o["explored_treated"] for o in figures["offers"].values()) == figures["explored_treated"]
    cart = figures["offers"]["cart_reminder"]
    mine = treated & (plan["offer"] == "cart_reminder")
    pv = (plan.loc[mine, "probability"] * plan.loc[mine, "value_at_stake"]).sum()
    assert cart["break_even_save_rate"] == pytest.approx(mine.sum() * 0.17 / pv, abs=1e-4)
    # the chance it does not pay: the share of the save-rate draws whose expected profit, every customer's own rate
    # scaled with the draw, is below 0
    draws = save_rate_draws(offers, 20_000, 3)
    for j, name in enumerate(offers["offer"]):
        mine = treated & (plan["offer"] == name)
        saving = (plan.loc[mine, "probability"] * plan.loc[mine, "save_rate"] * plan.loc[mine, "value_at_stake"]).sum()
        loses = draws[:, j] / offers.loc[j, "save_rate"] * saving < (plan.loc[mine, "offer_cost"] + 0.02).sum()
        entry = figures["offers"][name]
        assert entry["chance_it_does_not_pay"] == pytest.approx(loses.mean(), abs=2e-3), name
        assert (draws[:, j] < entry["break_even_save_rate"]).mean() == pytest.approx(loses.mean(), abs=1e-3)


def test_the_value_of_information_is_the_known_integral():
    """One offer, two kinds of customers alike within: a plan that knew s would contact a kind when p V s > c. So
    the value of knowing s is, per customer of a kind, E[max(p V s - c, 0)] - max(E[p V s - c], 0) under the Beta:
    a one-dimensional integral. The control group and exploration are not part of it."""
    from scipy.integrate import quad
    from scipy.stats import beta as beta_dist

    one = spec(**{"control.share": 0.3, "explore.share": 0.2})
    one["offers"] = {"recommendations": {**one["offers"]["recommendations"], "save_rate": {"alpha": 3, "beta": 7}}}
    n = 400
    customers = pd.DataFrame({"id": np.arange(n), "probability": np.where(np.arange(n) < 100, 0.9, 0.2),
                              "profit": 1.0, "unpaid_items_quarter": 0})
    offers = catalogue(one)
    plan = make_plan(customers, one, offers)
    v, cost = 1.0 * 3 * 0.3, 0.05 + 0.02
    exact = 0.0
    for p, count in ((0.9, 100), (0.2, 300)):
        gain = quad(lambda x, p=p: max(p * v * x - cost, 0.0) * beta_dist.pdf(x, 3, 7), 0, 1, points=[cost / p / v])[0]
        exact += count * (gain - max(p * v * 0.3 - cost, 0.0))
    draws = save_rate_draws(offers, 20_000, 0)
    rates = np.full((n, 1), 0.3)
    assert plan["control"].any() and plan["explored"].any()
    value, low, high = value_of_information(customers, plan, one, offers, rates, draws)
    assert value == pytest.approx(exact, abs=0.01) and low <= exact <= high and high - low < 0.2
    # its 95 % interval on the first 200 of 1000 draws (as the campaign stage averages) holds the integral at
    # about its level
    held = [low <= exact <= high for seed in range(1, 41)
            for _, low, high in [value_of_information(customers, plan, one, offers, rates,
                                                      save_rate_draws(offers, 1000, seed)[:200])]]
    assert sum(held) >= 34, f"{sum(held)} of 40"  # P(< 34 | 40, 0.95) < 1 %


def test_a_one_offer_plans_ranges_are_the_known_quantiles():
    """One offer, everyone alike: over the save rate alone the profit is n p V s - n c, so its 5-95 % range is that
    of the Beta; with the save rate all but known, the range is chance alone: the kept customers are binomial."""
    from scipy.special import betaincinv
    from scipy.stats import binom

    one = spec(**{"offers": {"cart_reminder": {"text": "cart", "cost": 0.15, "save_rate": {"alpha": 6, "beta": 14}}}})
    n = 1000
    customers = pd.DataFrame({"id": np.arange(n), "probability": 0.5, "profit": 4.0})
    offers = catalogue(one)
    plan = make_plan(customers, one, offers)
    figures = totals(plan, offers, one, save_rate_draws(offers, 4000, 0))
    gain, cost = n * 0.5 * 3.6, n * 0.17
    low, high = betaincinv(6, 14, np.array([0.05, 0.95])) * gain - cost
    assert figures["save_rates_only_low"] == pytest.approx(low, rel=2e-3)
    assert figures["save_rates_only_high"] == pytest.approx(high, rel=2e-3)
    from scipy.stats import beta as beta_dist  # the offer does not pay where s p V < c: below 0.17 / (0.5 x 3.6)

    assert figures["offers"]["cart_reminder"]["chance_it_does_not_pay"] == pytest.approx(
        beta_dist.cdf(0.17 / (0.5 * 3.6), 6, 14), abs=1e-4)
    sure = spec(**{"offers": {"cart_reminder": {"text": "cart", "cost": 0.15,
                                                "save_rate": {"alpha": 3e6, "beta": 7e6}}}})
    offers = catalogue(sure)
    figures = totals(make_plan(customers, sure, offers), offers, sure, save_rate_draws(offers, 4000, 0))
    kept_low, kept_high = binom.ppf([0.05, 0.95], n, 0.5 * 0.3)
    assert figures["expected_profit_low"] == pytest.approx(kept_low * 3.6 - cost, abs=3.6)
    assert figures["expected_profit_high"] == pytest.approx(kept_high * 3.6 - cost, abs=3.6)


def test_the_two_what_ifs_are_two_scenarios():
    rng = np.random.default_rng(5)
    n = 2000
    customers = pd.DataFrame({"id": np.arange(n), "probability": rng.beta(2, 3, n), "profit": rng.uniform(1, 7, n),
                              "unpaid_items_quarter": rng.integers(0, 8, n)})
    offers = catalogue(SPEC)
    rates = np.broadcast_to(offers["save_rate"].to_numpy(), (n, 2))
    cases = what_if(customers, SPEC, offers, rates, save_rate_draws(offers, 200, 0))
    from scipy.special import betaincinv

    q05 = betaincinv(np.array([2.0, 6.0]), np.array([18.0, 14.0]), 0.05)  # recommendations, cart reminder
    low = make_plan(customers, SPEC, offers.assign(save_rate=q05), rates * q05 / np.array([0.1, 0.3]))
    assert cases["save_rates_at_5_percent"]["contacts"] == low["contact"].sum()
    shrunk, base = cases["probabilities_toward_base_rate"], make_plan(customers, SPEC, offers)
    assert shrunk["contacts"] != base["contact"].sum()
    assert cases["save_rates_at_5_percent"]["contacts"] != shrunk["contacts"]


def test_each_what_ifs_range_is_the_known_distribution_of_its_plans_profit():
    """With the save rate at its 5 % quantile the range is chance alone: the kept customers are binomial at p times
    that rate. With the probabilities shrunk and the save rate all but known, the kept customers are two binomials
    (p 0.9 and 0.1 become 0.7 and 0.3), whose sum's quantiles come from convolving their probabilities."""
    from scipy.special import betaincinv
    from scipy.stats import binom

    def quantiles(pmf):
        cdf = np.cumsum(pmf)
        return np.searchsorted(cdf, 0.05), np.searchsorted(cdf, 0.95)

    n, value = 1000, 3.6  # profit 4: 30 % of it for 3 months
    # within one kept customer for the discrete quantile and half of one for the 4000 simulated outcomes
    tolerance = 1.5 * value
    one = spec(**{"offers": {"cart_reminder": {"text": "cart", "cost": 0.15, "save_rate": {"alpha": 6, "beta": 14}}}})
    customers = pd.DataFrame({"id": np.arange(n), "probability": 0.5, "profit": 4.0})
    offers = catalogue(one)
    low = what_if(customers, one, offers, np.full((n, 1), 0.3), save_rate_draws(offers, 4000, 0))
    low = low["save_rates_at_5_percent"]
    kept = binom.pmf(np.arange(n + 1), n, 0.5 * betaincinv(6, 14, 0.05))
    assert low["contacts"] == n
    for bound, k in zip(("expected_profit_low", "expected_profit_high"), quantiles(kept), strict=True):
        assert low[bound] == pytest.approx(k * value - n * 0.17, abs=tolerance)

    sure = spec(**{"offers": {"cart_reminder": {"text": "cart", "cost": 0.15,
                                                "save_rate": {"alpha": 3e6, "beta": 7e6}}}})
    offers = catalogue(sure)
    customers = customers.assign(probability=np.where(np.arange(n) < n // 2, 0.9, 0.1))
    shrunk = what_if(customers, sure, offers, np.full((n, 1), 0.3), save_rate_draws(offers, 4000, 0))
    shrunk = shrunk["probabilities_toward_base_rate"]
    half = np.arange(n // 2 + 1)
    kept = np.convolve(binom.pmf(half, n // 2, 0.7 * 0.3), binom.pmf(half, n // 2, 0.3 * 0.3))
    assert shrunk["contacts"] == n
    assert shrunk["expected_profit"] == pytest.approx(n / 2 * (0.7 + 0.3) * 0.3 * value - n * 0.17, abs=1e-3)
    for bound, k in zip(("expected_profit_low", "expected_profit_high"), quantiles(kept), strict=True):
        assert shrunk[bound] == pytest.approx(k * value - n * 0.17, abs=tolerance)


def test_the_price_of_learnings_range_is_the_known_distribution_of_what_it_gives_up():
    """The save rate all but known: the control customers would keep A ~ binomial(control, p s) customers, the
    explored ones keep B ~ binomial(explored, p' s), and the price is V (A - B) minus the costs the difference of the
    two groups' sizes makes; its quantiles come from convolving A's probabilities with B's reversed."""
    from scipy.stats import binom

    sure = spec(**{"offers": {"cart_reminder": {"text": "cart", "cost": 0.15,
                                                "save_rate": {"alpha": 3e6, "beta": 7e6}}},
                   "control.share": 0.2, "explore.share": 0.3})
    n, value = 2000, 3.6
    customers = pd.DataFrame({"id": np.arange(n), "probability": np.where(np.arange(n) < n // 2, 0.5, 0.05),
                              "profit": 4.0})  # the second half is not worth an offer: 0.05 x 0.3 x 3.6 < 0.17
    offers = catalogue(sure)
    plan = make_plan(customers, sure, offers)
    figures = totals(plan, offers, sure, save_rate_draws(offers, 4000, 0))
    planned = ~plan["explored"] & plan["contact"]
    n_control = int((planned & plan["control"]).sum())
    n_explored = int((plan["explored"] & plan["contact"] & ~plan["control"]).sum())
    assert n_control > 100 and n_explored > 100
    a = binom.pmf(np.arange(n_control + 1), n_control, 0.5 * 0.3)
    b = binom.pmf(np.arange(n_explored + 1), n_explored, 0.05 * 0.3)
    kept = np.arange(-n_explored, n_control + 1)  # A - B
    cdf = np.cumsum(np.convolve(a, b[::-1]))
    costs = 0.17 * (n_control - n_explored)
    assert figures["price_of_learning"] == pytest.approx(
        n_control * 0.15 * value - n_explored * 0.015 * value - costs, abs=1e-3)
    for bound, q in (("price_of_learning_low", 0.05), ("price_of_learning_high", 0.95)):
        exact = kept[np.searchsorted(cdf, q)] * value - costs
        assert figures[bound] == pytest.approx(exact, abs=1.5 * value)
    # each part alone: the control customers' A V minus their costs, the explored ones' costs minus B V
    for part, pmf, sign, size in (("control_forgone_profit", a, 1, n_control), ("exploration_cost", b, -1, n_explored)):
        for bound, q in (("low", 0.05), ("high", 0.95)):
            k = np.searchsorted(np.cumsum(pmf), q if sign > 0 else 1 - q)
            assert figures[f"{part}_{bound}"] == pytest.approx(sign * (k * value - 0.17 * size), abs=1.5 * value)


def test_the_profit_curves_band_is_the_save_rates_beta_quantiles():
    """One offer, every customer worth V = 3.6 at a cost of 0.17, contacted by probability, highest first: after
    k customers the profit is s V (sum of their k largest p) - 0.17 k, so its 5-95 % band is that of the Beta."""
    from scipy.special import betaincinv

    one = spec(**{"offers": {"cart_reminder": {"text": "cart", "cost": 0.15, "save_rate": {"alpha": 6, "beta": 14}}}})
    p = np.random.default_rng(2).uniform(0.3, 0.9, 400)
    customers = pd.DataFrame({"id": np.arange(400), "probability": p, "profit": 4.0})
    offers = catalogue(one)
    curve = profit_curve(make_plan(customers, one, offers), offers, one, save_rate_draws(offers, 20_000, 0), 40)
    gain = 3.6 * np.cumsum(np.sort(p)[::-1])
    assert len(curve) == 40 and curve[-1]["customers"] == 400
    for point in curve:
        k = point["customers"]
        low, high = betaincinv(6, 14, np.array([0.05, 0.95])) * gain[k - 1] - 0.17 * k
        assert point["expected_profit"] == pytest.approx(0.3 * gain[k - 1] - 0.17 * k, abs=1e-3)
        assert (point["low"], point["high"]) == pytest.approx((low, high), rel=5e-3, abs=1e-3)


def test_no_two_figures_share_their_simulated_outcomes():
    """The plan, each offer, the two what-ifs, the forgone and the explored profit: one seed each, for any number
    of offers (two figures on one seed would draw the same chance in who buys less)."""
    for n in range(1, 8):
        offers = pd.DataFrame({"offer": [f"o{j}" for j in range(n)]})
        seeds = [outcome_seed(SPEC, offers, "plan"), outcome_seed(SPEC, offers, "forgone"),
                 outcome_seed(SPEC, offers, "explored"), *(outcome_seed(SPEC, offers, "offer", j) for j in range(n)),
                 *(outcome_seed(SPEC, offers, "what_if", k) for k in range(2))]
        assert len(set(seeds)) == len(seeds) == n + 5


def test_power_follows_the_arms_and_the_least_a_read_out_needs():
    rng = np.random.default_rng(3)
    plan = pd.DataFrame({"probability": rng.uniform(0.6, 0.9, 1000), "save_rate": 0.3, "offer": "x",
                         "contact": True, "control": rng.random(1000) < 0.2})
    big = power(plan, 0.05, 0.8, ["x", "y"], 30)
    assert big["power"] > 0.8 and big["campaigns_needed"] == 1
    assert big["offers"]["y"] == {"control": 0, "treated": 0, "power": None, "campaigns_needed": None,
                                  "planned": False}
    small = power(plan.iloc[:60], 0.05, 0.8, ["x"], 1)
    k = small["campaigns_needed"]
    assert small["power"] < 0.8 and k > 1
    args = (small["decline_rate_without_offer"], small["control"], small["decline_rate_with_offer"], small["treated"])
    # that many campaigns of this size reach the target power, one fewer does not
    assert power_of(args[0], k * args[1], args[2], k * args[3], 0.05) >= 0.8
    assert power_of(args[0], (k - 1) * args[1], args[2], (k - 1) * args[3], 0.05) < 0.8
    assert big["decline_rate_with_offer"] == pytest.approx(big["decline_rate_without_offer"] * 0.7, rel=0.01)
    few = power(plan.iloc[:40], 0.05, 0.8, ["x"], 30)  # about 8 control customers: four campaigns reach 30
    assert few["power"] == 0.0 and few["campaigns_needed"] >= -(-30 // few["control"])


def test_the_decline_rate_with_the_offers_and_the_power_have_the_save_rates_beta_range():
    """One offer at Beta(6, 14) for everyone contacted: the decline rate expected with it is mean(p) (1 - s), so
    its 5-95 % range is mean(p) (1 - the Beta's 95 and 5 % quantiles), and the power's range is the power at those
    two rates; with two offers each contributes its own part."""
    from scipy.special import betaincinv

    one = spec(**{"offers": {"cart_reminder": {"text": "cart", "cost": 0.15, "save_rate": {"alpha": 6, "beta": 14}}},
                  "control.share": 0.2})
    p = np.random.default_rng(4).uniform(0.3, 0.9, 500)
    customers = pd.DataFrame({"id": np.arange(500), "probability": p, "profit": 4.0})
    offers = catalogue(one)
    plan = make_plan(customers, one, offers)
    contact = plan["contact"].to_numpy(bool)
    figures = power(plan, 0.05, 0.8, ["cart_reminder"], 30, with_offer_draws(plan, offers,
                                                                             save_rate_draws(offers, 20_000, 0)))
    q05, q95 = betaincinv(6, 14, np.array([0.05, 0.95]))
    mean_p = p[contact].mean()
    assert (figures["decline_rate_with_offer_low"], figures["decline_rate_with_offer_high"]) == \
        pytest.approx((mean_p * (1 - q95), mean_p * (1 - q05)), abs=2e-3)
    assert figures["decline_rate_with_offer_low"] < figures["decline_rate_with_offer"] < \
        figures["decline_rate_with_offer_high"]
    arms = (figures["control"], figures["treated"])
    exact = [power_of(mean_p, arms[0], mean_p * (1 - q), arms[1], 0.05) for q in (q05, q95)]
    assert (figures["power_low"], figures["power_high"]) == pytest.approx(exact, abs=5e-3)
    assert figures["power_low"] < figures["power"] < figures["power_high"]
    # too few customers in an arm for a read-out to call a result: no power at any draw
    few = power(plan, 0.05, 0.8, ["cart_reminder"], 10_000, with_offer_draws(plan, offers,
                                                                            save_rate_draws(offers, 100, 0)))
    assert few["power"] == few["power_low"] == few["power_high"] == 0.0
    # a second offer whose rate is known (a Beta of huge weight) widens nothing: the range is the first offer's part
    two = spec(**{"offers": {**one["offers"],
                             "recommendations": {"text": "r", "cost": 0.1, "save_rate": {"alpha": 3e6, "beta": 7e6}}}})
    offers2 = catalogue(two)
    split = plan.assign(offer=np.where(np.arange(500) % 2 == 0, "cart_reminder", "recommendations"), save_rate=0.3)
    drawn = with_offer_draws(split, offers2, save_rate_draws(offers2, 20_000, 0))
    first = (p * (np.arange(500) % 2 == 0))[contact].sum() / contact.sum()
    assert np.diff(np.quantile(drawn, [0.05, 0.95]))[0] == pytest.approx(first * (q95 - q05), abs=2e-3)
    assert len(with_offer_draws(plan.assign(contact=False), offers, save_rate_draws(offers, 10, 0))) == 10


def test_the_decline_rate_with_the_offers_clips_each_customers_rate_as_the_simulation_does():
    """Customers' own rates up to 0.95 under offers whose drawn rate is up to twice their mean: a rate scaled past
    1 keeps the customer, no more (as simulated_profits clips it). Against the per-customer sum; the rate never
    falls below 0, and the power is defined at every draw."""
    rng = np.random.default_rng(5)
    n = 400
    plan = pd.DataFrame({"probability": rng.uniform(0.2, 0.9, n), "save_rate": rng.uniform(0.05, 0.95, n),
                         "offer": rng.choice(["a", "b"], n), "contact": True, "control": np.arange(n) < 300})
    offers = pd.DataFrame({"offer": ["a", "b"], "save_rate": [0.5, 0.3]})
    draws = rng.uniform(0, 1, (300, 2))
    drawn = with_offer_draws(plan, offers, draws)
    j = plan["offer"].map({"a": 0, "b": 1}).to_numpy()
    scaled = plan["save_rate"].to_numpy()[None, :] * (draws / [0.5, 0.3])[:, j]
    assert (scaled > 1).any()  # some customers' rates are clipped
    exact = (plan["probability"].to_numpy()[None, :] * (1 - np.clip(scaled, 0, 1))).mean(axis=1)
    assert drawn == pytest.approx(exact, abs=1e-12) and drawn.min() >= 0
    figures = power(plan, 0.05, 0.8, ["a", "b"], 30, drawn)
    assert 0 <= figures["power_low"] <= figures["power_high"] <= 1


def test_the_repository_campaign_params_plan():
    """The default economics make a plan with every offer used somewhere on a varied synthetic store."""
    from oneclick.data.synthesize import draw_customers

    customers = draw_customers(2000, seed=5, separation=0.9)
    customers["probability"] = np.random.default_rng(1).uniform(0, 1, len(customers))
    s = PARAMS["campaign"]
    plan = make_plan(customers, s, catalogue(s))
    assert set(plan.loc[plan["contact"], "offer"]) == set(s["offers"])
    assert 0 < plan["contact"].mean() < 1


def test_the_ranges_over_the_save_rates_and_chance_are_the_known_mixtures():
    """Two offers, each customer eligible for one, customers alike within an offer: given an offer's save rate s the
    kept customers are binomial(n, p s), and s is its Beta, so the kept customers follow the binomial mixed over the
    Beta (integrated over s on a fine grid). The offers' rates are drawn independently, so the plan's kept value is
    the two mixtures convolved. Each 5-95 % range is held against those quantiles, within four of the simulated
    quantile's standard errors."""
    from scipy.stats import beta as beta_dist
    from scipy.stats import binom

    both = spec(**{"offers.cart_reminder.save_rate": {"alpha": 60, "beta": 140}})  # chance and s matter alike
    groups = {"recommendations": (600, 0.8, 0, (2, 18), 0.07), "cart_reminder": (400, 0.5, 5, (60, 140), 0.17)}
    customers = pd.concat([pd.DataFrame({"probability": p, "profit": 4.0, "unpaid_items_quarter": unpaid},
                                        index=range(n)) for n, p, unpaid, _, _ in groups.values()],
                          ignore_index=True).assign(id=lambda f: f.index)
    offers = catalogue(both)
    plan = make_plan(customers, both, offers)
    draws = 20_000
    figures = totals(plan, offers, both, save_rate_draws(offers, draws, 0))
    value = 3.6  # profit 4: 30 % of it for 3 months
    s = np.linspace(0, 1, 20_001)[1:-1]
    pmfs = {}
    for name, (n, p, _, (a, b), _) in groups.items():
        assert (plan["offer"] == name).sum() == n and plan.loc[plan["offer"] == name, "contact"].all()
        weights = beta_dist.pdf(s, a, b)
        pmfs[name] = weights @ binom.pmf(np.arange(n + 1)[None, :], n, p * s[:, None]) / weights.sum()
    pmfs["plan"] = np.convolve(pmfs["recommendations"], pmfs["cart_reminder"])
    cost = {name: g[0] * g[4] for name, g in groups.items()} | {"plan": 600 * 0.07 + 400 * 0.17}
    for name, figure in [("plan", figures)] + [(o, figures["offers"][o]) for o in groups]:
        cdf = np.cumsum(pmfs[name])
        for bound, q in (("expected_profit_low", 0.05), ("expected_profit_high", 0.95)):
            exact = int(np.searchsorted(cdf, q))
            standard_error = np.sqrt(q * (1 - q) / draws) / pmfs[name][exact]  # a simulated quantile's, in customers
            kept = (figure[bound] + cost[name]) / value
            assert kept == pytest.approx(exact, abs=4 * standard_error + 1), (name, bound)
