"""SHAP values of the selected model, computed with the explainer that fits its family.

The values explain the estimator on the output of the pipeline's steps before the model (derived features, then
scaling and encoding), so features carry the names a reader knows (`popular_category=Товары для детей`). Linear
models get shap.LinearExplainer (exact, log-odds), trees and tree ensembles shap.TreeExplainer (exact), anything
else (SVC with its calibration, k-NN, dummy, …) seeded permutation SHAP on the predicted probability of
"decreased" against a small background of the train part. Permutation importance on the raw model-table columns
is the model-agnostic cross-check.

The permutation SHAP is the algorithm of shap.PermutationExplainer, written here for all rows at once:
shap's version compiles its masking code with numba in every new process (6-12 s on our machines, not cached)
and calls the model once per row, which together broke the stage's 20 s budget for k-NN and SVC.
"""

import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import parallel_config
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import ExtraTreesClassifier, HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from oneclick.common.checks import SEED, number, section
from oneclick.labels import raw_column
from oneclick.stats import bootstrap_means

LINEAR = (LogisticRegression,)
TREES = (DecisionTreeClassifier, RandomForestClassifier, ExtraTreesClassifier, HistGradientBoostingClassifier)
LOG_ODDS_TREES = (HistGradientBoostingClassifier,)  # TreeExplainer explains their raw margin, not a probability
DIGITS = 6
BOOTSTRAP = 1000  # resamples of the explained customers for the importance intervals
LINEAR_EXPLAINER, TREE_EXPLAINER, PERMUTATION_EXPLAINER = "shap.LinearExplainer", "shap.TreeExplainer", "permutation"


@dataclass(frozen=True)
class ShapResult:
    values: np.ndarray  # rows x features, in units of `output`
    base: np.ndarray  # per row: base + the row's values = the model's output for that row
    data: np.ndarray  # the transformed inputs the values explain
    features: list[str]
    family: str  # estimator class behind the pipeline's 'model' step
    explainer: str
    output: str  # what a row's values add up to (minus the base value): "probability" or "log-odds"


def _shap():
    """shap, imported only for the linear and tree explainers: the import alone takes about 2 s."""
    with warnings.catch_warnings():
        # shap 0.51 calls Colormap.set_bad/set_over/set_under on import, which matplotlib 3.11 marks as pending
        # deprecation; nothing we can change, and only for this import
        warnings.filterwarnings("ignore", message=r"The set_\w+ function will be deprecated",
                                category=PendingDeprecationWarning)
        import shap
    return shap


def model_family(model) -> type:
    """The estimator class of the 'model' step; an SVC stays an SVC inside its calibration wrapper."""
    return type(model.estimator) if isinstance(model, CalibratedClassifierCV) else type(model)


def explainer_name(model) -> str:
    family = model_family(model)
    if issubclass(family, LINEAR):
        return LINEAR_EXPLAINER
    if issubclass(family, TREES):
        return TREE_EXPLAINER
    return PERMUTATION_EXPLAINER


def transform(pipeline, X: pd.DataFrame) -> np.ndarray:
    return np.asarray(pipeline[:-1].transform(X), dtype=float)


def background_sample(data: np.ndarray, size: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return data[np.sort(rng.choice(len(data), size=min(size, len(data)), replace=False))]


def permutation_shap(predict, rows: np.ndarray, background: np.ndarray, permutations: int, seed: int):
    """SHAP values of `predict` by sampled feature orders against an interventional background; (values, base).

    For each row and each of its seeded random orders, the features switch one by one from the background's values
    to the row's; a feature's contribution is the change in the mean prediction over the background. Each order is
    walked forward and reversed (antithetic, as shap.PermutationExplainer does). The steps telescope, so
    base + a row's values = predict(row) exactly.
    """
    n, m = rows.shape
    rng = np.random.default_rng(seed)
    base = float(predict(background).mean())
    values = np.zeros((n, m))
    at = np.arange(n)
    for _ in range(permutations):
        orders = rng.permuted(np.tile(np.arange(m), (n, 1)), axis=1)
        for walk in (orders, orders[:, ::-1]):
            masked = np.repeat(background[None], n, axis=0)  # row, background row, feature
            previous = np.full(n, base)
            for step in range(m):
                feature = walk[:, step]
                masked[at, :, feature] = rows[at, feature][:, None]
                current = predict(masked.reshape(-1, m)).reshape(n, -1).mean(axis=1)
                values[at, feature] += current - previous
                previous = current
    return values / (2 * permutations), np.full(n, base)


def shap_values(pipeline, X_train: pd.DataFrame, X_test: pd.DataFrame, background_size: int,
                permutations: int, seed: int, n_jobs: int = 1) -> ShapResult:
    """SHAP values of `pipeline` for the rows of X_test; X_train supplies the background."""
    model = pipeline.named_steps["model"]
    features = list(pipeline[:-1].get_feature_names_out())
    test = transform(pipeline, X_test)
    name = explainer_name(model)
    if name == PERMUTATION_EXPLAINER:
        background = background_sample(transform(pipeline, X_train), background_size, seed)
        # row chunks predicted in n_jobs threads (libsvm and the k-NN code release the GIL), joined in order:
        # the same values for any n_jobs
        with ThreadPoolExecutor(n_jobs) as pool:
            def predict(rows):
                chunks = pool.map(lambda chunk: model.predict_proba(chunk)[:, 1], np.array_split(rows, n_jobs))
                return np.concatenate(list(chunks))

            values, base = permutation_shap(predict, test, background, permutations, seed)
        return ShapResult(values, base, test, features, model_family(model).__name__, name, "probability")
    shap = _shap()
    if name == LINEAR_EXPLAINER:
        train = transform(pipeline, X_train)  # exact and cheap: the whole train part is the background
        explanation = shap.LinearExplainer(model, shap.maskers.Independent(train, max_samples=len(train)))(test)
        output = "log-odds"
    else:
        explanation = shap.TreeExplainer(model)(test)
        if explanation.values.ndim == 3:  # one slice per class: keep the one of "decreased"
            explanation = explanation[:, :, 1]
        output = "log-odds" if isinstance(model, LOG_ODDS_TREES) else "probability"
    values = np.asarray(explanation.values, dtype=float)
    base = np.broadcast_to(np.asarray(explanation.base_values, dtype=float), (len(values),))
    return ShapResult(values, base, test, features, model_family(model).__name__, name, output)


def direction(feature_values: np.ndarray, shap_column: np.ndarray) -> int:
    """+1 if higher values push "decreased" up, -1 if down, 0 if either side is constant (no relation to sign)."""
    x, s = feature_values - feature_values.mean(), shap_column - shap_column.mean()
    scale = np.sqrt((x * x).sum() * (s * s).sum())
    if scale == 0:
        return 0
    r = float((x * s).sum() / scale)
    return 0 if abs(r) < 1e-9 else int(np.sign(r))


def importance_table(result: ShapResult, seed: int) -> pd.DataFrame:
    """feature, importance (mean |SHAP|), low and high (its 95 % bootstrap interval over the customers explained,
    BOOTSTRAP seeded resamples: which customers were explained, not the explainer's own sampling), direction; most
    important first, ties by name."""
    magnitude = np.abs(result.values)
    low, high = bootstrap_means(magnitude, BOOTSTRAP, seed)
    table = pd.DataFrame({
        "feature": result.features,
        "importance": np.round(magnitude.mean(axis=0), DIGITS),
        "low": np.round(low, DIGITS),
        "high": np.round(high, DIGITS),
        "direction": [direction(result.data[:, j], result.values[:, j]) for j in range(len(result.features))],
    })
    return table.sort_values(["importance", "feature"], ascending=[False, True], kind="stable").reset_index(drop=True)


def shap_by_column(result: ShapResult, columns: list[str]) -> pd.Series:
    """Mean |SHAP| of each raw model-table column, its one-hot features summed per row first (SHAP is additive)."""
    owner = np.array([raw_column(f) for f in result.features])
    return pd.Series({c: float(np.abs(result.values[:, owner == c].sum(axis=1)).mean()) for c in columns})


def permutation_table(pipeline, X_test: pd.DataFrame, y_test, n_repeats: int, seed: int,
                      result: ShapResult, n_jobs: int = 1) -> pd.DataFrame:
    """Drop in test ROC-AUC when one raw model-table column is shuffled, next to that column's grouped SHAP.

    Permutation shuffles the pipeline's input columns, so its rows are raw columns (`popular_category`), not the
    one-hot features of the SHAP table; `shap_importance` maps SHAP onto the same columns for the comparison.
    """
    with parallel_config(backend="threading"):  # each column's shuffles are seeded apart from the worker
        scores = permutation_importance(pipeline, X_test, y_test, scoring="roc_auc", n_repeats=n_repeats,
                                        random_state=seed, n_jobs=n_jobs)
    columns = list(X_test.columns)
    table = pd.DataFrame({
        "column": columns,
        "importance": np.round(scores.importances_mean, DIGITS),
        "std": np.round(scores.importances_std, DIGITS),
        "shap_importance": np.round(shap_by_column(result, columns).to_numpy(), DIGITS),
    })
    return table.sort_values(["importance", "column"], ascending=[False, True], kind="stable").reset_index(drop=True)


def summary(model_name: str, result: ShapResult, importance: pd.DataFrame, permutation: pd.DataFrame,
            top: int, background_size: int) -> dict:
    """metrics/explain.json: which explainer explained what, and the top features of both methods."""
    return {
        "model": model_name,
        "family": result.family,
        "explainer": result.explainer,
        "output": result.output,
        "background_size": background_size if result.explainer == PERMUTATION_EXPLAINER else None,
        "rows_explained": int(len(result.values)),
        "top_features": importance.head(top).to_dict(orient="records"),
        "top_permutation_columns": permutation["column"].head(top).tolist(),
    }


def explain_model(pipeline, model_name: str, X_train: pd.DataFrame, X_test: pd.DataFrame, y_test, p: dict):
    """Everything the explain stage computes: (SHAP result, importance table, permutation table, metrics)."""
    result = shap_values(pipeline, X_train, X_test, p["background_size"], p["permutations"], p["seed"], p["n_jobs"])
    importance = importance_table(result, p["seed"])
    permutation = permutation_table(pipeline, X_test, y_test, p["permutation_repeats"], p["seed"], result,
                                    p["n_jobs"])
    return result, importance, permutation, summary(model_name, result, importance, permutation,
                                                    p["top_features"], p["background_size"])


def explain_shipped(pipeline, model_name: str, customers: pd.DataFrame, p: dict) -> dict:
    """The production model explained on a seeded sample of the customers it was fitted on (`production_rows`),
    with the background and explainer its family gets: what the model card reports for the model that ships."""
    rng = np.random.default_rng(p["seed"])
    rows = customers.iloc[np.sort(rng.choice(len(customers), size=min(p["production_rows"], len(customers)),
                                             replace=False))]
    result = shap_values(pipeline, customers, rows, p["background_size"], p["permutations"], p["seed"], p["n_jobs"])
    importance = importance_table(result, p["seed"])
    return {"model": model_name, "family": result.family, "explainer": result.explainer, "output": result.output,
            "rows_explained": int(len(result.values)),
            "top_features": importance.head(p["top_features"]).to_dict(orient="records")}


def check_params(params: dict) -> None:
    section(params, "explain", {"production_rows", "max_rows", "background_size", "permutations",
                                "permutation_repeats", "seed", "n_jobs", "top_features", "plot_features",
                                "dependence_features"})
    number(params, "explain.background_size", 1, 100_000, integer=True)
    number(params, "explain.max_rows", 50, 10_000_000, integer=True)
    number(params, "explain.production_rows", 10, 100_000, integer=True)
    number(params, "explain.permutations", 1, 1000, integer=True)
    number(params, "explain.permutation_repeats", 1, 1000, integer=True)
    number(params, "explain.seed", 0, SEED, integer=True)
    number(params, "explain.n_jobs", 1, 64, integer=True)
    for key in ("top_features", "plot_features", "dependence_features"):
        number(params, f"explain.{key}", 1, 1000, integer=True)
