"""Leak-free scores, segment edges and thresholds, segment figures and profiles, the scatter's sample."""

import numpy as np
import pandas as pd
import pytest
from segment_fixtures import PARAMS, customers_and_profit, importance, random_scores, segment_spec
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import proportion_confint

from oneclick.common.errors import DataError
from oneclick.data.columns import FEATURES, TARGET
from oneclick.insight.segment_plots import shown_customers
from oneclick.insight.segments import CELLS, FEATURE_NAMES, assign_segments, build, check_thresholds, resolve_thresholds
from oneclick.model.pipeline import build_pipeline, encoded_features, preprocessor
from oneclick.model.scoring import folds, out_of_fold

CV = {"folds": 3, "repeats": 1, "seed": 0, "n_jobs": 1}
NAMES = dict(PARAMS["segment"]["names"])


@pytest.fixture(scope="module")
def customers(synthetic_dir):
    return customers_and_profit(synthetic_dir)


def test_no_customer_is_scored_by_a_model_that_saw_it(customers):
    """With random labels a 1-nearest-neighbour model is perfect on what it saw and guesses elsewhere."""
    kept = customers[0].copy()
    kept[TARGET] = np.random.default_rng(0).integers(0, 2, len(kept))
    memorizer = build_pipeline({"estimator": "knn", "args": {"n_neighbors": 1}}).fit(kept[FEATURES], kept[TARGET])
    assert roc_auc_score(kept[TARGET], memorizer.predict_proba(kept[FEATURES])[:, 1]) == 1.0
    scores = out_of_fold(memorizer, kept[FEATURES], kept[TARGET], CV)
    auc = roc_auc_score(kept[TARGET], scores)
    assert 0.35 < auc < 0.65, f"customers scored in-sample (ROC-AUC {auc:.2f})"
    assert len(folds(kept[FEATURES], kept[TARGET], CV)) == CV["folds"]


def test_segment_edges_are_inclusive():
    thresholds = {"risk": 0.5, "profit": 4.0}
    below_risk, below_profit = np.nextafter(0.5, 0), np.nextafter(4.0, 0)
    scores = pd.DataFrame({"probability": [0.5, 0.5, below_risk, below_risk, 0.9],
                           "profit": [4.0, below_profit, 4.0, below_profit, np.nan]})
    segment = assign_segments(scores, thresholds, NAMES)
    assert segment[:4].tolist() == [NAMES[c] for c in CELLS]
    assert segment.isna().tolist() == [False] * 4 + [True]  # no profit, no segment


def test_profit_threshold_is_a_number_or_a_quantile():
    profit = pd.Series([1.0, 2.0, 3.0, 4.0])
    assert resolve_thresholds(segment_spec(profit_threshold={"quantile": 0.5}), profit)["profit"] == 2.5
    assert resolve_thresholds(segment_spec(profit_threshold={"quantile": 0.75}), profit)["profit"] == 3.25
    assert resolve_thresholds(segment_spec(profit_threshold=3), profit)["profit"] == 3.0


def test_segments_partition_customers(customers):
    kept, profit = customers
    scores = random_scores(kept)
    table, summary, profile, t = build(scores, kept, profit, importance(), segment_spec(), encoded_features)
    assert len(table) == len(kept) and summary["customers"].sum() == len(kept)
    merged = table.merge(profit, on="id", suffixes=("", "_raw"))
    assert (merged["profit"] == merged["profit_raw"]).all()
    for row in summary.itertuples():
        part = table[table["segment"] == row.segment]
        assert row.customers == len(part)
        assert row.mean_probability == pytest.approx(part["probability"].mean(), abs=1e-4)
        decreased = kept.set_index("id").loc[part["id"], TARGET]
        assert row.decline_rate == pytest.approx(decreased.mean(), abs=1e-4)
        low, high = proportion_confint(int(decreased.sum()), len(decreased), alpha=0.05, method="wilson")
        assert (row.decline_low, row.decline_high) == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))
    high_risk = table["segment"].isin([NAMES[c] for c in CELLS[:2]])
    assert ((table["probability"] >= t["risk"]) == high_risk).all()
    assert t["profit"] == pytest.approx(table["profit"].median())  # over the scored customers only
    assert set(profile["segment"]) == set(NAMES.values())


def test_thresholds_from_other_params_are_refused():
    t = resolve_thresholds(segment_spec(), pd.Series([1.0, 2.0]))
    check_thresholds(t, segment_spec(), "metrics/segments.json")
    with pytest.raises(DataError, match="other `segment` params than params.yaml"):
        check_thresholds(t, segment_spec(risk_threshold=0.7), "metrics/segments.json")


def test_profile_features_are_the_pipeline_features(customers):
    kept, _ = customers
    names = preprocessor("standard").fit(kept[FEATURES]).get_feature_names_out()
    assert sorted(names) == sorted(FEATURE_NAMES)


def test_the_scatter_shows_every_kth_customer_of_a_large_store_and_all_of_a_small_one():
    rng = np.random.default_rng(5)
    table = pd.DataFrame({"id": rng.permutation(12_345) + 1,
                          "segment": rng.choice(list(NAMES.values()), 12_345, p=[0.1, 0.2, 0.3, 0.4])})
    shown = shown_customers(table, 1000)
    assert 900 < len(shown) <= 1000 and shown["id"].is_monotonic_increasing
    assert set(shown["id"]) <= set(table["id"])
    shares = shown["segment"].value_counts(normalize=True)
    expected = table["segment"].value_counts(normalize=True)
    assert (shares - expected).abs().max() < 0.03  # each segment keeps its share
    assert len(shown_customers(table, 20_000)) == len(table)


@pytest.mark.parametrize("share", [False, True])
def test_an_effects_interval_is_the_bootstrap_of_the_effect(share):
    """The normal interval of a standardized mean difference (or Cohen's h) against resampling each group's
    customers (percentile bootstrap, 2000 resamples)."""
    from oneclick.insight.segments import effect_interval, effect_size

    rng = np.random.default_rng(5)
    n1, n2 = 220, 1080
    if share:
        inside, outside = pd.Series(rng.random(n1) < 0.45), pd.Series(rng.random(n2) < 0.3)
    else:
        inside, outside = pd.Series(rng.gamma(2.0, 1.5, n1) + 1.0), pd.Series(rng.gamma(2.0, 1.5, n2))
    inside, outside = inside.astype(float), outside.astype(float)
    effect = effect_size(inside, outside, share)
    low, high = effect_interval(effect, n1, n2, share)
    a, b = inside.to_numpy(), outside.to_numpy()
    draws = [effect_size(pd.Series(a[rng.integers(0, n1, n1)]), pd.Series(b[rng.integers(0, n2, n2)]), share)
             for _ in range(2000)]
    ref_low, ref_high = np.percentile(draws, [2.5, 97.5])
    half = (ref_high - ref_low) / 2
    assert low == pytest.approx(ref_low, abs=0.12 * half) and high == pytest.approx(ref_high, abs=0.12 * half)


def test_missing_inputs_are_named_and_unlabelled_customers_have_no_decline_rate(tmp_path):
    from oneclick.insight.segments import join_profit, read_importance, summarize

    scores = pd.DataFrame({"id": [1, 2, 3], "probability": [0.2, 0.7, 0.9]})
    with pytest.raises(DataError, match=r"profit.csv: no profit for scored customers \[3\]"):
        join_profit(scores, pd.DataFrame({"id": [1, 2], "profit": [4.0, 5.0]}))
    with pytest.raises(DataError, match="importance.csv: not found; run `dvc repro` \\(stage explain\\)"):
        read_importance(tmp_path / "importance.csv")
    pd.DataFrame({"feature": ["x"], "importance": [0.1]}).to_csv(tmp_path / "importance.csv", index=False)
    with pytest.raises(DataError, match=r"missing column\(s\) \['direction'\]"):
        read_importance(tmp_path / "importance.csv")
    names = {cell: cell for cell in CELLS}
    table = scores.assign(profit=[4.0, 5.0, 6.0], segment=CELLS[0])  # new customers: no label
    row = summarize(table, names).iloc[0]
    assert row["customers"] == 3 and row["decline_rate"] is None and row["decline_low"] is None
