"""The review's verdict on revisions built by hand in a scratch git repo: when it pairs, and what it says."""

import json
import subprocess

import numpy as np
import pandas as pd
import pytest

from oneclick.model.search import customers_digest
from tools.verdict import compare, markdown_lines, stale_stages

RNG = np.random.default_rng(0)
Y = RNG.integers(0, 2, 120)
GOOD = np.round(np.clip(0.5 + 0.35 * (Y - 0.5) * 2 + RNG.normal(0, 0.2, 120), 0, 1), 6)


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def write_side(repo, model="svc", scores=(0.90, 0.92, 0.88, 0.91, 0.89), folds=5, seed=42, ids=range(1000, 1100),
               proba=GOOD, test_ids=range(120), value=None):
    """The files a verdict reads, as the stages write them: both passes' records, fold scores, test probabilities,
    the test part's plan."""
    def put(path, obj):
        file = repo / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(obj))

    ids = list(ids)
    labels = [i % 2 for i in ids]
    for part, record in (("train", "selection"), ("labelled", "production")):
        put(f"metrics/{record}.json", {"model": model, "cv_roc_auc": float(np.mean(scores))})
        put(f"reports/cv_folds/{part}/{model}.json", {
            "model": model, "folds": folds, "repeats": len(scores) // folds, "seed": seed, "train_rows": len(ids),
            "customers": customers_digest(ids, labels), "roc_auc": list(scores)})
    put("metrics/test.json", {"roc_auc": 0.9})
    pd.DataFrame({"id": list(test_ids), "actual": Y, "probability": proba}).to_csv(
        repo / "reports/test_predictions.csv", index=False)
    value = np.full(len(Y), 3.6) if value is None else value
    pd.DataFrame({"id": list(test_ids), "declined": Y, "probability": proba, "value_at_stake": value,
                  "offer": "cart_reminder", "total_cost": 0.17, "alpha": 6.0, "beta": 14.0,
                  "expected_profit": proba * 0.3 * value - 0.17}).to_csv(repo / "reports/test_campaign.csv",
                                                                         index=False)


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@localhost")
    git(tmp_path, "config", "user.name", "t")
    write_side(tmp_path)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    return tmp_path


def test_identical_sides_show_no_detectable_difference_with_zero_inside(repo):
    lines = compare("main", None, repo)
    assert [line["verdict"] for line in lines] == ["no detectable difference"] * 4
    assert all(line["low"] <= 0 <= line["high"] for line in lines)


def test_a_much_worse_model_is_worse_on_every_line(repo):
    noisy = np.round(np.clip(GOOD + RNG.normal(0, 0.5, 120), 0, 1), 6)
    write_side(repo, model="knn", scores=(0.70, 0.74, 0.69, 0.73, 0.70), proba=noisy)
    lines = compare("main", None, repo)
    assert [line["verdict"] for line in lines] == ["worse"] * 4  # a worse ranking earns less too
    assert all(line["high"] < 0 for line in lines)
    assert lines[0]["base"].startswith("svc") and lines[0]["head"].startswith("knn")
    assert markdown_lines(lines)[0].startswith("- **worse**. CV ROC-AUC")


@pytest.mark.parametrize(("change", "reason"), [
    ({"folds": 4, "scores": (0.9, 0.9, 0.9, 0.9)}, "cv.folds changed (5 → 4)"),
    ({"seed": 7}, "cv.seed changed (42 → 7)"),
    ({"ids": range(1000, 1099)}, "the folds hold other customers (100 → 99 rows"),
])
def test_other_folds_are_not_comparable(repo, change, reason):
    write_side(repo, **change)
    cv, holdout, production, _ = compare("main", None, repo)
    assert reason in cv["reason"] and reason in production["reason"] and "delta" not in cv
    assert holdout["verdict"] == "no detectable difference"  # the test customers are still the same
    assert markdown_lines([cv])[0].startswith(f"- **not comparable: {reason}")


def test_other_test_customers_are_not_comparable(repo):
    write_side(repo, test_ids=range(1, 121))
    _, holdout, _, profit = compare("main", None, repo)
    assert holdout["reason"].startswith("other test customers") and profit["reason"].startswith("other test customers")


def test_other_values_at_stake_are_other_assumptions_not_a_verdict(repo):
    write_side(repo, value=np.full(len(Y), 7.2))
    profit = compare("main", None, repo)[3]
    assert profit["verdict"] == "other assumptions" and "low" not in profit
    assert profit["assumptions"] == "the same params, other values at stake"
    assert float(profit["head"]) > float(profit["base"]) and profit["delta"] > 0  # twice the value at stake


def test_a_campaign_param_changed_is_named_with_both_figures(repo):
    """The README's knob: a dearer contact. Each side's profit under its own costs, the difference, and the param
    that changed, read from params.yaml at both revisions; never better or worse."""
    (repo / "params.yaml").write_text("campaign:\n  contact_cost: 0.02\n  budget:\n    contacts:\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "params")
    (repo / "params.yaml").write_text("campaign:\n  contact_cost: 0.05\n  budget:\n    contacts: 100\n")
    table = pd.read_csv(repo / "reports/test_campaign.csv")
    table["total_cost"] += 0.03
    table["expected_profit"] -= 0.03
    table.to_csv(repo / "reports/test_campaign.csv", index=False)
    profit = compare("main", None, repo)[3]
    assert profit["verdict"] == "other assumptions"
    assert profit["assumptions"] == "campaign.budget.contacts: empty → 100; campaign.contact_cost: 0.02 → 0.05"
    assert profit["delta"] == pytest.approx(float(profit["head"]) - float(profit["base"]), abs=0.051)
    assert profit["delta"] < 0
    line = markdown_lines([profit])[0]
    assert line.startswith("- **other assumptions**: campaign.budget.contacts: empty → 100; campaign.contact_cost") \
        and f"{profit['base']} → {profit['head']}" in line and "better" not in line.split(":")[0]


def test_a_base_without_fold_scores_is_said_so(repo):
    git(repo, "rm", "-rq", "reports")
    git(repo, "commit", "-qm", "before fold scores were kept")
    write_side(repo)
    cv, holdout, _, profit = compare("main", None, repo)
    assert "per-fold scores are missing" in cv["reason"] and "missing" in holdout["reason"]
    assert "missing" in profit["reason"]


def test_a_campaign_stage_that_did_not_run_is_not_compared(repo):
    """An experiment run up to evaluate leaves reports/test_campaign.csv as it was: the lock says so."""
    lock = {"stages": {
        "evaluate": {"outs": [{"path": "reports/test_predictions.csv", "md5": "new"}]},
        "segment": {"deps": [{"path": "reports/test_predictions.csv", "md5": "old"}],
                    "outs": [{"path": "data/segments.csv", "md5": "s"}]},
        "campaign": {"deps": [{"path": "data/segments.csv", "md5": "s"}],
                     "outs": [{"path": "reports/test_campaign.csv", "md5": "c"}]}}}
    (repo / "dvc.lock").write_text(json.dumps(lock))  # JSON is YAML
    assert stale_stages(lock) == {"segment", "campaign"}
    assert compare("main", None, repo)[3]["reason"] == "the campaign stage did not run for workspace after its " \
        "inputs changed"
    lock["stages"]["segment"]["deps"][0]["md5"] = "new"
    (repo / "dvc.lock").write_text(json.dumps(lock))
    assert stale_stages(lock) == set() and compare("main", None, repo)[3]["verdict"] == "no detectable difference"


def test_each_past_campaign_gets_its_off_policy_line(repo):
    """The head plan's off-policy value on a past campaign, against the plan that ran there: the verdict follows
    the interval of the paired difference; the one-rate plan's figure stands beside it."""
    def value(per_1000, low, high, diff=None):
        out = {"per_1000": per_1000, "low": low, "high": high}
        if diff is not None:
            out["minus_plan_that_ran"] = dict(zip(("per_1000", "low", "high"), diff, strict=True))
        return out

    past = {"spring": {"new_plan": value(260.0, 200.0, 320.0, (12.5, 3.0, 22.0)),
                       "one_rate_per_offer": value(250.0, 190.0, 310.0, (2.0, -8.0, 12.0)),
                       "plan_that_ran": value(247.5, 180.0, 315.0)},
            "autumn": {"new_plan": value(100.0, 60.0, 140.0, (-1.0, -9.0, 7.0)),
                       "one_rate_per_offer": value(101.0, 61.0, 141.0, (0.0, -8.0, 8.0)),
                       "plan_that_ran": value(101.0, 60.0, 142.0)}}
    (repo / "metrics" / "campaign.json").write_text(json.dumps({"past_campaigns": past}))
    lines = compare("main", None, repo)
    assert len(lines) == 6
    spring, autumn = lines[4:]
    assert (spring["verdict"], autumn["verdict"]) == ("better", "no detectable difference")
    assert (spring["base"], spring["head"], spring["delta"]) == ("247.5", "260.0", 12.5)
    text = markdown_lines([spring])[0]
    assert text.startswith("- **better**. off-policy value of the plan per 1000 customers of campaign spring")
    assert "Δ +12.5, 95 % interval [+3.0, +22.0]" in text and "one save rate per offer would earn 250.0" in text
    assert len(compare("main", "main", repo)) == 4  # the base commit has no past campaign
