"""The forest variant of benchmarks/forest_rates.py: its leaves are the learner's ratio of sums."""

import numpy as np
import pytest

from benchmarks.forest_rates import pseudo_outcome_forest


def test_one_leaf_is_the_ratio_of_sums():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.2, 0.9, 300)
    y = (rng.random(300) < p * 0.7).astype(float)
    X = rng.normal(size=(300, 2))
    forest = pseudo_outcome_forest(X, p, y, "extra", leaf=300, max_features=1.0, seed=0)  # no split: one leaf
    assert forest.predict(X[:5]) == pytest.approx(np.full(5, (p - y).sum() / p.sum()), rel=1e-12)


@pytest.mark.parametrize("forest", ["random", "extra"])
def test_a_save_rate_that_jumps_with_a_feature_is_recovered(forest):
    rng = np.random.default_rng(1)
    n = 6000
    x, noise = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    p = rng.uniform(0.4, 0.9, n)
    s = np.where(x >= 0.5, 0.5, 0.1)
    y = (rng.random(n) < p * (1 - s)).astype(float)
    fitted = pseudo_outcome_forest(np.column_stack([x, noise]), p, y, forest, leaf=200, max_features=1.0, seed=0)
    grid = np.column_stack([np.repeat([0.25, 0.75], 50), np.tile(np.linspace(0, 1, 50), 2)])
    rates = fitted.predict(grid)
    assert rates[:50].mean() == pytest.approx(0.1, abs=0.06)
    assert rates[50:].mean() == pytest.approx(0.5, abs=0.06)
