"""End to end: `dvc repro` in a copy of the repo on a small synthetic set, then the user's loop."""

import json

import pytest
from workspace import make_workspace, ran_stages, run

MODELS = ["dummy", "knn", "tree", "logreg", "svc"]


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("e2e") / "repo", git=True)
    first = run(["dvc", "repro"], ws)
    return ws, first


def test_repro_runs_every_stage_and_writes_metrics(repo):
    ws, first = repo
    ran = ran_stages(first.stdout)
    assert {"synthesize", "prepare", "eda", "correlate", "split", "select", "evaluate", "explain"} <= set(ran)
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
    explain = json.loads((ws / "metrics" / "explain.json").read_text())
    assert explain["model"] == selection["model"] and len(explain["top_features"]) == 5
    correlation = json.loads((ws / "metrics" / "correlation.json").read_text())
    assert set(correlation["max_pair"]) == {"features", "phik"} and set(correlation["max_vif"]) == {"feature", "vif"}
    roc = (ws / "plots" / "roc.json").read_text()
    assert "Infinity" not in roc and "NaN" not in roc


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
    # evaluate and explain re-run only if the selected model changed; no other search ever re-runs
    assert ran[:2] == ["search@svc", "select"] and set(ran) <= {"search@svc", "select", "evaluate", "explain"}
    diff = run(["dvc", "params", "diff", "--md"], ws).stdout
    assert "models.svc.grid.C" in diff
