"""The model card's own arithmetic: the corrected CV interval and DVC's directory hash."""

import math

import pytest
from scipy import stats

from oneclick.model_card import cv_interval, dvc_dir_hash


def test_cv_interval_is_the_corrected_resampled_t():
    """5 folds x 2 repeats: variance std² (1/10 + 1/4), not std²/10 (the folds share training rows)."""
    low, high = cv_interval(0.9, 0.02, folds=5, repeats=2)
    half = stats.t.ppf(0.975, 9) * 0.02 * math.sqrt(1 / 10 + 1 / 4)
    assert (low, high) == pytest.approx((0.9 - half, 0.9 + half))
    assert half > stats.t.ppf(0.975, 9) * 0.02 / math.sqrt(10)  # wider than the naive interval
    assert cv_interval(0.99, 0.05, folds=5, repeats=2)[1] == 1.0  # a ROC-AUC interval stops at 1


def test_dvc_dir_hash_changes_with_content_and_names(tmp_path):
    (tmp_path / "a.csv").write_text("x\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.csv").write_text("y\n")
    first = dvc_dir_hash(tmp_path)
    assert first.endswith(".dir") and dvc_dir_hash(tmp_path) == first
    (tmp_path / "sub" / "b.csv").write_text("z\n")
    assert dvc_dir_hash(tmp_path) != first
