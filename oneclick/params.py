"""Read params.yaml once and check every knob before any heavy work starts."""

from pathlib import Path

import yaml

from oneclick.columns import NUMERIC
from oneclick.errors import ParamsError
from oneclick.registry import ESTIMATORS, SCALERS, base_estimator

SEARCH_METHODS = ("grid", "random")


def load_params(path="params.yaml") -> dict:
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: file not found (run from the repository root)")
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    validate(params)
    return params


def get(params: dict, key: str):
    """`get(params, "split.test_size")`, with an error naming the missing key."""
    node = params
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ParamsError(f"params.yaml: missing key '{key}'")
        node = node[part]
    return node


def _require(ok: bool, key: str, message: str) -> None:
    if not ok:
        raise ParamsError(f"params.yaml: '{key}' {message}")


def _number(params, key, low, high, integer=False):
    value = get(params, key)
    kind = int if integer else (int, float)
    _require(isinstance(value, kind) and not isinstance(value, bool) and low <= value <= high,
             key, f"must be a{'n integer' if integer else ' number'} in [{low}, {high}], got {value!r}")


def validate(params: dict) -> None:
    _require(isinstance(params, dict), "<root>", "must be a mapping")
    _require(isinstance(get(params, "data.raw_dir"), str), "data.raw_dir", "must be a folder path")
    _number(params, "synthesize.n_customers", 20, 10_000_000, integer=True)
    _number(params, "synthesize.seed", 0, 2**32 - 1, integer=True)
    _number(params, "prepare.revenue_max", 0, float("inf"))
    _number(params, "split.test_size", 0.05, 0.95)
    _number(params, "split.seed", 0, 2**32 - 1, integer=True)
    _number(params, "cv.folds", 2, 50, integer=True)
    _number(params, "cv.repeats", 1, 100, integer=True)
    _number(params, "cv.seed", 0, 2**32 - 1, integer=True)
    _number(params, "cv.n_jobs", 1, 64, integer=True)
    _number(params, "evaluate.bootstrap", 10, 100_000, integer=True)
    _number(params, "evaluate.seed", 0, 2**32 - 1, integer=True)
    _number(params, "evaluate.threshold", 0, 1)
    _number(params, "eda.bins", 2, 1000, integer=True)
    _number(params, "eda.iqr_k", 0, 100)
    _number(params, "correlate.bins", 2, 1000, integer=True)
    _number(params, "correlate.threshold", 0, 1)
    interval = get(params, "correlate.interval_columns")
    _require(isinstance(interval, list) and set(interval) <= set(NUMERIC), "correlate.interval_columns",
             f"must be a list of numeric model-table columns {NUMERIC}, got {interval!r}")
    _number(params, "explain.background_size", 1, 100_000, integer=True)
    _number(params, "explain.permutations", 1, 1000, integer=True)
    _number(params, "explain.permutation_repeats", 1, 1000, integer=True)
    _number(params, "explain.seed", 0, 2**32 - 1, integer=True)
    for key in ("top_features", "plot_features", "dependence_features"):
        _number(params, f"explain.{key}", 1, 1000, integer=True)
    models = get(params, "models")
    _require(isinstance(models, dict) and models, "models", "must list at least one model")
    for name in models:
        validate_model(params, name)


def validate_model(params: dict, name: str) -> None:
    key = f"models.{name}"
    spec = get(params, key)
    _require(isinstance(spec, dict), key, "must be a mapping")
    estimator = get(params, f"{key}.estimator")
    _require(estimator in ESTIMATORS, f"{key}.estimator",
             f"names an unknown estimator {estimator!r}; known: {sorted(ESTIMATORS)}")
    args = spec.get("args") or {}
    grid = spec.get("grid") or {}
    _require(isinstance(args, dict), f"{key}.args", "must be a mapping")
    _require(isinstance(grid, dict), f"{key}.grid", "must be a mapping of argument -> list of values")
    known = set(base_estimator(estimator, {}).get_params())
    for section, names in (("args", args), ("grid", grid)):
        unknown = sorted(set(names) - known)
        _require(not unknown, f"{key}.{section}",
                 f"has argument(s) {unknown} that {ESTIMATORS[estimator].__name__} does not take")
    for arg, values in grid.items():
        _require(isinstance(values, list) and values, f"{key}.grid.{arg}", "must be a non-empty list")
    try:
        base_estimator(estimator, args)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"params.yaml: '{key}.args' are rejected by {estimator}: {err}") from None
    scalers = get(params, f"{key}.scalers")
    _require(isinstance(scalers, list) and scalers and set(scalers) <= set(SCALERS), f"{key}.scalers",
             f"must be a non-empty list of {sorted(SCALERS)}, got {scalers!r}")
    method = get(params, f"{key}.search.method")
    _require(method in SEARCH_METHODS, f"{key}.search.method", f"must be one of {SEARCH_METHODS}")
    if method == "random":
        _number(params, f"{key}.search.n_iter", 1, 100_000, integer=True)
