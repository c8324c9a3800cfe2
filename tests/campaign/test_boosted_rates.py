"""The boosted save-rate variant of benchmarks/boosted_rates.py: its Newton steps and what they recover."""

import numpy as np
import pytest
from scipy.special import expit

from benchmarks.boosted_rates import boost, increments, loss, steps


def test_steps_are_the_loss_derivative_and_its_expected_curvature():
    rng = np.random.default_rng(0)
    F, p = rng.normal(-1, 1, 50), rng.uniform(0.2, 0.9, 50)
    for y in (np.zeros(50), np.ones(50)):
        g, _ = steps(F, p, y)
        eps = 1e-6
        assert g == pytest.approx((loss(F + eps, p, y) - loss(F - eps, p, y)) / (2 * eps), rel=1e-5, abs=1e-9)
    q = p * (1 - expit(F))  # Fisher information: E over y of the squared gradient
    g1, h = steps(F, p, np.ones(50))
    g0, _ = steps(F, p, np.zeros(50))
    assert h == pytest.approx(q * g1 ** 2 + (1 - q) * g0 ** 2, rel=1e-9)


def test_boosting_recovers_a_save_rate_that_jumps_with_a_feature():
    rng = np.random.default_rng(1)
    n = 6000
    x = rng.uniform(0, 1, n)
    p = rng.uniform(0.4, 0.9, n)
    s = np.where(x >= 0.5, 0.5, 0.1)
    y = (rng.random(n) < p * (1 - s)).astype(float)
    X, F0 = x[:, None], np.full(n, np.log(0.3 / 0.7))
    trees = boost(X, F0, p, y, 60)
    fitted = expit(F0 + increments(trees, X)[-1])
    assert fitted[x >= 0.5].mean() == pytest.approx(0.5, abs=0.08)
    assert fitted[x < 0.5].mean() == pytest.approx(0.1, abs=0.08)
    assert loss(F0 + increments(trees, X)[-1], p, y).sum() < loss(F0, p, y).sum()
