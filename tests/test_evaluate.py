"""Test metrics: the vectorized bootstrap ROC-AUC agrees with scikit-learn's."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from oneclick.evaluate import bootstrap_roc_auc, roc_points, weighted_roc_auc


def test_weighted_roc_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    proba = np.round(rng.random(200) * 0.5 + 0.3 * y, 1)  # coarse scores: many ties
    weights = rng.integers(0, 4, (5, 200)).astype(float)
    expected = [roc_auc_score(y, proba, sample_weight=w) for w in weights]
    np.testing.assert_allclose(weighted_roc_auc(y, proba, weights), expected)
    assert weighted_roc_auc(y, proba, np.ones((1, 200)))[0] == pytest.approx(roc_auc_score(y, proba))


def test_bootstrap_interval_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    proba = rng.random(300) * 0.6 + 0.3 * y
    low, high = bootstrap_roc_auc(y, proba, 500, seed=7)
    assert (low, high) == bootstrap_roc_auc(y, proba, 500, seed=7)
    assert low < roc_auc_score(y, proba) < high and high - low < 0.2


def test_roc_points_never_hold_infinity():
    points = roc_points([0, 1, 0, 1], [0.1, 0.9, 0.4, 0.6])
    assert all(np.isfinite(p["threshold"]) and p["threshold"] <= 1 for p in points)


def test_bootstrap_does_not_depend_on_the_chunk_size():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 100)
    proba = rng.random(100) + 0.2 * y
    assert bootstrap_roc_auc(y, proba, 250, seed=3, chunk=100) == bootstrap_roc_auc(y, proba, 250, seed=3, chunk=7)
