"""The off-the-shelf S- and T-learners of benchmarks/meta_learners.py: each arm read as the offer it names."""

import numpy as np
import pandas as pd
import pytest

from benchmarks.meta_learners import fit, predict


@pytest.mark.parametrize("learner", ["s", "t"])
def test_a_save_rate_that_jumps_with_a_feature_is_recovered_per_arm(learner):
    """Offer a keeps 0.1 of the decliners where x is 0 and 0.5 where it is 1; offer b keeps none; the control arm
    of a and the customers not contacted get nothing. Two cells of a few thousand customers each, so that
    the classifiers' own error (large for the T-learner's separate fits where the rate moves with p) stays small."""
    rng = np.random.default_rng(2)
    n = 20_000
    x, p = rng.integers(0, 2, n), np.full(n, 0.6)
    offer = rng.choice(["a", "b", "none"], n, p=[0.4, 0.2, 0.4])
    control = (offer == "a") & (rng.random(n) < 0.25)
    treated = (offer != "none") & ~control
    s = np.where(treated & (offer == "a"), np.where(x == 1, 0.5, 0.1), 0.0)
    table = pd.DataFrame({"x": x, "probability": p, "offer": offer, "treated": treated, "control": control,
                          "declined": (rng.random(n) < p * (1 - s)).astype(int)})
    model = fit(table, {"a": {}, "b": {}}, ["x", "probability"], seed=0, learner=learner)
    grid = pd.DataFrame({"x": np.repeat([0, 1], 50), "probability": 0.6})
    rates = predict(model, grid)
    assert list(rates.columns) == ["a", "b"]
    assert rates["a"][:50].mean() == pytest.approx(0.1, abs=0.08)
    assert rates["a"][50:].mean() == pytest.approx(0.5, abs=0.08)
    assert rates["b"].mean() < 0.08
