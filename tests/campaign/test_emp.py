"""The expected maximum profit: empulse's EMPC where the two models coincide, a slow reference elsewhere."""

import numpy as np
import pandas as pd
import pytest
from empulse.metrics import empc_score

from oneclick.campaign.emp import (
    customer_shares,
    expected_maximum_profit,
    on_known_outcomes,
    profit_curves,
    realized_profit,
)
from oneclick.campaign.offers import save_rate_draws


@pytest.mark.parametrize("contact_cost", [0.2, 0.5, 1.0])
def test_one_offer_with_a_constant_value_is_empulses_empc(contact_cost):
    """Verbraken et al.'s churn model charges the incentive only to those who accept it; with an incentive of 0 both
    models give a contacted customer who would leave gamma x CLV - f and one who would stay -f."""
    rng = np.random.default_rng(0)
    n = 500
    y = rng.integers(0, 2, n)
    scores = np.round(np.clip(0.35 * y + 0.65 * rng.random(n), 0, 1), 2)  # rounded: ties, as thresholds see them
    value = 3.6
    draws = save_rate_draws(pd.DataFrame({"alpha": [6.0], "beta": [14.0]}), 4000, 0)
    ours = expected_maximum_profit(y, np.full(n, value), np.full(n, contact_cost), np.zeros(n, dtype=int), draws,
                                   scores * 0.3 * value - contact_cost, np.arange(n))
    reference = empc_score(y, scores, alpha=6, beta=14, clv=value, incentive_cost=0, contact_cost=contact_cost)
    assert ours["emp_per_1000"] / 1000 == pytest.approx(reference, rel=2e-4)


def slow_curves(declined, value, cost, offer, draws, key, ids):
    """Per draw: contact the first k of the order for every k at a tie group's end, sum, keep the best."""
    order = sorted(range(len(ids)), key=lambda i: (-key[i], ids[i]))
    best, best_k = [], []
    for d in range(len(draws)):
        top, top_k, total = 0.0, 0, 0.0
        for position, i in enumerate(order):
            total += declined[i] * draws[d][offer[i]] * value[i] - cost[i]
            last_of_group = position == len(order) - 1 or key[order[position + 1]] != key[i]
            if last_of_group and total > top:
                top, top_k = total, position + 1
        best.append(top)
        best_k.append(top_k)
    return np.array(best), np.array(best_k)


def test_several_offers_and_values_match_a_slow_reference():
    rng = np.random.default_rng(1)
    n = 120
    declined = rng.integers(0, 2, n)
    value = rng.uniform(1, 6, n)
    offer = rng.integers(0, 3, n)
    cost = np.array([0.07, 0.17, 0.62])[offer]
    key = np.round(rng.uniform(-0.3, 1, n), 1)  # many ties
    draws = save_rate_draws(pd.DataFrame({"alpha": [2.0, 6.0, 8.0], "beta": [18.0, 14.0, 12.0]}), 50, 3)
    fast = profit_curves(declined, value, cost, offer, draws, key, np.arange(n))
    slow = slow_curves(declined, value, cost, offer, draws, key, np.arange(n))
    np.testing.assert_allclose(fast[0], slow[0], atol=1e-9)
    np.testing.assert_array_equal(fast[1], slow[1])


def test_each_customers_share_is_what_they_earn_in_the_draws_that_reach_them():
    rng = np.random.default_rng(1)
    n = 120
    declined, value, offer = rng.integers(0, 2, n), rng.uniform(1, 6, n), rng.integers(0, 3, n)
    cost = np.array([0.07, 0.17, 0.62])[offer]
    key = np.round(rng.uniform(-0.3, 1, n), 1)
    draws = save_rate_draws(pd.DataFrame({"alpha": [2.0, 6.0, 8.0], "beta": [18.0, 14.0, 12.0]}), 50, 3)
    best, best_k = slow_curves(declined, value, cost, offer, draws, key, np.arange(n))
    order = sorted(range(n), key=lambda i: (-key[i], i))
    slow = np.zeros(n)
    for d in range(len(draws)):
        for i in order[:best_k[d]]:
            slow[i] += (declined[i] * draws[d][offer[i]] * value[i] - cost[i]) / len(draws)
    shares = customer_shares(declined, value, cost, offer, draws, key, np.arange(n), best_k)
    np.testing.assert_allclose(shares, slow, atol=1e-12)
    assert shares.sum() == pytest.approx(best.mean())


def test_the_emps_interval_is_the_bootstrap_of_the_maximum_itself():
    """The interval from the customers' shares against a bootstrap that recomputes the maximum on every resample
    (rows gathered, another seed)."""
    rng = np.random.default_rng(7)
    n = 1500
    p = rng.uniform(0.05, 0.95, n)
    declined = (rng.random(n) < p).astype(int)
    value, offer = rng.uniform(1, 6, n), rng.integers(0, 2, n)
    cost = np.array([0.1, 0.4])[offer]
    rate = np.array([0.15, 0.35])
    expected = p * rate[offer] * value - cost
    plan = pd.DataFrame({"id": np.arange(n), "probability": p, "value_at_stake": value,
                         "offer": np.array(["a", "b"])[offer], "offer_cost": cost - 0.02, "save_rate": rate[offer],
                         "expected_profit": expected, "contact": expected > 0, "control": False})
    draws = save_rate_draws(pd.DataFrame({"alpha": [3.0, 7.0], "beta": [17.0, 13.0]}), 100, 0)
    result = on_known_outcomes(plan, declined, np.zeros(n, bool), draws, ["a", "b"], 0.02)
    low, high = result["emp_interval"]
    resampled = []
    for _ in range(400):
        pick = rng.integers(0, n, n)
        resampled.append(expected_maximum_profit(declined[pick], value[pick], cost[pick], offer[pick], draws,
                                                 expected[pick], np.arange(n))["emp_per_1000"])
    ref_low, ref_high = np.percentile(resampled, [2.5, 97.5])
    half = (ref_high - ref_low) / 2
    assert low < result["emp_per_1000"] < high
    assert low == pytest.approx(ref_low, abs=0.15 * half) and high == pytest.approx(ref_high, abs=0.15 * half)


def test_chunks_do_not_change_the_result(monkeypatch):
    rng = np.random.default_rng(4)
    n = 300
    args = (rng.integers(0, 2, n), rng.uniform(1, 6, n), np.full(n, 0.2), np.zeros(n, dtype=int),
            save_rate_draws(pd.DataFrame({"alpha": [6.0], "beta": [14.0]}), 100, 0), rng.random(n), np.arange(n))
    whole = profit_curves(*args)
    monkeypatch.setattr("oneclick.campaign.emp.CHUNK", 700)  # two draws at a time
    np.testing.assert_array_equal(profit_curves(*args)[0], whole[0])


def test_the_plan_is_checked_against_simpler_rules_on_known_outcomes():
    plan = pd.DataFrame({"id": [1, 2, 3, 4], "probability": [0.9, 0.6, 0.3, 0.1], "value_at_stake": [3.0] * 4,
                         "offer": ["a"] * 4, "offer_cost": [0.1] * 4, "save_rate": [0.5] * 4,
                         "expected_profit": [1.23, 0.78, 0.33, 0.03], "contact": [True, True, True, False],
                         "control": [False, True, False, False]})
    declined = [1, 0, 1, 0]
    result = on_known_outcomes(plan, declined, [True, True, False, False], np.full((10, 1), 0.5), ["a"], 0.02)
    # contacted customers (control included): 1 saves 0.5 x 3 = 1.5, each costs 0.12
    assert result["realized_profit"] == {"plan": pytest.approx(1.5 + 1.5 - 0.36), "everyone": pytest.approx(3 - 0.48),
                                         "probability_0.5": pytest.approx(1.5 - 0.24),
                                         "priority_segment": pytest.approx(1.5 - 0.24)}
    assert result["contacts"] == {"plan": 3, "everyone": 4, "probability_0.5": 2, "priority_segment": 2}
    for name, (low, high) in result["realized_interval"].items():
        assert low <= result["realized_profit"][name] <= high
    for name, minus in result["plan_minus"].items():
        assert minus["difference"] == pytest.approx(result["realized_profit"]["plan"] - result["realized_profit"][name])
    # the plan and everyone differ only by customer 4, who costs 0.12 and never saves: every resample holding it
    # has the plan ahead by 0.12 x its count, so the interval is [0, 0.12 x a few]
    assert result["plan_minus"]["everyone"]["low"] >= 0 and result["plan_minus"]["everyone"]["high"] <= 0.48
    # at s = 0.5 the best count is 3 (2.64), per 1000 of the 4 customers
    assert result["emp_per_1000"] == pytest.approx(2.64 / 4 * 1000) and result["emp_contact_share"] == 0.75
    assert realized_profit([True, False], [1, 1], [0.2, 0.2], [10.0, 10.0], [1.0, 1.0]) == pytest.approx(1.0)


def test_the_known_outcome_intervals_are_the_normal_ones_on_many_customers():
    """On 4000 customers the bootstrap of a rule's realized profit (a sum over the customers) is the normal interval
    n (mean +- 1.96 sd / sqrt n) of the customers' terms (0 for those the rule leaves out), and the plan minus a
    rule is the same on the customers' paired differences: within 0.13 of the half-width, about three standard
    errors of a 1000-resample bootstrap's 2.5 % quantile (a 90 % interval fails it)."""
    from scipy.stats import norm

    rng = np.random.default_rng(8)
    n = 4000
    p = rng.uniform(0, 1, n)
    plan = pd.DataFrame({"id": np.arange(n), "probability": p, "value_at_stake": rng.uniform(0.5, 6, n),
                         "offer": "a", "offer_cost": 0.1, "save_rate": 0.3, "control": False})
    plan["expected_profit"] = p * 0.3 * plan["value_at_stake"] - 0.12
    plan["contact"] = plan["expected_profit"] > 0
    declined = (rng.random(n) < p).astype(int)
    result = on_known_outcomes(plan, declined, p > 0.8, np.full((10, 1), 0.3), ["a"], 0.02)
    earned = declined * 0.3 * plan["value_at_stake"].to_numpy() - 0.12

    def normal(terms):
        half = norm.ppf(0.975) * terms.std(ddof=1) * np.sqrt(n)
        return terms.sum() - half, terms.sum() + half, half

    plan_terms = earned * plan["contact"].to_numpy()
    for name, terms in (("plan", plan_terms), ("everyone", earned), ("probability_0.5", earned * (p >= 0.5))):
        low, high, half = normal(terms)
        assert result["realized_interval"][name] == pytest.approx([low, high], abs=0.13 * half), name
    low, high, half = normal(plan_terms - earned * (p >= 0.5))
    minus = result["plan_minus"]["probability_0.5"]
    assert [minus["low"], minus["high"]] == pytest.approx([low, high], abs=0.13 * half)
