"""Estimators the experiments can use, and the one pipeline every model shares.

params.yaml names an estimator by a registry key, gives its fixed `args` and a
`grid` in the estimator's own argument names; this module adds the pipeline
prefixes, so params stay readable. The pipeline is
engineer (optional derived features) -> preprocess (scale / encode) -> model.
"""

import pandas as pd
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import (
    ExtraTreesClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    VotingClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from oneclick.columns import FEATURES, MARKET_FILE, NOMINAL, NUMERIC, ORDINAL
from oneclick.engineer import TOGGLES, add_features, numeric_columns
from oneclick.labels import one_hot_name

ESTIMATORS = {
    "dummy": DummyClassifier,
    "knn": KNeighborsClassifier,
    "tree": DecisionTreeClassifier,
    "logreg": LogisticRegression,
    "svc": SVC,
    "forest": RandomForestClassifier,
    "extra_trees": ExtraTreesClassifier,
    "hist_gb": HistGradientBoostingClassifier,
    "voting": VotingClassifier,  # soft voting over `members`, each a model entry of its own
}

# SVC(probability=True) is deprecated in scikit-learn 1.9; this is its replacement.
NEEDS_CALIBRATION = {"svc"}

SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler, "none": None}


def preprocessor(scaler: str = "none", numeric: list[str] = NUMERIC) -> ColumnTransformer:
    categories = {c.name: list(c.categories) for c in MARKET_FILE.columns}
    return ColumnTransformer(
        [
            ("num", scaler_step(scaler), numeric),
            ("ord", OrdinalEncoder(categories=[ORDINAL[c] for c in ORDINAL]), list(ORDINAL)),
            ("nom", OneHotEncoder(categories=[categories[c] for c in NOMINAL], drop="if_binary",
                                  sparse_output=False, feature_name_combiner=one_hot_name), NOMINAL),
        ],
        verbose_feature_names_out=False,
    )


def scaler_step(name: str):
    scaler = SCALERS[name]
    return "passthrough" if scaler is None else scaler()


def make_estimator(spec: dict, probabilities: bool = False):
    """The estimator of one `models` entry; with `probabilities`, one that has predict_proba."""
    estimator, args = spec["estimator"], spec.get("args") or {}
    if estimator == "voting":
        members = [(name, make_estimator(member, probabilities=True))
                   for name, member in (spec.get("members") or {}).items()]
        return VotingClassifier(members, voting="soft", **args)
    model = ESTIMATORS[estimator](**args)
    if probabilities and estimator in NEEDS_CALIBRATION:
        model = CalibratedClassifierCV(model, ensemble=False)
    return model


def encoded_features(customers: pd.DataFrame) -> pd.DataFrame:
    """Customers' features as the model sees them before scaling: numbers, ordinal codes, one-hot indicators.

    The pipeline's own encoder does the work, so segment profiles use the names and codes SHAP explains.
    """
    encoder = preprocessor().fit(customers[FEATURES])
    return pd.DataFrame(encoder.transform(customers[FEATURES]), columns=encoder.get_feature_names_out(),
                        index=customers.index, dtype=float)


def engineered_names(transformer, input_features):
    """Column names after the engineer step (FunctionTransformer's feature_names_out)."""
    empty = pd.DataFrame(columns=list(input_features), dtype="float64")
    return list(add_features(empty, **transformer.kw_args).columns)


def feature_step(features: dict) -> FunctionTransformer:
    return FunctionTransformer(add_features, kw_args=dict(features), feature_names_out=engineered_names)


def build_pipeline(spec: dict, features: dict | None = None) -> Pipeline:
    """engineer -> preprocess -> model, for searching (SVC scored by its decision function).

    `features` are the params.yaml toggles; none given means no derived features.
    """
    features = features or dict.fromkeys(TOGGLES, False)
    return Pipeline(encoder(features).steps + [("model", make_estimator(spec))])


def encoder(features: dict) -> Pipeline:
    """engineer -> preprocess with no scaler: the steps of build_pipeline that learn nothing from the rows.

    Derived features are arithmetic and the encoders have fixed categories, so
    the search runs these once on the train part instead of in every fold.
    """
    return Pipeline([
        ("engineer", feature_step(features)),
        ("preprocess", preprocessor(numeric=numeric_columns(**features))),
    ])


def scaled_model(spec: dict, features: dict) -> Pipeline:
    """The rest of build_pipeline on the encoder's output: the scaler (numeric columns come first) -> model.

    Step names match build_pipeline, so the search's best params set either one.
    """
    return _scaled(make_estimator(spec), features)


def _scaled(model, features: dict, scaler="passthrough") -> Pipeline:
    numeric = list(range(len(numeric_columns(**features))))
    return Pipeline([
        ("preprocess", ColumnTransformer([("num", scaler, numeric)], remainder="passthrough")),
        ("model", model),
    ])


def split_encoder(pipeline: Pipeline) -> tuple[Pipeline, Pipeline]:
    """(encoder, rest), unfitted, of a build_pipeline pipeline (fitted or not, with its scaler and model):
    rest fitted on encoder.fit_transform(X) predicts what the pipeline fitted on X predicts.

    `rest` holds scikit-learn objects only: a Dask cluster's scheduler and workers unpickle it with the
    pinned requirements, without this package (the engineer step names our functions).
    """
    features = dict(pipeline.named_steps["engineer"].kw_args)
    scaler = pipeline.named_steps["preprocess"].get_params()["num"]
    scaler = scaler if scaler == "passthrough" else clone(scaler)
    return encoder(features), _scaled(clone(pipeline.named_steps["model"]), features, scaler)


def with_probabilities(pipeline: Pipeline, estimator: str) -> Pipeline:
    """The pipeline to refit and save: an SVC gets Platt-calibrated probabilities.

    The search scores the bare SVC's decision function; with ensemble=False the
    calibrated probability is a monotonic map of that same function, so the
    ROC-AUC the search measured holds, at a sixth of the search's cost.
    """
    if estimator not in NEEDS_CALIBRATION:
        return pipeline
    steps = list(pipeline.steps)
    name, model = steps[-1]
    return Pipeline(steps[:-1] + [(name, CalibratedClassifierCV(model, ensemble=False))])


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
            out[key.removeprefix("model__")] = value
    return out


def chosen_pipeline(spec: dict, features: dict, best: dict) -> Pipeline:
    """The unfitted pipeline a search chose, from its model entry and its best params in params.yaml terms
    (readable_params): what the out-of-fold scoring clones, without loading the fitted model file."""
    space = {f"model__{k}": v for k, v in best.items() if k != "scaler"}
    space["preprocess__num"] = scaler_step(best.get("scaler", "none"))
    return with_probabilities(build_pipeline(spec, features).set_params(**space), spec["estimator"])
