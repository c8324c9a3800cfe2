"""Read params.yaml once and check every knob before any heavy work starts."""

from pathlib import Path

import yaml

from oneclick.columns import NUMERIC
from oneclick.engineer import TOGGLES
from oneclick.errors import ParamsError
from oneclick.segments import CALIBRATIONS, CELLS, FEATURE_NAMES

SEARCH_METHODS = ("grid", "random")


def load_params(path="params.yaml", check_estimators=True) -> dict:
    """The checked params. `check_estimators=False` skips checking each model's estimator, args and grid
    against scikit-learn, for the stages that never build a model: they then start without importing it
    (about 1 s each). The split stage checks them, before any search starts.
    """
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: file not found (run from the repository root)")
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    validate(params, check_estimators)
    return params


def get(params: dict, key: str):
    """`get(params, "split.test_size")`, with an error naming the missing key."""
    node = params
    for part in key.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            continue
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


def validate(params: dict, check_estimators=True) -> None:
    _require(isinstance(params, dict), "<root>", "must be a mapping")
    _require(isinstance(get(params, "data.raw_dir"), str), "data.raw_dir", "must be a folder path")
    _number(params, "synthesize.n_customers", 20, 10_000_000, integer=True)
    _number(params, "synthesize.seed", 0, 2**32 - 1, integer=True)
    _number(params, "prepare.revenue_max", 0, float("inf"))
    _number(params, "split.test_size", 0.05, 0.95)
    _number(params, "split.seed", 0, 2**32 - 1, integer=True)
    features = get(params, "features")
    _require(isinstance(features, dict) and set(features) == set(TOGGLES)
             and all(isinstance(v, bool) for v in features.values()),
             "features", f"must set each of {list(TOGGLES)} to true or false, got {features!r}")
    _number(params, "cv.folds", 2, 50, integer=True)
    _number(params, "cv.repeats", 1, 100, integer=True)
    _number(params, "cv.seed", 0, 2**32 - 1, integer=True)
    _number(params, "cv.n_jobs", 1, 64, integer=True)
    _require(get(params, "cv.backend") in ("threads", "dask"), "cv.backend", "must be 'threads' or 'dask'")
    scheduler = params["cv"].get("scheduler")
    _require(scheduler is None or isinstance(scheduler, str), "cv.scheduler", "must be an address or null")
    rules = ("best", "one_se")
    _require(get(params, "select.rule") in rules, "select.rule", f"must be one of {list(rules)}")
    _number(params, "evaluate.bootstrap", 10, 100_000, integer=True)
    _number(params, "evaluate.seed", 0, 2**32 - 1, integer=True)
    _number(params, "evaluate.threshold", 0, 1)
    _number(params, "evaluate.curve_points", 10, 1_000_000, integer=True)
    _number(params, "eda.bins", 2, 1000, integer=True)
    _number(params, "eda.iqr_k", 0, 100)
    _number(params, "correlate.bins", 2, 1000, integer=True)
    _number(params, "correlate.threshold", 0, 1)
    interval = get(params, "correlate.interval_columns")
    _require(isinstance(interval, list) and set(interval) <= set(NUMERIC), "correlate.interval_columns",
             f"must be a list of numeric model-table columns {NUMERIC}, got {interval!r}")
    _number(params, "explain.background_size", 1, 100_000, integer=True)
    _number(params, "explain.max_rows", 50, 10_000_000, integer=True)
    _number(params, "explain.permutations", 1, 1000, integer=True)
    _number(params, "explain.permutation_repeats", 1, 1000, integer=True)
    _number(params, "explain.seed", 0, 2**32 - 1, integer=True)
    _number(params, "explain.n_jobs", 1, 64, integer=True)
    for key in ("top_features", "plot_features", "dependence_features"):
        _number(params, f"explain.{key}", 1, 1000, integer=True)
    models = get(params, "models")
    _require(isinstance(models, dict) and models, "models", "must list at least one model")
    for name in models:
        validate_model(params, name, check_estimators)
    validate_segment(params)


def validate_model(params: dict, name: str, check_estimators=True) -> None:
    key = f"models.{name}"
    spec = get(params, key)
    _require(isinstance(spec, dict), key, "must be a mapping")
    grid = spec.get("grid") or {}
    _require(isinstance(grid, dict), f"{key}.grid", "must be a mapping of argument -> list of values")
    for arg, values in grid.items():
        _require(isinstance(values, list) and values, f"{key}.grid.{arg}", "must be a non-empty list")
    _require(isinstance(get(params, f"{key}.scalers"), list), f"{key}.scalers", "must be a list")
    method = get(params, f"{key}.search.method")
    _require(method in SEARCH_METHODS, f"{key}.search.method", f"must be one of {SEARCH_METHODS}")
    if method == "random":
        _number(params, f"{key}.search.n_iter", 1, 100_000, integer=True)
    if spec["search"].get("subsample") is not None:
        _number(params, f"{key}.search.subsample", 50, 10_000_000, integer=True)
    if check_estimators:
        _validate_estimator(spec, key)
        _validate_search_space(spec, key)


def _validate_search_space(spec: dict, key: str) -> None:
    """Grid arguments the estimator takes, and known scalers."""
    from oneclick.registry import SCALERS, make_estimator  # scikit-learn: see load_params

    unknown = sorted(set(spec.get("grid") or {}) - set(make_estimator(spec).get_params()))
    _require(not unknown, f"{key}.grid", f"has argument(s) {unknown} that {spec['estimator']} does not take")
    scalers = spec["scalers"]
    _require(scalers and set(scalers) <= set(SCALERS), f"{key}.scalers",
             f"must be a non-empty list of {sorted(SCALERS)}, got {scalers!r}")


def _validate_estimator(spec: dict, key: str) -> None:
    """The estimator name, its fixed args, and (for voting) every member, recursively."""
    from oneclick.registry import ESTIMATORS, make_estimator  # scikit-learn: see load_params

    estimator = spec.get("estimator")
    _require(estimator in ESTIMATORS, f"{key}.estimator",
             f"names an unknown estimator {estimator!r}; known: {sorted(ESTIMATORS)}")
    args = spec.get("args") or {}
    _require(isinstance(args, dict), f"{key}.args", "must be a mapping")
    if estimator == "voting":
        members = spec.get("members")
        _require(isinstance(members, dict) and len(members) >= 2, f"{key}.members",
                 "must name at least two member models, each with its estimator and args")
        for member, member_spec in members.items():
            _require(isinstance(member_spec, dict), f"{key}.members.{member}", "must be a mapping")
            _validate_estimator(member_spec, f"{key}.members.{member}")
    bare = ESTIMATORS[estimator]([]) if estimator == "voting" else ESTIMATORS[estimator]()
    known = set(bare.get_params(deep=False)) - {"estimators", "voting"}  # soft voting is fixed
    unknown = sorted(set(args) - known)
    _require(not unknown, f"{key}.args",
             f"has argument(s) {unknown} that {ESTIMATORS[estimator].__name__} does not take")
    try:
        make_estimator(spec)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"params.yaml: '{key}.args' are rejected by {estimator}: {err}") from None


def _text(params, key):
    _require(isinstance(get(params, key), str) and get(params, key).strip(), key, "must be a non-empty text")


def validate_segment(params: dict) -> None:
    """The `segment` and `report` keys."""
    _require(get(params, "segment.calibration") in CALIBRATIONS, "segment.calibration",
             f"must be one of {CALIBRATIONS}")
    _number(params, "segment.risk_threshold", 0, 1)
    rule = get(params, "segment.profit_threshold")
    if isinstance(rule, dict):
        _require(set(rule) == {"quantile"}, "segment.profit_threshold", "as a mapping must be {quantile: q}")
        _number(params, "segment.profit_threshold.quantile", 0, 1)
    else:
        _number(params, "segment.profit_threshold", float("-inf"), float("inf"))
    names = get(params, "segment.names")
    _require(isinstance(names, dict) and set(names) == set(CELLS), "segment.names",
             f"must name exactly the cells {list(CELLS)}")
    for cell in CELLS:
        _text(params, f"segment.names.{cell}")
    _require(len(set(names.values())) == len(CELLS), "segment.names", "must give each cell a different name")
    targeted = get(params, "segment.targeted")
    _require(isinstance(targeted, list) and set(targeted) <= set(CELLS), "segment.targeted",
             f"must be a list of cells from {list(CELLS)}")
    _number(params, "segment.profile_top", 1, len(FEATURE_NAMES), integer=True)
    _number(params, "segment.plot_points", 10, 10_000_000, integer=True)
    offers = get(params, "segment.offers")
    _require(isinstance(offers, list), "segment.offers", "must be a list of rules")
    for i, rule in enumerate(offers):
        key = f"segment.offers.{i}"
        _require(isinstance(rule, dict), key, "must be a mapping")
        _require(get(params, f"{key}.feature") in FEATURE_NAMES, f"{key}.feature",
                 f"must be a model feature, one of {FEATURE_NAMES}")
        _require(get(params, f"{key}.when") in ("higher", "lower"), f"{key}.when", "must be 'higher' or 'lower'")
        _number(params, f"{key}.min_effect", 0, float("inf"))
        _text(params, f"{key}.name")
        _text(params, f"{key}.offer")
    for key in ("segment.default_offer", "segment.no_offer"):
        _text(params, f"{key}.name")
        _text(params, f"{key}.offer")
    _number(params, "segment.experiment.control_share", 0, 0.9)
    _number(params, "segment.experiment.seed", 0, 2**32 - 1, integer=True)
    _number(params, "segment.experiment.drop", 0.001, 0.999)
    _number(params, "segment.experiment.alpha", 0.0001, 0.5)
    _number(params, "segment.experiment.power", 0.5, 0.9999)
    _number(params, "report.top_features", 1, 100, integer=True)
