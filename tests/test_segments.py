"""Leak-free scores, segment edges, profit at risk, offers, control groups and the test size."""

import numpy as np
import pandas as pd
import pytest
from segment_fixtures import PARAMS, customers_and_profit, importance, random_scores, segment_spec
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from oneclick.columns import FEATURES, TARGET
from oneclick.offers import choose_offer, control_flags, needed_per_arm
from oneclick.registry import build_pipeline, preprocessor
from oneclick.scoring import brier_by_part, score_customers
from oneclick.segment_plots import shown_customers
from oneclick.segments import CELLS, FEATURE_NAMES, assign_segments, resolve_thresholds
from oneclick.targeting import build

CV = {"folds": 3, "repeats": 1, "seed": 0, "n_jobs": 1}
NAMES = dict(PARAMS["segment"]["names"])


@pytest.fixture(scope="module")
def customers(synthetic_dir):
    return customers_and_profit(synthetic_dir)


@pytest.mark.parametrize("calibration", ["none", "sigmoid"])
def test_no_customer_is_scored_by_a_model_that_saw_it(customers, calibration):
    """With random labels a 1-nearest-neighbour model is perfect on what it saw and guesses elsewhere."""
    kept = customers[0].copy()
    kept[TARGET] = np.random.default_rng(0).integers(0, 2, len(kept))
    train, test = train_test_split(kept, test_size=0.25, random_state=0, stratify=kept[TARGET])
    memorizer = build_pipeline({"estimator": "knn", "args": {"n_neighbors": 1}}).fit(train[FEATURES], train[TARGET])
    assert roc_auc_score(train[TARGET], memorizer.predict_proba(train[FEATURES])[:, 1]) == 1.0

    scores, scorer = score_customers(memorizer, train, test, CV, calibration)
    assert sorted(scores["id"]) == sorted(kept["id"])
    by_id = scores.set_index("id")
    train_auc = roc_auc_score(train[TARGET], by_id.loc[train["id"], "probability"])
    assert 0.35 < train_auc < 0.65, f"train customers scored in-sample (ROC-AUC {train_auc:.2f})"
    assert (by_id.loc[train["id"], "part"] == "train").all() and (by_id.loc[test["id"], "part"] == "test").all()
    np.testing.assert_allclose(by_id.loc[test["id"], "probability"],
                               scorer.predict_proba(test[FEATURES])[:, 1])
    if calibration == "none":
        assert scorer is memorizer  # the test part is scored by the saved model itself


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


def test_segments_partition_customers_and_profit_at_risk_adds_up(customers):
    kept, profit = customers
    scores = random_scores(kept)
    spec = segment_spec()
    table, summary, profile, plan = build(scores, kept, profit, importance(), spec)
    assert len(table) == len(kept) and summary["customers"].sum() == len(kept)
    merged = table.merge(profit, on="id", suffixes=("", "_raw"))
    assert (merged["profit"] == merged["profit_raw"]).all()
    total = float((table["probability"] * table["profit"]).sum())
    assert summary["profit_at_risk"].sum() == pytest.approx(total, abs=1e-3)
    for row in summary.itertuples():
        part = table[table["segment"] == row.segment]
        assert row.customers == len(part)
        assert row.profit_at_risk == pytest.approx((part["probability"] * part["profit"]).sum(), abs=1e-3)
    t = plan["thresholds"]
    high_risk = table["segment"].isin([NAMES[c] for c in CELLS[:2]])
    assert ((table["probability"] >= t["risk"]) == high_risk).all()
    assert t["profit"] == pytest.approx(table["profit"].median())  # over the scored customers only


def test_offers_and_control_groups_only_for_targeted_segments(customers):
    kept, profit = customers
    spec = segment_spec()
    table, summary, _, plan = build(random_scores(kept), kept, profit, importance(), spec)
    share = spec["experiment"]["control_share"]
    for cell in CELLS:
        part = table[table["segment"] == NAMES[cell]]
        if cell in spec["targeted"]:
            assert part["control"].sum() == round(share * len(part)) > 0
            assert plan["segments"][NAMES[cell]]["experiment"]["control"] == part["control"].sum()
            assert (part["offer"] != spec["no_offer"]["name"]).all()
        else:
            assert part["control"].sum() == 0 and (part["offer"] == spec["no_offer"]["name"]).all()
    again = build(random_scores(kept), kept, profit, importance(), spec)[0]
    assert again["control"].equals(table["control"])


def test_control_groups_depend_on_the_seed():
    table = pd.DataFrame({"id": range(200), "segment": NAMES[CELLS[0]]})
    first = control_flags(table, NAMES, [CELLS[0]], 0.3, seed=1)
    assert first.sum() == 60
    assert first.equals(control_flags(table.sample(frac=1, random_state=3), NAMES, [CELLS[0]], 0.3, 1)
                        .sort_index())
    assert not first.equals(control_flags(table, NAMES, [CELLS[0]], 0.3, seed=2))


def profile_of(effects: dict) -> pd.DataFrame:
    return pd.DataFrame([{"segment": "s", "feature": f, "segment_value": 0.62 if f == "promo_share" else 1.0,
                          "rest_value": 0.28 if f == "promo_share" else 1.0, "effect": e, "shap_direction": 1}
                         for f, e in effects.items()])


def test_the_rule_with_the_largest_effect_gives_the_offer():
    spec = segment_spec()
    effects = {f: 0.0 for f in FEATURE_NAMES} | {"promo_share": 0.9, "unpaid_items_quarter": 0.5,
                                                 "pages_per_visit": 0.8}  # pages: wrong direction for its rule
    offer = choose_offer(profile_of(effects), spec, targeted=True)
    assert offer["offer"] == "targeted_promotions"
    assert offer["evidence"][0].startswith("promo_share 0.62 vs 0.28 in the rest (effect +0.90")
    assert len(offer["evidence"]) == 2
    nothing = choose_offer(profile_of({f: 0.0 for f in FEATURE_NAMES}), spec, targeted=True)
    assert nothing["offer"] == spec["default_offer"]["name"]
    assert choose_offer(profile_of(effects), spec, targeted=False)["offer"] == spec["no_offer"]["name"]


def test_needed_per_arm_matches_the_two_proportion_formula():
    # textbook value for 50 % -> 40 %, two-sided alpha 0.05, power 0.8 (Fleiss without continuity correction)
    assert needed_per_arm(0.5, 0.1, 0.05, 0.8) == 388
    assert needed_per_arm(0.5, 0.1, 0.05, 0.9) > 388 and needed_per_arm(0.5, 0.2, 0.05, 0.8) < 388
    assert needed_per_arm(0.05, 0.1, 0.05, 0.8) is None


def test_profile_features_are_the_pipeline_features(customers):
    kept, _ = customers
    names = preprocessor("standard").fit(kept[FEATURES]).get_feature_names_out()
    assert sorted(names) == sorted(FEATURE_NAMES)


def test_brier_is_reported_per_part():
    scores = pd.DataFrame({"id": [1, 2, 3, 4], "part": ["train", "train", "test", "test"],
                           "probability": [1.0, 0.0, 0.5, 0.5]})
    customers = pd.DataFrame({"id": [4, 3, 2, 1], TARGET: [1, 0, 1, 1]})
    assert brier_by_part(scores, customers) == {"test": 0.25, "train": 0.5}


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
