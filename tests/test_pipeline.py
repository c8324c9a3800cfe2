"""End to end: `dvc repro` in a copy of the repo on a small synthetic set, then the user's loop."""

import json

import pytest
import yaml
from segment_fixtures import importance
from workspace import make_workspace, ran_stages, run

from oneclick.io import write_csv, write_json

MODELS = ["dummy", "knn", "tree", "logreg", "svc"]


def add_explain_outputs_if_no_stage_makes_them(ws):
    """Until the explain and correlate stages are merged, their outputs are fixture files."""
    stages = yaml.safe_load((ws / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    if "explain" not in stages:
        write_csv(ws / "plots" / "importance.csv", importance())
        write_json(ws / "metrics" / "explain.json", {"explainer": "fixture", "top_features": []})
    if "correlate" not in stages:
        write_json(ws / "metrics" / "correlation.json", {"max_pair": {"features": ["a", "b"], "phik": 0.5},
                                                         "max_vif": {"feature": "a", "vif": 1.5}})


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("e2e") / "repo", git=True)
    add_explain_outputs_if_no_stage_makes_them(ws)
    first = run(["dvc", "repro"], ws)
    return ws, first


def test_repro_runs_every_stage_and_writes_metrics(repo):
    ws, first = repo
    ran = ran_stages(first.stdout)
    assert {"synthesize", "prepare", "split", "select", "evaluate", "segment", "report"} <= set(ran)
    assert {f"search@{m}" for m in MODELS} <= set(ran)
    test = json.loads((ws / "metrics" / "test.json").read_text())
    assert list(test)[0] == "roc_auc"
    assert 0.7 < test["roc_auc"] <= 1 and test["roc_auc_ci95_low"] <= test["roc_auc"] <= test["roc_auc_ci95_high"]
    selection = json.loads((ws / "metrics" / "selection.json").read_text())
    assert selection["model"] != "dummy" and set(selection["ranking"]) == set(MODELS)
    assert selection["ranking"]["dummy"] == pytest.approx(0.5)
    for model in MODELS:
        cv = json.loads((ws / "metrics" / "cv" / f"{model}.json").read_text())
        assert list(cv)[0] == "cv_roc_auc" and cv["model"] == model
    roc = (ws / "plots" / "roc.json").read_text()
    assert "Infinity" not in roc and "NaN" not in roc
    segments = json.loads((ws / "metrics" / "segments.json").read_text())
    assert sum(s["customers"] for s in segments["segments"].values()) == segments["customers"] > 0
    report = (ws / "reports" / "report.md").read_text(encoding="utf-8")
    assert all(f"| {m} |" in report or f"| **{m}** |" in report for m in MODELS)


def test_second_repro_does_nothing(repo):
    ws, _ = repo
    again = run(["dvc", "repro"], ws)
    assert ran_stages(again.stdout) == []


def test_one_grid_change_reruns_only_that_search(repo):
    ws, _ = repo
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A"], ws)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "baseline"], ws)
    result = run(["dvc", "exp", "run", "-S", "models.svc.grid.C=[0.5,2]"], ws)
    ran = ran_stages(result.stdout)
    # the stages after select re-run only if the selected model changed; no other search ever re-runs
    downstream = {"select", "evaluate", "explain", "segment", "report"}
    assert ran[:2] == ["search@svc", "select"] and set(ran) <= {"search@svc"} | downstream
    diff = run(["dvc", "params", "diff", "--md"], ws).stdout
    assert "models.svc.grid.C" in diff
