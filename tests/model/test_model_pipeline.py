"""The shared pipeline: derived features, estimators from params, readable names."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import GridSearchCV

from oneclick.data.load import read_export
from oneclick.data.prepare import build_table
from oneclick.engineer import TRENDS, add_features, numeric_columns
from oneclick.model.features import xy
from oneclick.model.pipeline import build_pipeline, encoder, make_estimator, param_grid, readable_params, scaler_step
from oneclick.model.search import backend, cv_splitter, fit_best, make_search, run_search, subsample

ALL_ON = {"trends": True, "ratios": True, "log_counts": True}
ALL_OFF = {"trends": False, "ratios": False, "log_counts": False}
CV = {"folds": 3, "repeats": 1, "seed": 0, "n_jobs": 1}


@pytest.fixture(scope="module")
def table(synthetic_dir):
    frames = read_export(synthetic_dir).frames
    return build_table(frames, revenue_max=20_000)[0]


def test_trends_are_differences_of_months(table):
    X, _ = xy(table)
    out = add_features(X, trends=True)
    assert set(TRENDS) <= set(out.columns)
    assert np.allclose(out["revenue_trend"], X["revenue_current"] - X["revenue_prev"])
    assert list(add_features(X).columns) == list(X.columns)  # all off: nothing changes
    logged = add_features(X, log_counts=True)
    assert np.allclose(logged["unpaid_items_quarter"], np.log1p(X["unpaid_items_quarter"]))


def test_pipeline_names_derived_and_one_hot_features(table):
    X, y = xy(table)
    pipeline = build_pipeline({"estimator": "logreg", "args": {}}, ALL_ON)
    pipeline = pipeline.set_params(preprocess__num=scaler_step("standard")).fit(X, y)
    names = list(pipeline[:-1].get_feature_names_out())
    assert set(numeric_columns(**ALL_ON)) <= set(names)
    assert "popular_category=Товары для детей" in names and "allow_messages=нет" in names
    assert pipeline[:-1].transform(X).shape[1] == len(names)


def test_svc_is_searched_bare_and_saved_with_probabilities(table):
    X, y = xy(table)
    spec = {"estimator": "svc", "args": {"random_state": 0}, "grid": {"C": [1]}, "scalers": ["standard"],
            "search": {"method": "grid"}}
    record, _, _ = run_search("svc", spec, ALL_OFF, CV, X, y)
    pipeline = fit_best(spec, ALL_OFF, record["best_params"], X, y, CV["seed"])
    assert isinstance(pipeline.named_steps["model"], CalibratedClassifierCV)
    proba = pipeline.predict_proba(X)[:, 1]
    assert proba.min() >= 0 and proba.max() <= 1 and record["best_params"] == {"C": 1, "scaler": "standard"}


def test_voting_members_get_probabilities():
    spec = {"estimator": "voting", "args": {}, "members": {
        "svc": {"estimator": "svc", "args": {"C": 2}}, "knn": {"estimator": "knn", "args": {}}}}
    voting = make_estimator(spec)
    members = dict(voting.estimators)
    assert voting.voting == "soft" and isinstance(members["svc"], CalibratedClassifierCV)
    assert members["svc"].estimator.C == 2


def test_grid_prefixes_round_trip():
    space = param_grid({"C": [1, 2], "svc__C": [3]}, ["minmax", "none"])
    assert set(space) == {"model__C", "model__svc__C", "preprocess__num"}
    best = {"model__C": 2, "model__svc__C": 3, "preprocess__num": space["preprocess__num"][0]}
    assert readable_params(best) == {"C": 2, "svc__C": 3, "scaler": "minmax"}


def test_subsample_is_stratified_and_seeded(table):
    X, y = xy(table)
    X1, y1 = subsample(X, y, 100, seed=3)
    X2, _ = subsample(X, y, 100, seed=3)
    assert len(y1) == 100 and X1.index.equals(X2.index)
    assert abs(y1.mean() - y.mean()) < 0.02
    assert subsample(X, y, None, seed=3)[0] is X


@pytest.mark.parametrize("features", [ALL_OFF, ALL_ON], ids=["plain", "derived"])
def test_search_on_encoded_rows_scores_like_the_whole_pipeline(table, features):
    """The search fits only scaler + model on rows encoded once; CV must score as if the whole pipeline ran per fold."""
    X, y = xy(table)
    spec = {"estimator": "knn", "args": {}, "grid": {"n_neighbors": [5, 25]}, "scalers": ["standard", "minmax"],
            "search": {"method": "grid"}}
    fast = make_search(spec, features, CV).fit(encoder(features).fit_transform(X), y)
    whole = GridSearchCV(build_pipeline(spec, features), param_grid(spec["grid"], spec["scalers"]),
                         scoring="roc_auc", cv=cv_splitter(CV)).fit(X, y)
    np.testing.assert_allclose(fast.cv_results_["mean_test_score"], whole.cv_results_["mean_test_score"],
                               rtol=0, atol=1e-12)


def test_liblinear_searches_run_in_one_thread():
    """liblinear's global C random generator would be shared by threads: its scores must not depend on timing."""
    cv = {**CV, "n_jobs": 2}
    logreg = {"estimator": "logreg", "args": {"solver": "liblinear"}, "grid": {}, "scalers": ["standard"],
              "search": {"method": "grid"}}
    voting = {"estimator": "voting", "args": {}, "grid": {}, "scalers": ["standard"], "search": {"method": "grid"},
              "members": {"svc": {"estimator": "svc"}, "logreg": logreg}}
    svc = {**logreg, "estimator": "svc", "args": {}}
    assert make_search(logreg, ALL_OFF, cv).n_jobs == 1
    assert make_search(voting, ALL_OFF, cv).n_jobs == 1
    assert make_search(svc, ALL_OFF, cv).n_jobs == 2
    assert make_search({**logreg, "args": {"solver": "lbfgs"}}, ALL_OFF, cv).n_jobs == 2


def test_forest_folds_run_in_processes_with_the_scores_of_threads(table):
    """Forests hold the GIL for most of each small tree, so their folds go to processes; no score changes."""
    X, y = xy(table)
    cv = {**CV, "n_jobs": 2}
    trees = {"estimator": "extra_trees", "args": {"n_estimators": 10, "random_state": 0},
             "grid": {"min_samples_leaf": [1, 3]}, "scalers": ["none"], "search": {"method": "grid"}}
    knn_trees = {"estimator": "voting", "args": {}, "grid": {}, "scalers": ["standard"], "search": {"method": "grid"},
                 "members": {"knn": {"estimator": "knn"}, "trees": trees}}
    svc = {"estimator": "svc", "args": {}, "grid": {}, "scalers": ["standard"], "search": {"method": "grid"}}
    assert backend(make_search(trees, ALL_OFF, cv).estimator) == "loky"
    assert backend(make_search(knn_trees, ALL_OFF, cv).estimator) == "loky"
    assert backend(make_search(svc, ALL_OFF, cv).estimator) == "threading"
    encoded = encoder(ALL_OFF).fit_transform(X)
    scores = {}
    for name in ("loky", "threading"):
        with parallel_config(backend=name):
            scores[name] = make_search(trees, ALL_OFF, cv).fit(encoded, y).cv_results_["mean_test_score"]
    np.testing.assert_array_equal(scores["loky"], scores["threading"])
