"""Read params.yaml once and check every knob before any heavy work starts."""

import difflib
import re
from pathlib import Path

import yaml

from oneclick.calibration import METHODS, SCORES
from oneclick.columns import FEATURES, MARKET_FILE, NUMERIC
from oneclick.engineer import TOGGLES
from oneclick.errors import ParamsError
from oneclick.segments import CELLS, FEATURE_NAMES
from oneclick.synthesize import NUMERIC_STATS

SEARCH_METHODS = ("grid", "random")
# a campaign's or an export's name: a params key `dvc exp run -S` can address (Hydra) and part of a stage name
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
NAME_RULE = "a letter, then letters, digits, '_' or '-'"


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


class Names(dict):
    """A mapping whose keys are names the user chooses (models, offers, campaigns, exports), each entry checked
    against the schema given."""

    def __init__(self, entry):
        super().__init__()
        self.entry = entry


# Every key params.yaml may hold. A set lists leaves; a dict maps a key to the schema of its value (None: checked
# by validate itself, like a model's args or an eligibility rule); Names: free names, each with this schema.
SCHEMA = {
    "data": {"raw_dir"},
    "synthesize": {"n_customers": None, "seed": None, "separation": None,
                   "months": Names({"n_customers", "seed", "shift"})},
    "prepare": {"revenue_max"},
    "split": {"test_size", "seed"},
    "features": None,
    "cv": {"folds", "repeats", "seed", "n_jobs", "backend", "scheduler"},
    "models": Names({"estimator": None, "args": None, "grid": None, "scalers": None, "members": None,
                     "search": {"method", "n_iter", "subsample"}}),
    "select": {"rule"},
    "evaluate": {"threshold", "bootstrap", "seed", "curve_points"},
    "segment": {"risk_threshold", "profit_threshold", "names", "profile_top", "plot_points"},
    "calibrate": {"method", "choices", "score", "bins"},
    "campaign": {"horizon_months": None, "loss_share": None, "contact_cost": None, "draws": None, "seed": None,
                 "budget": {"contacts", "spend"}, "control": {"share", "seed"}, "power": {"alpha", "power"},
                 "offers": Names({"text": None, "cost": None, "eligible": None, "save_rate": {"alpha", "beta"}})},
    "readout": {"campaigns", "min_per_arm"},
    "simulate": {"name", "save_rates", "seed"},
    "monitor": {"exports": None, "alpha": None, "psi_min": None, "min_rows": None, "reference_rows": None,
                "domain": {"rows", "trees", "min_leaf", "permutations", "auc_min", "seed"}},
    "report": {"top_features"},
    "explain": {"production_rows", "max_rows", "background_size", "permutations", "permutation_repeats", "seed",
                "n_jobs", "top_features", "plot_features", "dependence_features"},
    "eda": {"bins", "iqr_k"},
    "correlate": {"interval_columns", "bins", "threshold"},
}


def unknown_names(unknown, known, what: str) -> str:
    """'... {what} ['a', 'b']; did you mean 'x'?' for names not in `known`."""
    known = sorted(map(str, known))
    close = [match for name in unknown for match in difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)]
    hint = f"; did you mean {', '.join(repr(c) for c in dict.fromkeys(close))}?" if close else ""
    return f"{what} {known}{hint}"


def check_keys(node, schema, key: str = "") -> None:
    """Every key of `node` is one `schema` knows, recursively; an unknown one names the valid ones and the closest."""
    if schema is None or not isinstance(node, dict):
        return
    if isinstance(schema, Names):
        for name, value in node.items():
            check_keys(value, schema.entry, f"{key}.{name}")
        return
    known = schema if isinstance(schema, (set, frozenset)) else set(schema)
    unknown = [k for k in node if k not in known]
    where = key.lstrip(".") or "the top level"
    _require(not unknown, f"{key.lstrip('.')}.{unknown[0]}".lstrip(".") if unknown else where,
             "is not a known key; " + unknown_names(unknown, known, f"{where} takes") if unknown else "")
    if isinstance(schema, dict):
        for name, value in node.items():
            check_keys(value, schema[name], f"{key}.{name}")


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
    check_keys(params, SCHEMA)
    _require(isinstance(get(params, "data.raw_dir"), str), "data.raw_dir", "must be a folder path")
    _number(params, "synthesize.n_customers", 20, 10_000_000, integer=True)
    _number(params, "synthesize.seed", 0, 2**32 - 1, integer=True)
    months = get(params, "synthesize.months")
    _require(isinstance(months, dict), "synthesize.months", "must map month names to {n_customers, seed, shift}")
    for name in months:
        key = f"synthesize.months.{name}"
        _require(NAME.match(str(name)) is not None, key, f"must be named with {NAME_RULE}")
        _number(params, f"{key}.n_customers", 20, 10_000_000, integer=True)
        _number(params, f"{key}.seed", 0, 2**32 - 1, integer=True)
        shift = get(params, f"{key}.shift")
        _require(isinstance(shift, dict) and set(shift) <= set(NUMERIC_STATS), f"{key}.shift",
                 f"must map numeric columns of the generator {list(NUMERIC_STATS)} to factors")
        for column in shift:
            _number(params, f"{key}.shift.{column}", 0, 100)
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
    _number(params, "explain.production_rows", 10, 100_000, integer=True)
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
    validate_calibrate(params)
    validate_campaign(params)
    validate_monitor(params)


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

    takes = set(make_estimator(spec).get_params(deep=False))
    unknown = sorted(set(spec.get("grid") or {}) - set(make_estimator(spec).get_params()))
    _require(not unknown, f"{key}.grid", f"has argument(s) {unknown} that {spec['estimator']} does not take; "
             + unknown_names(unknown, takes, "it takes"))
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
    _require(not unknown, f"{key}.args", f"has argument(s) {unknown} that {ESTIMATORS[estimator].__name__} does not "
             f"take; " + unknown_names(unknown, known, "it takes"))
    try:
        make_estimator(spec)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"params.yaml: '{key}.args' are rejected by {estimator}: {err}") from None


def _text(params, key):
    _require(isinstance(get(params, key), str) and get(params, key).strip(), key, "must be a non-empty text")


def validate_segment(params: dict) -> None:
    """The `segment` and `report` keys."""
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
    _number(params, "segment.profile_top", 1, len(FEATURE_NAMES), integer=True)
    _number(params, "segment.plot_points", 10, 10_000_000, integer=True)
    _number(params, "report.top_features", 1, 100, integer=True)


def validate_calibrate(params: dict) -> None:
    choices = get(params, "calibrate.choices")
    _require(isinstance(choices, list) and choices and set(choices) <= set(METHODS)
             and len(set(choices)) == len(choices), "calibrate.choices",
             f"must be a list of different methods from {list(METHODS)}")
    method = get(params, "calibrate.method")
    _require(method == "auto" or method in choices, "calibrate.method", f"must be auto or one of {choices}")
    _require(get(params, "calibrate.score") in SCORES, "calibrate.score", f"must be one of {list(SCORES)}")
    _number(params, "calibrate.bins", 2, 1000, integer=True)


# columns an eligibility rule may name: the model table's, and profit
RULE_COLUMNS = FEATURES + ["profit"]
CATEGORIES = {c.name: list(c.categories) for c in MARKET_FILE.columns if c.categories}


def validate_campaign(params: dict) -> None:
    """The economics of `campaign`, every offer, and the read-outs and simulation that name offers."""
    _number(params, "campaign.horizon_months", 1, 120, integer=True)
    _number(params, "campaign.loss_share", 0, 1)
    _number(params, "campaign.contact_cost", 0, float("inf"))
    budget = get(params, "campaign.budget")
    _require(isinstance(budget, dict) and set(budget) <= {"contacts", "spend"}, "campaign.budget",
             "must be a mapping with contacts and spend (each a number or null)")
    if budget.get("contacts") is not None:
        _number(params, "campaign.budget.contacts", 0, 10**9, integer=True)
    if budget.get("spend") is not None:
        _number(params, "campaign.budget.spend", 0, float("inf"))
    _number(params, "campaign.control.share", 0, 0.9)
    _number(params, "campaign.control.seed", 0, 2**32 - 1, integer=True)
    offers = get(params, "campaign.offers")
    _require(isinstance(offers, dict) and offers, "campaign.offers", "must name at least one offer")
    for name in offers:
        key = f"campaign.offers.{name}"
        _require(isinstance(offers[name], dict), key, "must be a mapping with text, cost, save_rate, eligible")
        _text(params, f"{key}.text")
        _number(params, f"{key}.cost", 0, float("inf"))
        for part in ("alpha", "beta"):
            value = get(params, f"{key}.save_rate.{part}")
            _require(isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0,
                     f"{key}.save_rate.{part}", f"must be a number above 0 (a Beta prior), got {value!r}")
        rule = offers[name].get("eligible") or {}
        _require(isinstance(rule, dict), f"{key}.eligible", "must be a mapping {column: {min, max, in}}")
        for column, condition in rule.items():
            where = f"{key}.eligible.{column}"
            _require(column in RULE_COLUMNS, where, f"names no column of the model table; one of {RULE_COLUMNS}")
            _require(isinstance(condition, dict) and condition and set(condition) <= {"min", "max", "in"}, where,
                     "must be a mapping with min, max and/or in")
            for bound in ("min", "max"):
                if bound in condition:
                    _number(params, f"{where}.{bound}", float("-inf"), float("inf"))
            if "in" in condition:
                known = CATEGORIES.get(column)
                _require(isinstance(condition["in"], list) and condition["in"]
                         and (known is None or set(condition["in"]) <= set(known)), f"{where}.in",
                         f"must be a list of categories{f' from {known}' if known else ''}")
    _number(params, "campaign.power.alpha", 0.0001, 0.5)
    _number(params, "campaign.power.power", 0.5, 0.9999)
    _number(params, "campaign.draws", 10, 100_000, integer=True)
    _number(params, "campaign.seed", 0, 2**32 - 1, integer=True)
    campaigns = get(params, "readout.campaigns")
    _require(isinstance(campaigns, dict), "readout.campaigns", "must map campaign names to folders (or be {})")
    for name, folder in campaigns.items():
        _require(isinstance(folder, str) and NAME.match(str(name)), f"readout.campaigns.{name}",
                 f"must be a folder path, under a name of {NAME_RULE}")
    _number(params, "readout.min_per_arm", 1, 10**9, integer=True)
    _text(params, "simulate.name")
    rates = get(params, "simulate.save_rates")
    _require(isinstance(rates, dict) and set(rates) == set(offers), "simulate.save_rates",
             f"must give a true save rate for each offer of campaign.offers: {list(offers)}")
    for name in rates:
        _number(params, f"simulate.save_rates.{name}", 0, 1)
    _number(params, "simulate.seed", 0, 2**32 - 1, integer=True)


def validate_monitor(params: dict) -> None:
    exports = get(params, "monitor.exports")
    _require(isinstance(exports, dict), "monitor.exports", "must map export names to folders (or be {})")
    for name, folder in exports.items():
        _require(isinstance(folder, str) and NAME.match(str(name)) is not None, f"monitor.exports.{name}",
                 f"must be a folder path, under a name of {NAME_RULE}")
    _number(params, "monitor.alpha", 0.0001, 0.5)
    _number(params, "monitor.psi_min", 0, 100)
    _number(params, "monitor.min_rows", 2, 10**9, integer=True)
    _number(params, "monitor.reference_rows", 10, 100_000, integer=True)
    _number(params, "monitor.domain.rows", 10, 10**7, integer=True)
    _number(params, "monitor.domain.trees", 1, 10_000, integer=True)
    _number(params, "monitor.domain.min_leaf", 1, 10_000, integer=True)
    _number(params, "monitor.domain.permutations", 10, 100_000, integer=True)
    _number(params, "monitor.domain.auc_min", 0.5, 1)
    _number(params, "monitor.domain.seed", 0, 2**32 - 1, integer=True)
