"""Experiments end to end against the real `dvc` CLI: one grid change re-runs only what depends on it and shows in
the review, models added and dropped with -S (queued experiments: test_cluster.py).

A copy of the session's baseline sandbox (workspace.py) is shared by the tests of this module, which run in file
order; each test resets it.
"""

import json
import sys

import pytest
from workspace import copy_of, ran_stages, run, shared_baseline

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def repo(tmp_path_factory, synthetic_dir):
    built, _ = shared_baseline(tmp_path_factory, synthetic_dir)
    return copy_of(built, tmp_path_factory.mktemp("experiments") / "repo"), None


def reset(ws) -> None:
    run(["git", "reset", "-q", "--hard"], ws)
    run(["dvc", "checkout", "--force", "-q"], ws)


def test_one_grid_change_reruns_only_that_search_and_shows_in_review(repo):
    ws, _ = repo
    result = run(["dvc", "exp", "run", "-S", "models.svc.grid.C=[0.05,4]"], ws)
    ran = ran_stages(result.stdout)
    # evaluate re-runs for the candidates' test table; explain, segment and report only if the selected model
    # changed; no other search ever re-runs
    searches = {"search@train-svc", "search@labelled-svc"}
    downstream = {"select@train", "select@labelled", "evaluate", "explain", "segment", "simulate", "readout@demo",
                  "campaign", "monitor@m2026-10", "monitor@m2026-11", "report"}
    assert searches <= set(ran) <= searches | downstream
    assert {"select@train", "select@labelled", "evaluate"} <= set(ran)
    metrics = run(["dvc", "metrics", "diff", "--md"], ws).stdout
    assert "metrics/cv/train/svc.json" in metrics and "cv_roc_auc" in metrics
    run([sys.executable, "-m", "tools.review", "--base", "main", "--output", "reports/review.md"], ws)
    review = (ws / "reports" / "review.md").read_text(encoding="utf-8")
    assert "models.svc.grid.C" in review and "metrics/cv/train/svc.json" in review
    assert (ws / "reports" / "review_plots" / "index.html").is_file()
    # the data plots as images, both revisions in each; image plots only where they changed
    roc = "review_plots/curves/roc_curve_test_part.png"
    assert f"![ROC curve (test part)]({roc})" in review and (ws / "reports" / roc).stat().st_size > 1000
    assert review.count("](review_plots/curves/") == 11
    assert "Unchanged images" in review and "![base: plots/eda/periods.png]" not in review
    reset(ws)


def test_models_are_added_and_dropped_with_set_param(repo):
    ws, _ = repo
    forest = ("+models.forest={estimator: forest, args: {n_estimators: 30, random_state: 0}, grid: {},"
              " scalers: [none], search: {method: grid}}")
    result = run(["dvc", "exp", "run", "-S", forest, "-S", "~models.knn", "select@train", "select@labelled"], ws)
    ran = ran_stages(result.stdout)
    assert {s for s in ran if s.startswith("search@")} == {"search@train-forest", "search@labelled-forest"}
    for record in ("selection.json", "production.json"):
        ranking = json.loads((ws / "metrics" / record).read_text())["ranking"]
        assert "forest" in ranking and "knn" not in ranking
    reset(ws)
