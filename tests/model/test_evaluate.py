"""Test metrics: the vectorized bootstrap ROC-AUC and PR-AUC agree with scikit-learn's."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from oneclick.model.evaluate import (
    bootstrap_intervals,
    confusion_counts,
    pr_points,
    roc_points,
    weighted_scores,
)
from oneclick.model.evaluate import test_metrics as metrics_of  # not collected as a test


def test_weighted_scores_match_sklearn_with_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    proba = np.round(rng.random(200) * 0.5 + 0.3 * y, 1)  # coarse scores: many ties
    weights = rng.integers(0, 4, (5, 200)).astype(float)
    scores = weighted_scores(y, proba, weights)
    np.testing.assert_allclose(scores["roc_auc"], [roc_auc_score(y, proba, sample_weight=w) for w in weights])
    np.testing.assert_allclose(scores["pr_auc"], [average_precision_score(y, proba, sample_weight=w) for w in weights])
    once = weighted_scores(y, proba, np.ones((1, 200)))
    assert once["roc_auc"][0] == pytest.approx(roc_auc_score(y, proba))
    assert once["pr_auc"][0] == pytest.approx(average_precision_score(y, proba))


def test_bootstrap_interval_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    proba = rng.random(300) * 0.6 + 0.3 * y
    intervals = bootstrap_intervals(y, proba, 500, seed=7)
    assert intervals == bootstrap_intervals(y, proba, 500, seed=7)
    # the same resamples whichever scores are taken from them
    assert bootstrap_intervals(y, proba, 500, seed=7, names=("roc_auc",)) == {"roc_auc": intervals["roc_auc"]}
    low, high = intervals["roc_auc"]
    assert low < roc_auc_score(y, proba) < high and high - low < 0.2
    low, high = intervals["pr_auc"]
    assert low < average_precision_score(y, proba) < high and high - low < 0.2


def test_the_roc_and_pr_auc_intervals_are_scikit_learns_on_gathered_resamples():
    """Against resamples gathered row by row (another seed) and scored by roc_auc_score and
    average_precision_score (scores with ties: rounded to 2 decimals)."""
    rng = np.random.default_rng(8)
    y = rng.integers(0, 2, 400)
    proba = np.round(rng.random(400) * 0.6 + 0.25 * y, 2)
    intervals = bootstrap_intervals(y, proba, 3000, seed=5)
    resamples = [rng.integers(0, 400, 400) for _ in range(3000)]
    for name, score in (("roc_auc", roc_auc_score), ("pr_auc", average_precision_score)):
        low, high = intervals[name]
        ref_low, ref_high = np.percentile([score(y[k], proba[k]) for k in resamples], [2.5, 97.5])
        half = (ref_high - ref_low) / 2
        assert low == pytest.approx(ref_low, abs=0.15 * half), name
        assert high == pytest.approx(ref_high, abs=0.15 * half), name


def test_roc_points_never_hold_infinity():
    points = roc_points([0, 1, 0, 1], [0.1, 0.9, 0.4, 0.6], max_points=1000)
    assert all(np.isfinite(p["threshold"]) and p["threshold"] <= 1 for p in points)


def test_large_curves_are_thinned_along_their_length_and_keep_their_shape():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 40_000)
    proba = rng.random(40_000) * 0.7 + 0.3 * y
    full = roc_points(y, proba, max_points=10**6)
    roc = roc_points(y, proba, max_points=500)
    assert len(full) > 5000 and len(roc) <= 500
    assert (roc[0], roc[-1]) == (full[0], full[-1])  # (0, 0) and (1, 1)
    area = np.trapezoid([p["tpr"] for p in roc], [p["fpr"] for p in roc])
    assert area == pytest.approx(roc_auc_score(y, proba), abs=0.002)
    pr = pr_points(y, proba, max_points=500)
    assert len(pr) <= 500 and pr[0] == pr_points(y, proba, max_points=10**6)[0]
    small = roc_points(y[:300], proba[:300], max_points=500)
    assert small == roc_points(y[:300], proba[:300], max_points=10**6)  # under the cap: every point


def test_bootstrap_does_not_depend_on_the_chunk_size():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 100)
    proba = rng.random(100) + 0.2 * y
    assert bootstrap_intervals(y, proba, 250, seed=3, chunk=100) == bootstrap_intervals(y, proba, 250, seed=3,
                                                                                         chunk=7)


def test_confusion_counts_are_the_test_metrics_cells():
    rng = np.random.default_rng(6)
    y = rng.integers(0, 2, 500)
    proba = rng.random(500) * 0.5 + 0.4 * y
    cells = confusion_counts(y, proba, 0.5).set_index(["actual", "predicted"])["customers"]
    expected = metrics_of(y, proba, 0.5, 10, 0)["confusion"]
    assert cells.to_dict() == {("kept", "kept"): expected["tn"], ("kept", "decreased"): expected["fp"],
                               ("decreased", "kept"): expected["fn"], ("decreased", "decreased"): expected["tp"]}
    assert len(confusion_counts(np.zeros(5), np.zeros(5), 0.5)) == 4  # empty cells too


def test_precision_and_recall_intervals_are_statsmodels_wilson_intervals():
    from statsmodels.stats.proportion import proportion_confint

    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 300)
    proba = rng.random(300) * 0.6 + 0.3 * y
    m = metrics_of(y, proba, 0.5, 10, 0)
    c = m["confusion"]
    for name, n in (("precision", c["tp"] + c["fp"]), ("recall", c["tp"] + c["fn"])):
        low, high = proportion_confint(c["tp"], n, alpha=0.05, method="wilson")
        assert (m[f"{name}_ci95_low"], m[f"{name}_ci95_high"]) == (pytest.approx(low, abs=1e-4),
                                                                   pytest.approx(high, abs=1e-4))
        assert m[f"{name}_ci95_low"] < m[name] < m[f"{name}_ci95_high"]


def test_the_calibrated_probabilitys_precision_and_recall_are_of_its_own_flags():
    """The calibrated probability flags other customers than the score at the same threshold: its precision and
    recall are scikit-learn's on those flags, with statsmodels' Wilson intervals."""
    from sklearn.metrics import precision_score, recall_score
    from statsmodels.stats.proportion import proportion_confint

    from oneclick.model.evaluate import calibrated_metrics

    rng = np.random.default_rng(9)
    y = rng.integers(0, 2, 400)
    raw = np.clip(0.25 + 0.4 * y + rng.normal(0, 0.2, 400), 0.01, 0.99)
    calibrated = 1 / (1 + np.exp(-6 * (raw - 0.4)))  # flags more customers at 0.5 than the score does
    m = calibrated_metrics(y, raw, calibrated, "sigmoid", 0.5)
    flagged = calibrated >= 0.5
    assert flagged.sum() > (raw >= 0.5).sum()
    for name, score, n in (("precision", precision_score, flagged.sum()), ("recall", recall_score, y.sum())):
        assert m[f"{name}_calibrated"] == pytest.approx(score(y, flagged), abs=1e-4)
        low, high = proportion_confint((flagged & (y == 1)).sum(), n, alpha=0.05, method="wilson")
        assert (m[f"{name}_calibrated_ci95_low"], m[f"{name}_calibrated_ci95_high"]) == \
            (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


def test_the_calibrations_losses_have_the_bootstrap_intervals_of_the_customers_terms():
    from oneclick.model.evaluate import calibrated_metrics
    from oneclick.stats import bootstrap_means

    rng = np.random.default_rng(8)
    y = rng.integers(0, 2, 2000)
    raw = np.clip(0.2 + 0.5 * y + rng.normal(0, 0.25, 2000), 0.01, 0.99)
    calibrated = 1 / (1 + np.exp(-2.5 * (raw - 0.45)))
    m = calibrated_metrics(y, raw, calibrated, "sigmoid", 0.5)
    brier_diff = (calibrated - y) ** 2 - (raw - y) ** 2
    loss_diff = -np.log(np.where(y == 1, calibrated, 1 - calibrated)) + np.log(np.where(y == 1, raw, 1 - raw))
    for key, terms in (("brier_change", brier_diff), ("log_loss_change", loss_diff),
                       ("brier_calibrated", (calibrated - y) ** 2)):
        (low,), (high,) = bootstrap_means(terms, 4000, seed=1)
        half = (high - low) / 2
        assert m[f"{key}_ci95_low"] == pytest.approx(low, abs=0.1 * half)
        assert m[f"{key}_ci95_high"] == pytest.approx(high, abs=0.1 * half)
    same = calibrated_metrics(y, raw, raw, "none", 0.5)
    assert (same["brier_change_ci95_low"], same["brier_change_ci95_high"]) == (0.0, 0.0)
