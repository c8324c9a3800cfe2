"""SHAP explanations: the explainer per model family, what the values add up to, tables, images, the real data."""

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT
from scipy.special import logit
from sklearn.model_selection import train_test_split

from oneclick.data.columns import FEATURES, TARGET
from oneclick.data.load import read_export
from oneclick.data.prepare import build_table
from oneclick.insight.explain import (
    ShapResult,
    direction,
    explain_model,
    importance_table,
    model_family,
    permutation_shap,
    shap_values,
)
from oneclick.insight.explain_plots import explain_figures
from oneclick.model.features import xy
from oneclick.model.pipeline import build_pipeline, scaler_step, with_probabilities
from oneclick.plots import save_figure

PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
EXPLAIN = {**PARAMS["explain"], "background_size": 10, "permutation_repeats": 2}

# estimator, args, scaler -> family, explainer, what the values add up to
FAMILIES = {
    "logreg": ("logreg", {"C": 1.0}, "standard", "LogisticRegression", "shap.LinearExplainer", "log-odds"),
    "tree": ("tree", {"max_depth": 4, "random_state": 0}, "none", "DecisionTreeClassifier", "shap.TreeExplainer",
             "probability"),
    "forest": ("forest", {"n_estimators": 20, "max_depth": 4, "random_state": 0}, "none", "RandomForestClassifier",
               "shap.TreeExplainer", "probability"),
    "extra_trees": ("extra_trees", {"n_estimators": 20, "random_state": 0}, "none", "ExtraTreesClassifier",
                    "shap.TreeExplainer", "probability"),
    "hist_gb": ("hist_gb", {"max_iter": 20, "random_state": 0}, "none", "HistGradientBoostingClassifier",
                "shap.TreeExplainer", "log-odds"),
    "svc": ("svc", {"C": 1.0, "random_state": 0}, "standard", "SVC", "permutation", "probability"),
    "knn": ("knn", {"n_neighbors": 15}, "minmax", "KNeighborsClassifier", "permutation", "probability"),
    "dummy": ("dummy", {"strategy": "prior"}, "none", "DummyClassifier", "permutation", "probability"),
}


def fitted(name, X, y):
    estimator, args, scaler, *_ = FAMILIES[name]
    pipeline = build_pipeline({"estimator": estimator, "args": args}).set_params(preprocess__num=scaler_step(scaler))
    return with_probabilities(pipeline, estimator).fit(X, y)


@pytest.fixture(scope="module")
def explained(synthetic_split):
    """name -> (pipeline, SHAP result, importance, permutation, summary) on 60 synthetic test rows."""
    X_train, X_test, y_train, y_test = synthetic_split
    X_test, y_test = X_test.iloc[:60], y_test.iloc[:60]
    out = {}
    for name in FAMILIES:
        pipeline = fitted(name, X_train, y_train)
        out[name] = (pipeline, *explain_model(pipeline, name, X_train, X_test, y_test, EXPLAIN))
    return out


@pytest.mark.parametrize("name", list(FAMILIES))
def test_explainer_fits_the_family_and_values_add_up_to_the_predicted_output(explained, synthetic_split, name):
    pipeline, result, _, _, summary = explained[name]
    *_, family, explainer, output = FAMILIES[name]
    assert (result.family, result.explainer, result.output) == (family, explainer, output)
    assert (summary["family"], summary["explainer"], summary["output"]) == (family, explainer, output)
    proba = pipeline.predict_proba(synthetic_split[1].iloc[:60])[:, 1]  # the calibrated probability for SVC
    expected = logit(np.clip(proba, 1e-12, 1 - 1e-12)) if output == "log-odds" else proba
    # efficiency: base value + a row's SHAP values = the model's output for that row (never a hard label)
    np.testing.assert_allclose(result.base + result.values.sum(axis=1), expected, atol=1e-6)


def test_permutation_shap_is_exact_for_an_additive_model():
    rng = np.random.default_rng(0)
    rows, background, weights = rng.normal(size=(30, 5)), rng.normal(size=(8, 5)), np.array([1.0, -2.0, 0.5, 0, 3])
    values, base = permutation_shap(lambda x: x @ weights, rows, background, permutations=1, seed=0)
    np.testing.assert_allclose(values, (rows - background.mean(axis=0)) * weights, atol=1e-12)
    np.testing.assert_allclose(base, background.mean(axis=0) @ weights)


def test_permutation_shap_is_seeded():
    rng = np.random.default_rng(1)
    rows, background = rng.normal(size=(20, 4)), rng.normal(size=(6, 4))

    def f(x):
        return np.tanh(x[:, 0] * x[:, 1]) + x[:, 2] ** 2
    first, _ = permutation_shap(f, rows, background, 2, seed=3)
    assert np.array_equal(first, permutation_shap(f, rows, background, 2, seed=3)[0])
    assert not np.array_equal(first, permutation_shap(f, rows, background, 2, seed=4)[0])  # interactions: order matters


@pytest.mark.parametrize("name", ["svc", "knn"])
def test_threads_do_not_change_the_values(explained, synthetic_split, name):
    """EXPLAIN runs with params' n_jobs (2 threads); one thread must give the same numbers, bit for bit."""
    pipeline, result, _, permutation, _ = explained[name]
    X_train, X_test, _, y_test = synthetic_split
    X_test, y_test = X_test.iloc[:60], y_test.iloc[:60]
    assert EXPLAIN["n_jobs"] > 1
    single = {**EXPLAIN, "n_jobs": 1}
    again, _, permutation_again, _ = explain_model(pipeline, name, X_train, X_test, y_test, single)
    assert np.array_equal(result.values, again.values)
    pd.testing.assert_frame_equal(permutation, permutation_again)


def test_svc_is_named_through_its_calibration_wrapper(explained):
    model = explained["svc"][0].named_steps["model"]
    assert type(model).__name__ == "CalibratedClassifierCV" and model_family(model).__name__ == "SVC"


@pytest.mark.parametrize("name", list(FAMILIES))
def test_importance_table_names_the_transformed_features(explained, name):
    pipeline, result, importance, _, _ = explained[name]
    names = list(pipeline[:-1].get_feature_names_out())
    assert result.features == names and sorted(importance["feature"]) == sorted(names)
    assert "popular_category=Товары для детей" in names
    assert list(importance.columns) == ["feature", "importance", "low", "high", "direction"]
    assert importance["importance"].is_monotonic_decreasing and (importance["importance"] >= 0).all()
    assert set(importance["direction"]) <= {-1, 0, 1}
    mean_abs = dict(zip(names, np.abs(result.values).mean(axis=0), strict=True))
    for feature, value in zip(importance["feature"], importance["importance"], strict=True):
        assert value == pytest.approx(mean_abs[feature], abs=1e-6)
    assert (importance["low"] <= importance["importance"]).all()
    assert (importance["importance"] <= importance["high"]).all()


def test_importance_intervals_are_the_normal_intervals_of_the_mean_magnitudes():
    """The bootstrap of each feature's mean |SHAP| over 2000 explained customers against the normal interval of
    that mean (scipy's quantile, the columns' own standard errors)."""
    from scipy.stats import norm

    rng = np.random.default_rng(3)
    values = rng.normal(0, 1, (2000, 3)) * np.array([0.01, 0.05, 0.2]) + np.array([0.0, 0.02, -0.1])
    result = ShapResult(values=values, base=np.zeros(2000), data=rng.normal(size=(2000, 3)),
                        features=["a", "b", "c"], family="x", explainer="x", output="probability")
    table = importance_table(result, seed=0).set_index("feature")
    magnitude = np.abs(values)
    half = norm.ppf(0.975) * magnitude.std(axis=0, ddof=1) / np.sqrt(2000)
    for j, feature in enumerate(["a", "b", "c"]):
        centre = magnitude[:, j].mean()
        assert table.loc[feature, "low"] == pytest.approx(centre - half[j], abs=0.1 * half[j] + 1e-6)
        assert table.loc[feature, "high"] == pytest.approx(centre + half[j], abs=0.1 * half[j] + 1e-6)


def test_dummy_explains_to_zero_without_crashing(explained):
    _, result, importance, permutation, _ = explained["dummy"]
    assert np.allclose(result.values, 0)
    assert (importance["direction"] == 0).all() and (permutation["importance"] == 0).all()


def test_direction_follows_the_sign_of_the_relation():
    x = np.arange(10.0)
    assert direction(x, 2 * x) == 1 and direction(x, -x + 3) == -1
    assert direction(x, np.zeros(10)) == 0 and direction(np.ones(10), x) == 0


def test_direction_of_a_linear_model_is_the_sign_of_its_coefficient(explained):
    pipeline, result, importance, _, _ = explained["logreg"]
    coef = dict(zip(result.features, pipeline.named_steps["model"].coef_[0], strict=True))
    for feature, sign in zip(importance["feature"], importance["direction"], strict=True):
        assert sign == np.sign(coef[feature]) or coef[feature] == 0


def test_permutation_rows_are_the_raw_columns_with_grouped_shap(explained):
    _, result, importance, permutation, _ = explained["logreg"]
    assert list(permutation.columns) == ["column", "importance", "std", "shap_importance"]
    assert sorted(permutation["column"]) == sorted(FEATURES)
    by_column = permutation.set_index("column")["shap_importance"]
    assert by_column["pages_per_visit"] == pytest.approx(
        importance.set_index("feature").loc["pages_per_visit", "importance"], abs=1e-6)
    one_hot = [j for j, f in enumerate(result.features) if f.startswith("popular_category=")]
    assert len(one_hot) == 6
    assert by_column["popular_category"] == pytest.approx(
        np.abs(result.values[:, one_hot].sum(axis=1)).mean(), abs=1e-6)


@pytest.mark.parametrize("name", ["knn", "logreg"])
def test_images_are_byte_identical_across_runs(synthetic_split, tmp_path, name):
    X_train, X_test, y_train, y_test = synthetic_split
    X_test, y_test = X_test.iloc[:40], y_test.iloc[:40]
    pipeline = fitted(name, X_train, y_train)
    images = []
    for run in ("a", "b"):
        figures = explain_figures(*explain_model(pipeline, name, X_train, X_test, y_test, EXPLAIN)[:3], X_test, name,
                                  EXPLAIN)
        for file, fig in figures.items():
            save_figure(fig, tmp_path / run / file)
        images.append({p.name: p.read_bytes() for p in sorted((tmp_path / run).iterdir())})
    assert len(images[0]) == 4 and images[0] == images[1]


def test_real_data_top_features_include_site_activity_or_promo(real_dir):
    table = build_table(read_export(real_dir).frames, PARAMS["prepare"]["revenue_max"])[0]
    train, test = train_test_split(table, test_size=PARAMS["split"]["test_size"], random_state=PARAMS["split"]["seed"],
                                   stratify=table[TARGET])
    (X_train, y_train), (X_test, _) = xy(train), xy(test)
    pipeline = build_pipeline({"estimator": "logreg", "args": {"C": 0.1}})
    pipeline = pipeline.set_params(preprocess__num=scaler_step("standard"))
    pipeline.fit(X_train, y_train)
    result = shap_values(pipeline, X_train, X_test, 10, 1, 0)
    top5 = pd.Series(np.abs(result.values).mean(axis=0), index=result.features).nlargest(5).index
    assert result.explainer == "shap.LinearExplainer"
    assert set(top5) & {"pages_per_visit", "minutes_current", "minutes_prev", "promo_share"}, list(top5)
