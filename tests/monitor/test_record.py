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
    record = realized(y, np.linspace(0.1, 0.9, 50), EXPECTED, bins=5, min_rows=2)
    assert record["roc_auc"] is None and record["customers"] == 50
    assert record["verdict"] == ("one class only: no ROC-AUC" if decreased in (0, 50) else
                                 f"too few customers to judge: {decreased} whose activity decreased, "
                                 f"{50 - decreased} whose did not")
    json.dumps(record, allow_nan=False)  # no NaN written


def test_two_customers_of_each_class_get_a_finite_interval_and_a_verdict():
    y = np.array([1, 0, 1, 0, 0, 0])
    record = realized(y, np.array([0.9, 0.2, 0.4, 0.5, 0.1, 0.3]), EXPECTED, bins=2, min_rows=2)
    assert record["roc_auc"] == pytest.approx(0.875)
    assert 0 <= record["roc_auc_ci95_low"] <= record["roc_auc"] <= record["roc_auc_ci95_high"] <= 1
    assert record["difference"] == pytest.approx(0.875 - 0.9, abs=1e-4)
    json.dumps(record, allow_nan=False)


def test_a_model_as_good_as_its_card_is_rarely_called_better_or_worse():
    """Exports drawn from a model whose true ROC-AUC is the card's (binormal, 40 % decliners): at the minimum of
    50 customers a verdict other than 'as expected' fires in about 7 % of them (nominal 5 %: DeLong's interval is
    a little narrow on 50 customers at this ROC-AUC; 4 % at 200); below the minimum there is no verdict (on 10
    customers a perfect ranking, whose DeLong interval has no width, called a third of them 'better')."""
    from scipy.stats import norm

    card = {"roc_auc": 0.9065, "roc_auc_ci95_low": 0.884, "roc_auc_ci95_high": 0.929}
    shift = np.sqrt(2) * norm.ppf(card["roc_auc"])  # binormal separation of that ROC-AUC
    rng = np.random.default_rng(11)
    verdicts = []
    for _ in range(600):
        y = (rng.random(50) < 0.4).astype(int)
        score = 1 / (1 + np.exp(-(rng.normal(0, 1, 50) + shift * y - shift / 2)))
        verdicts.append(realized(y, score, card, bins=5, min_rows=50)["verdict"])
    assert verdicts.count("better than the estimate") / 600 <= 0.08
    assert verdicts.count("worse than the estimate") / 600 <= 0.04
    assert verdicts.count("as expected") / 600 >= 0.91
    few = realized(np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]), np.linspace(0, 1, 10), card, bins=5, min_rows=50)
    assert few["roc_auc"] is None and few["verdict"] == "too few customers to judge (10 < monitor.min_rows 50)"
