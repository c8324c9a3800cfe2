"""Correlation: phik with the target, the strongest pairs, VIF, the metrics other stages read."""

import numpy as np
import pandas as pd
import pytest
from test_params import changed

from oneclick.common.errors import ParamsError
from oneclick.data.columns import FEATURES, NUMERIC, TARGET
from oneclick.insight.correlate import correlation_matrix, feature_pairs, heatmap, summary, vif_table
from oneclick.plots import save_figure
from tools.check_params import validate

INTERVAL = ["marketing_6m", "tenure_days", "promo_share", "revenue_prev2", "revenue_prev", "revenue_current",
            "minutes_prev", "minutes_current"]


@pytest.fixture(scope="module")
def matrix(synthetic_table):
    return correlation_matrix(synthetic_table, INTERVAL, bins=10)


def test_phik_matrix_covers_every_feature_and_the_target(matrix):
    assert list(matrix.columns) == FEATURES + [TARGET] and list(matrix.index) == FEATURES + [TARGET]
    assert np.allclose(np.diag(matrix), 1) and np.allclose(matrix, matrix.T)
    assert matrix[TARGET].drop(TARGET).max() > 0.3  # the synthetic target depends on the features


def test_pairs_leave_out_the_target_and_come_strongest_first(matrix):
    pairs = feature_pairs(matrix)
    assert len(pairs) == len(FEATURES) * (len(FEATURES) - 1) // 2
    assert TARGET not in set(pairs["feature_a"]) | set(pairs["feature_b"])
    assert pairs["phik"].is_monotonic_decreasing


def test_vif_finds_a_linear_combination():
    rng = np.random.default_rng(0)
    a, b, c = rng.normal(size=(3, 500))
    table = pd.DataFrame({"a": a, "b": b, "c": c, "ab": a + b + rng.normal(scale=0.1, size=500)})
    vif = vif_table(table, ["a", "b", "c", "ab"]).set_index("feature")["vif"]
    assert vif["ab"] > 50 and vif["c"] < 1.1
    assert vif.index[0] in {"a", "b", "ab"}  # sorted, largest first


def test_metrics_keep_the_names_other_stages_read(matrix, synthetic_table):
    pairs, vif = feature_pairs(matrix), vif_table(synthetic_table)
    record = summary(matrix, pairs, vif, threshold=0.5)
    assert set(record["max_pair"]) == {"features", "phik"} and set(record["max_vif"]) == {"feature", "vif"}
    assert record["max_pair"]["features"] == [pairs.iloc[0]["feature_a"], pairs.iloc[0]["feature_b"]]
    assert record["max_pair"]["phik"] == pairs["phik"].max()
    assert record["max_vif"] == {"feature": vif.iloc[0]["feature"], "vif": vif["vif"].max()}
    assert set(vif["feature"]) == set(NUMERIC)


def test_heatmap_is_byte_identical_across_runs(matrix, tmp_path):
    for run in ("a", "b"):
        save_figure(heatmap(matrix, INTERVAL), tmp_path / f"{run}.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


@pytest.mark.parametrize("key, value", [
    ("correlate.interval_columns", ["promo_share", "popular_category"]),
    ("correlate.threshold", 1.5),
    ("correlate.bins", 0),
])
def test_bad_correlate_params_name_the_key(key, value):
    with pytest.raises(ParamsError, match=key.replace(".", r"\.")):
        validate(changed(key, value))
