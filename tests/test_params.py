"""params.yaml validation: a wrong value fails before any fitting, naming the key."""

import copy

import pytest
import yaml
from conftest import ROOT

from oneclick.errors import ParamsError
from oneclick.params import load_params, validate

PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))


def changed(key: str, value):
    params = copy.deepcopy(PARAMS)
    node = params
    *path, last = key.split(".")
    for part in path:
        node = node[part]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return params


def test_repository_params_are_valid():
    validate(copy.deepcopy(PARAMS))
    assert load_params(ROOT / "params.yaml")["models"]


@pytest.mark.parametrize("key, value, expected", [
    ("models.svc.estimator", "xgboost", "models.svc.estimator"),
    ("models.svc.args", {"random_state": 1, "gama": 2}, "gama"),
    ("models.knn.grid", {"n_neighbours": [3]}, "n_neighbours"),
    ("models.knn.grid", {"n_neighbors": 5}, "models.knn.grid.n_neighbors"),
    ("models.knn.scalers", ["robust"], "models.knn.scalers"),
    ("models.knn.search", {"method": "bayes"}, "models.knn.search.method"),
    ("models.knn.search", {"method": "random"}, "models.knn.search.n_iter"),
    ("split.test_size", 1.5, "split.test_size"),
    ("select.rule", "lowest", "select.rule"),
    ("cv.folds", 1, "cv.folds"),
    ("cv.repeats", KeyError, "cv.repeats"),
    ("data.raw_dir", None, "data.raw_dir"),
    ("segment.calibration", "platt", "segment.calibration"),
    ("segment.risk_threshold", 1.2, "segment.risk_threshold"),
    ("segment.profit_threshold", {"quantile": 1.5}, "segment.profit_threshold.quantile"),
    ("segment.profit_threshold", {"median": True}, "segment.profit_threshold"),
    ("segment.names", {"high_risk_high_profit": "keep"}, "segment.names"),
    ("segment.targeted", ["priority"], "segment.targeted"),
    ("segment.offers", [{"name": "x", "feature": "promo", "when": "higher", "min_effect": 0.2, "offer": "y"}],
     "segment.offers.0.feature"),
    ("segment.offers", [{"name": "x", "feature": "promo_share", "when": "more", "min_effect": 0.2, "offer": "y"}],
     "segment.offers.0.when"),
    ("segment.experiment", {"control_share": 0.2, "seed": 1, "drop": 0.1, "alpha": 0.05}, "segment.experiment.power"),
    ("report.top_features", 0, "report.top_features"),
])
def test_bad_value_names_the_key(key, value, expected):
    with pytest.raises(ParamsError, match=expected.replace(".", r"\.")):
        validate(changed(key, value))



def test_voting_needs_valid_members():
    members = {"svc": {"estimator": "svc", "args": {"C": 1}}}
    voting = {"estimator": "voting", "args": {}, "members": members, "grid": {}, "scalers": ["none"],
              "search": {"method": "grid"}}
    with pytest.raises(ParamsError, match=r"models\.vote\.members"):
        validate(changed("models.vote", voting))
    voting["members"] = {**members, "knn": {"estimator": "knn", "args": {"k": 3}}}
    with pytest.raises(ParamsError, match=r"models\.vote\.members\.knn\.args.*'k'"):
        validate(changed("models.vote", voting))
    voting["members"]["knn"]["args"] = {"n_neighbors": 3}
    validate(changed("models.vote", voting))


def test_feature_toggles_must_be_booleans():
    with pytest.raises(ParamsError, match="features"):
        validate(changed("features.trends", "yes"))
