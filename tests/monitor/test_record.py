"""The realized-performance part of a monitor record on exports with few customers of a class."""

import json

import numpy as np
import pytest

from oneclick.monitor.record import realized

EXPECTED = {"roc_auc": 0.9, "roc_auc_ci95_low": 0.85, "roc_auc_ci95_high": 0.95, "brier_calibrated": 0.1}


@pytest.mark.parametrize("decreased", [0, 1, 49, 50])
def test_a_class_of_fewer_than_two_customers_gets_no_roc_auc_and_says_why(decreased):
    """DeLong's variance needs two customers of each class: with one, the interval would be NaN and read as
    'as expected'."""
    y = np.r_[np.ones(decreased), np.zeros(50 - decreased)].astype(int)
    record = realized(y, np.linspace(0.1, 0.9, 50), EXPECTED, bins=5)
    assert record["roc_auc"] is None and record["customers"] == 50
    assert record["verdict"] == ("one class only: no ROC-AUC" if decreased in (0, 50) else
                                 f"too few customers to judge: {decreased} whose activity decreased, "
                                 f"{50 - decreased} whose did not")
    json.dumps(record, allow_nan=False)  # no NaN written


def test_two_customers_of_each_class_get_a_finite_interval_and_a_verdict():
    y = np.array([1, 0, 1, 0, 0, 0])
    record = realized(y, np.array([0.9, 0.2, 0.4, 0.5, 0.1, 0.3]), EXPECTED, bins=2)
    assert record["roc_auc"] == pytest.approx(0.875)
    assert 0 <= record["roc_auc_ci95_low"] <= record["roc_auc"] <= record["roc_auc_ci95_high"] <= 1
    assert record["difference"] == pytest.approx(0.875 - 0.9, abs=1e-4)
    json.dumps(record, allow_nan=False)
