"""Estimators the experiments can use, and the one pipeline every model shares.

params.yaml names an estimator by a registry key, gives its fixed `args` and a
`grid` in the estimator's own argument names; this module adds the pipeline
prefixes, so params stay readable.
"""

from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import (
    ExtraTreesClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from oneclick.columns import MARKET_FILE, NOMINAL, NUMERIC, ORDINAL

ESTIMATORS = {
    "dummy": DummyClassifier,
    "knn": KNeighborsClassifier,
    "tree": DecisionTreeClassifier,
    "logreg": LogisticRegression,
    "svc": SVC,
    "forest": RandomForestClassifier,
    "extra_trees": ExtraTreesClassifier,
    "hist_gb": HistGradientBoostingClassifier,
}

# SVC(probability=True) is deprecated in scikit-learn 1.9; this is its replacement.
NEEDS_CALIBRATION = {"svc"}

SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler, "none": None}


def one_hot_name(feature: str, category: str) -> str:
    """`popular_category=Товары для детей`, the way a reader knows the feature."""
    return f"{feature}={category}"


def preprocessor(scaler: str = "none") -> ColumnTransformer:
    categories = {c.name: list(c.categories) for c in MARKET_FILE.columns}
    return ColumnTransformer(
        [
            ("num", scaler_step(scaler), NUMERIC),
            ("ord", OrdinalEncoder(categories=[ORDINAL[c] for c in ORDINAL]), list(ORDINAL)),
            ("nom", OneHotEncoder(categories=[categories[c] for c in NOMINAL], drop="if_binary",
                                  sparse_output=False, feature_name_combiner=one_hot_name), NOMINAL),
        ],
        verbose_feature_names_out=False,
    )


def scaler_step(name: str):
    scaler = SCALERS[name]
    return "passthrough" if scaler is None else scaler()


def base_estimator(estimator: str, args: dict):
    return ESTIMATORS[estimator](**args)


def build_pipeline(estimator: str, args: dict) -> Pipeline:
    return Pipeline([("preprocess", preprocessor()), ("model", base_estimator(estimator, args))])


def with_probabilities(pipeline: Pipeline, estimator: str) -> Pipeline:
    """The pipeline to refit and save: an SVC gets Platt-calibrated probabilities.

    The search scores the bare SVC's decision function; with ensemble=False the
    calibrated probability is a monotonic map of that same function, so the
    ROC-AUC the search measured holds, at a sixth of the search's cost.
    """
    if estimator not in NEEDS_CALIBRATION:
        return pipeline
    steps = dict(pipeline.steps)
    return Pipeline([("preprocess", steps["preprocess"]),
                     ("model", CalibratedClassifierCV(steps["model"], ensemble=False))])


def param_grid(grid: dict, scalers: list[str]) -> dict:
    """The search space in pipeline terms: scaler choice plus prefixed estimator args."""
    space = {f"model__{k}": list(v) for k, v in grid.items()}
    space["preprocess__num"] = [scaler_step(s) for s in scalers]
    return space


def readable_params(best: dict) -> dict:
    """Best params back in params.yaml terms (scaler by name, no prefixes)."""
    out = {}
    for key, value in best.items():
        if key == "preprocess__num":
            out["scaler"] = next(n for n, cls in SCALERS.items()
                                 if (cls is None and value == "passthrough") or (cls and isinstance(value, cls)))
        else:
            out[key.split("__")[-1]] = value
    return out
