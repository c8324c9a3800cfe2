"""params.yaml validation: a wrong value fails before any fitting, naming the key."""

import copy

import pytest
import yaml
from conftest import ROOT

from oneclick.common.errors import ParamsError
from oneclick.params import load_params
from tools.check_params import validate

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
    assert load_params(path=ROOT / "params.yaml")["models"]


@pytest.mark.parametrize("content, expected", [
    (b"campaign: [unclosed\n", r"not a YAML file of params \(while parsing a flow sequence"),
    ("models: {}\ncampaign: {name: весна}\n".encode("cp1251"), r"not a YAML file of params \('utf-8' codec"),
    (b"- a list\n", r"p\.yaml: '<root>' must be a mapping"),
])
def test_a_params_file_that_is_not_params_is_one_error_naming_it(tmp_path, content, expected):
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    with pytest.raises(ParamsError, match=expected) as err:
        load_params(path=path)
    assert str(err.value).startswith(f"{path}: ")


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
    ("calibrate.method", "platt", "calibrate.method"),
    ("calibrate.choices", ["sigmoid", "sigmoid"], "calibrate.choices"),
    ("calibrate.score", "auc", "calibrate.score"),
    ("segment.risk_threshold", 1.2, "segment.risk_threshold"),
    ("segment.profit_threshold", {"quantile": 1.5}, "segment.profit_threshold.quantile"),
    ("segment.profit_threshold", {"median": True}, "segment.profit_threshold"),
    ("segment.profit_threshold", float("inf"), "segment.profit_threshold"),
    ("segment.names", {"high_risk_high_profit": "keep"}, "segment.names"),
    ("campaign.loss_share", 1.5, "campaign.loss_share"),
    ("campaign.horizon_months", 3.0, "campaign.horizon_months"),
    ("campaign.contact_cost", -0.01, "campaign.contact_cost"),
    ("campaign.offers.cart_reminder.cost", -1, "campaign.offers.cart_reminder.cost"),
    ("campaign.offers.cart_reminder.save_rate.alpha", 0, "campaign.offers.cart_reminder.save_rate.alpha"),
    ("campaign.offers.cart_reminder.save_rate.beta", -1, "campaign.offers.cart_reminder.save_rate.beta"),
    ("campaign.offers.cart_reminder.eligible", {"unpaid": {"min": 3}}, "campaign.offers.cart_reminder.eligible.unpaid"),
    ("campaign.offers.cart_reminder.eligible", {"unpaid_items_quarter": {"above": 3}},
     "campaign.offers.cart_reminder.eligible.unpaid_items_quarter"),
    ("campaign.offers.cart_reminder.eligible", {"allow_messages": {"in": ["yes"]}},
     "campaign.offers.cart_reminder.eligible.allow_messages.in"),
    ("campaign.offers", {}, "campaign.offers"),
    ("campaign.budget", {"contacts": 10.5, "spend": None}, "campaign.budget.contacts"),
    ("campaign.control.share", 0.95, "campaign.control.share"),
    ("campaign.draws", 5, "campaign.draws"),
    ("simulate.save_rates", {"cart_reminder": 0.3}, "simulate.save_rates"),
    ("simulate.save_rates.cart_reminder", 1.3, "simulate.save_rates.cart_reminder"),
    ("readout.campaigns", {"bad name": "x"}, "readout.campaigns.bad name"),
    ("readout.min_per_arm", 0, "readout.min_per_arm"),
    ("monitor.exports", ["a"], "monitor.exports"),
    ("monitor.alpha", 0.9, "monitor.alpha"),
    ("monitor.domain.auc_min", 0.3, "monitor.domain.auc_min"),
    ("monitor.domain.permutations", 339, "monitor.domain.permutations' must be at least 340"),  # 17 / 341 < 0.05
    ("synthesize.months", {"m": {"n_customers": 100, "seed": 1, "shift": {"height": 2}}}, "synthesize.months.m.shift"),
    ("cv.folds", 5.0, "cv.folds"),  # an integer knob: 5.0 would be recorded as 5.0 and re-run every search
    ("report.top_features", 0, "report.top_features"),
])
def test_bad_value_names_the_key(key, value, expected):
    with pytest.raises(ParamsError, match=expected.replace(".", r"\.")):
        validate(changed(key, value))


@pytest.mark.parametrize("key, value, message", [
    ("models.svc.grid", {"CC": [1]}, "'models.svc.grid' has argument(s) ['CC'] that svc does not take; it takes"),
    ("models.svc.args", {"gama": 1}, "'models.svc.args' has argument(s) ['gama'] that SVC does not take; it takes"),
    ("cv.fold", 3, "'cv.fold' is not a known key; cv takes ['backend', 'folds', 'n_jobs', 'repeats', 'scheduler', "
                   "'seed']; did you mean 'folds'?"),
    ("campaign.budget.contact", 3, "'campaign.budget.contact' is not a known key; campaign.budget takes ['contacts', "
                                   "'spend']; did you mean 'contacts'?"),
    ("modles", {}, "'modles' is not a known key; the top level takes"),
])
def test_an_unknown_key_names_the_valid_ones_and_the_closest(key, value, message):
    with pytest.raises(ParamsError) as err:
        validate(changed(key, value))
    assert message in str(err.value)
    suggestion = {"models.svc.grid": "did you mean 'C'?", "models.svc.args": "did you mean 'gamma'?",
                  "modles": "did you mean 'models'?"}.get(key)
    if suggestion:
        assert str(err.value).endswith(suggestion)


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


def test_params_yaml_is_written_as_dvc_writes_it(tmp_path):
    """`dvc exp run -S` rewrites params.yaml with its own YAML writer; the committed file is what that writer makes
    of it, so an experiment's diff holds only the keys it set (one line for a scalar)."""
    from dvc.utils.hydra import apply_overrides

    copy_ = tmp_path / "params.yaml"
    copy_.write_bytes((ROOT / "params.yaml").read_bytes())
    apply_overrides(copy_, [f"cv.folds={PARAMS['cv']['folds']}"])
    assert copy_.read_bytes() == (ROOT / "params.yaml").read_bytes()
    apply_overrides(copy_, ["segment.risk_threshold=0.6"])
    before, after = ((ROOT / "params.yaml").read_text().splitlines(), copy_.read_text().splitlines())
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [
        ("  risk_threshold: 0.5", "  risk_threshold: 0.6")]


def test_make_reals_overrides_leave_a_valid_params_file(tmp_path):
    """`make real` removes the demo campaign and months with -S; DVC's writer must leave valid YAML (a mapping
    emptied under a key with a comment on its line would not be)."""
    import re
    import shlex

    from dvc.utils.hydra import apply_overrides

    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nREAL_RUN = ")[1].split("\nreal:")[0]
    overrides = [arg for arg in re.findall(r"-S ('[^']+'|\S+)", recipe.replace("\\\n", " "))]
    copy_ = tmp_path / "params.yaml"
    copy_.write_bytes((ROOT / "params.yaml").read_bytes())
    apply_overrides(copy_, [shlex.split(arg)[0] for arg in overrides])
    params = yaml.safe_load(copy_.read_text(encoding="utf-8"))
    validate(params)
    assert params["data"]["raw_dir"] == "data/raw/market"
    assert params["readout"]["campaigns"] == {} and params["monitor"]["exports"] == {}
