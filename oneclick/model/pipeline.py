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

from oneclick.common.checks import check_keys, get, number, require, unknown_names
from oneclick.common.errors import ParamsError
from oneclick.data.columns import FEATURES, MARKET_FILE, NOMINAL, NUMERIC, ORDINAL
from oneclick.engineer import TOGGLES, add_features, numeric_columns
from oneclick.labels import one_hot_name
from oneclick.registry import engineered_names

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


SEARCH_METHODS = ("grid", "random")
MODEL_KEYS = {"estimator": None, "args": None, "grid": None, "scalers": None, "members": None,
              "search": {"method", "n_iter", "subsample"}}


def check_features(params: dict) -> None:
    features = get(params, "features")
    require(isinstance(features, dict) and set(features) == set(TOGGLES)
            and all(isinstance(v, bool) for v in features.values()),
            "features", f"must set each of {list(TOGGLES)} to true or false, got {features!r}")


def check_models(params: dict) -> None:
    """Every entry of `models`."""
    models = get(params, "models")
    require(isinstance(models, dict) and models, "models", "must list at least one model")
    for name in models:
        check_model(params, name)


def check_model(params: dict, name: str) -> None:
    """One entry of `models`: its keys, estimator, args, grid, scalers and search method."""
    key = f"models.{name}"
    spec = get(params, key)
    require(isinstance(spec, dict), key, "must be a mapping")
    check_keys(spec, MODEL_KEYS, key)
    grid = spec.get("grid") or {}
    require(isinstance(grid, dict), f"{key}.grid", "must be a mapping of argument -> list of values")
    for arg, values in grid.items():
        require(isinstance(values, list) and values, f"{key}.grid.{arg}", "must be a non-empty list")
    require(isinstance(get(params, f"{key}.scalers"), list), f"{key}.scalers", "must be a list")
    method = get(params, f"{key}.search.method")
    require(method in SEARCH_METHODS, f"{key}.search.method", f"must be one of {SEARCH_METHODS}")
    if method == "random":
        number(params, f"{key}.search.n_iter", 1, 100_000, integer=True)
    if spec["search"].get("subsample") is not None:
        number(params, f"{key}.search.subsample", 50, 10_000_000, integer=True)
    _check_estimator(spec, key)
    _check_search_space(spec, key)


def _check_search_space(spec: dict, key: str) -> None:
    """Grid arguments the estimator takes, and known scalers."""
    takes = set(make_estimator(spec).get_params(deep=False))
    unknown = sorted(set(spec.get("grid") or {}) - set(make_estimator(spec).get_params()))
    require(not unknown, f"{key}.grid", f"has argument(s) {unknown} that {spec['estimator']} does not take; "
            + unknown_names(unknown, takes, "it takes"))
    scalers = spec["scalers"]
    require(scalers and set(scalers) <= set(SCALERS), f"{key}.scalers",
            f"must be a non-empty list of {sorted(SCALERS)}, got {scalers!r}")


def _check_estimator(spec: dict, key: str) -> None:
    """The estimator name, its fixed args, and (for voting) every member, recursively."""
    estimator = spec.get("estimator")
    require(estimator in ESTIMATORS, f"{key}.estimator",
            f"names an unknown estimator {estimator!r}; known: {sorted(ESTIMATORS)}")
    args = spec.get("args") or {}
    require(isinstance(args, dict), f"{key}.args", "must be a mapping")
    if estimator == "voting":
        members = spec.get("members")
        require(isinstance(members, dict) and len(members) >= 2, f"{key}.members",
                "must name at least two member models, each with its estimator and args")
        for member, member_spec in members.items():
            require(isinstance(member_spec, dict), f"{key}.members.{member}", "must be a mapping")
            _check_estimator(member_spec, f"{key}.members.{member}")
    bare = ESTIMATORS[estimator]([]) if estimator == "voting" else ESTIMATORS[estimator]()
    known = set(bare.get_params(deep=False)) - {"estimators", "voting"}  # soft voting is fixed
    unknown = sorted(set(args) - known)
    require(not unknown, f"{key}.args", f"has argument(s) {unknown} that {ESTIMATORS[estimator].__name__} does not "
            f"take; " + unknown_names(unknown, known, "it takes"))
    try:
        make_estimator(spec)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"params.yaml: '{key}.args' are rejected by {estimator}: {err}") from None
