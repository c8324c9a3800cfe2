"""Calibration: the same numbers as scikit-learn's, chosen out of fold, never from a customer's own label."""

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV, _sigmoid_calibration
from sklearn.isotonic import IsotonicRegression

from oneclick.data.columns import FEATURES, TARGET
from oneclick.model import calibration
from oneclick.model.pipeline import build_pipeline
from oneclick.model.scoring import fold_splitter, folds, out_of_fold

CV = {"folds": 5, "repeats": 1, "seed": 3, "n_jobs": 1}


def miscalibrated(n: int, seed: int = 0):
    """Labels drawn with probability p, scores p squared: right order, wrong level."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, n)
    return p**2, (rng.random(n) < p).astype(int)


def test_platt_and_isotonic_are_scikit_learns():
    scores, y = miscalibrated(800)
    a, b = calibration.fit("sigmoid", scores, y)["a"], calibration.fit("sigmoid", scores, y)["b"]
    ref_a, ref_b = _sigmoid_calibration(scores, y)
    assert a == pytest.approx(ref_a, abs=1e-4) and b == pytest.approx(ref_b, abs=1e-4)
    iso = calibration.fit("isotonic", scores, y)
    grid = np.linspace(-0.2, 1.2, 500)
    expected = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(scores, y).predict(grid)
    np.testing.assert_allclose(calibration.apply(iso, grid), expected, atol=1e-12)
    assert calibration.apply({"method": "none"}, [-0.1, 0.3, 1.5]).tolist() == [0.0, 0.3, 1.0]


def test_scores_a_bit_apart_give_the_same_calibrator():
    """Another CPU's scores and fit differ in the last bits (numpy's SIMD, OpenBLAS's kernels): the calibrator's
    numbers, 12 significant digits, and so the probabilities it gives, are the same."""
    scores, y = miscalibrated(800)
    nudged = scores.copy()
    some = np.random.default_rng(0).choice(len(scores), 50, replace=False)
    nudged[some] = np.nextafter(nudged[some], 1)  # one bit up
    assert calibration._platt(scores, y) != calibration._platt(nudged, y)  # the fit feels it
    for method in ("sigmoid", "isotonic"):
        calibrator = calibration.fit(method, scores, y)
        assert calibrator == calibration.fit(method, nudged, y)
        numbers = [calibrator["a"], calibrator["b"]] if method == "sigmoid" else calibrator["x"] + calibrator["y"]
        assert all(v == float(f"{v:.12g}") for v in numbers), numbers  # 12 significant digits at most
    grid = np.linspace(0, 1, 101)
    a, b = calibration._platt(scores, y)
    unrounded = calibration.apply({"method": "sigmoid", "a": a, "b": b}, grid)
    np.testing.assert_allclose(calibration.apply(calibration.fit("sigmoid", scores, y), grid), unrounded, atol=1e-11)


def test_out_of_fold_calibration_is_calibrated_classifier_cv_without_ensemble(synthetic_table):
    """scikit-learn's CalibratedClassifierCV(ensemble=False) fits the calibrator on cross_val_predict's scores of the
    same folds and refits the model on every row: the calibrate stage does the same in two steps."""
    table = synthetic_table
    X, y = table[FEATURES], table[TARGET]
    pipeline = build_pipeline({"estimator": "knn", "args": {"n_neighbors": 25}})
    calibrator = calibration.fit("sigmoid", out_of_fold(pipeline, X, y, CV), y)
    ours = calibration.apply(calibrator, pipeline.fit(X, y).predict_proba(X)[:, 1])
    reference = CalibratedClassifierCV(build_pipeline({"estimator": "knn", "args": {"n_neighbors": 25}}),
                                       method="sigmoid", cv=fold_splitter(CV), ensemble=False).fit(X, y)
    np.testing.assert_allclose(ours, reference.predict_proba(X)[:, 1], atol=1e-4)


def test_the_choice_fixes_miscalibrated_scores_and_keeps_calibrated_ones():
    scores, y = miscalibrated(4000)
    parts = folds(scores.reshape(-1, 1), y, CV)
    chosen, table = calibration.choose(scores, y, parts, list(calibration.METHODS))
    assert chosen != "none" and table[chosen]["log_loss"] < table["none"]["log_loss"] - 0.01
    assert abs(table[chosen]["mean_probability"] - table[chosen]["observed_rate"]) < 0.01
    # paired over the customers: the uncalibrated scores are detectably worse, the chosen one is the baseline
    difference, low, high = table["none"]["log_loss_minus_chosen"]
    assert difference == pytest.approx(table["none"]["log_loss"] - table[chosen]["log_loss"], abs=2e-6)
    assert 0 < low < difference < high
    assert table[chosen]["log_loss_minus_chosen"] == [0.0, 0.0, 0.0]
    half = 1.959964 * np.std(calibration.log_losses(y, calibration.cross_fitted("none", scores, y, parts))
                             - calibration.log_losses(y, calibration.cross_fitted(chosen, scores, y, parts)),
                             ddof=1) / np.sqrt(len(y))
    assert (high - low) / 2 == pytest.approx(half, abs=2e-6)
    p = np.sqrt(scores)  # the true probabilities: nothing to fix
    chosen, table = calibration.choose(p, y, parts, list(calibration.METHODS))
    assert table["none"]["log_loss"] - table[chosen]["log_loss"] < 0.003
    fixed, _ = calibration.choose(scores, y, parts, list(calibration.METHODS), method="isotonic")
    assert fixed == "isotonic"  # set in params: no choice made


def test_a_customers_own_label_never_moves_its_cross_fitted_probability():
    scores, y = miscalibrated(600, seed=4)
    parts = folds(scores.reshape(-1, 1), y, CV)
    for method in ("sigmoid", "isotonic"):
        before = calibration.cross_fitted(method, scores, y, parts)
        flipped = y.copy()
        flipped[17] = 1 - flipped[17]
        after = calibration.cross_fitted(method, scores, flipped, parts)
        assert after[17] == before[17]
        held = next(h for _, h in parts if 17 in h)
        others = np.setdiff1d(np.arange(len(y)), held)
        assert not np.allclose(after[others], before[others])  # it moves the other folds' calibrators


def test_reliability_bins_count_every_customer():
    scores, y = miscalibrated(1003)
    points = calibration.reliability(y, scores, 10)
    assert len(points) == 10 and sum(p["customers"] for p in points) == 1003
    assert [p["predicted"] for p in points] == sorted(p["predicted"] for p in points)
    weighted = sum(p["observed"] * p["customers"] for p in points) / 1003
    assert weighted == pytest.approx(y.mean(), abs=1e-5)


def test_the_log_loss_clips_as_scikit_learn_does():
    """Probabilities of exactly 0 or 1 (calibration `none` or isotonic) are clipped at the machine epsilon, as
    scikit-learn's log_loss does: a confident miss costs what it costs there."""
    from sklearn.metrics import log_loss as sklearn_log_loss

    from oneclick.model.calibration import log_loss

    y, p = np.array([1, 0, 1, 0]), np.array([0.0, 1.0, 1.0, 0.0])
    assert log_loss(y, p) == pytest.approx(sklearn_log_loss(y, p), rel=1e-12)
