"""Experiments end to end against the real `dvc` CLI: one grid change re-runs only what depends on it and shows in
the review, models added and dropped with -S, the README's loop of one knob and `make exps` (queued experiments:
test_cluster.py).

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
    result = run(["dvc", "exp", "run", "-S", "models.knn.grid.n_neighbors=[5,40]"], ws)
    ran = ran_stages(result.stdout)
    # evaluate re-runs for the candidates' test table; explain, segment and report only if the selected model
    # changed; no other search ever re-runs
    searches = {"search@train-knn", "search@labelled-knn"}
    downstream = {"select@train", "select@labelled", "evaluate", "explain", "segment", "simulate", "readout@demo",
                  "campaign", "monitor@m2026-10", "monitor@m2026-11", "report"}
    assert searches <= set(ran) <= searches | downstream
    assert {"select@train", "select@labelled", "evaluate"} <= set(ran)
    metrics = run(["dvc", "metrics", "diff", "--md"], ws).stdout
    assert "metrics/cv/train/knn.json" in metrics and "cv_roc_auc" in metrics
    run([sys.executable, "-m", "tools.review", "--base", "main", "--output", "reports/review.md"], ws)
    review = (ws / "reports" / "review.md").read_text(encoding="utf-8")
    assert "models.knn.grid.n_neighbors" in review and "metrics/cv/train/knn.json" in review
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


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def test_make_exps_shows_an_experiment_against_its_baseline_under_other_assumptions(repo):
    """The README's daily loop: `dvc exp run -S campaign.contact_cost=0.05` applies its results to the workspace,
    and `make exps` (tools.exps) compares the experiment with the commit it ran from, not with the workspace: the
    plan's figures in dvc's table, and the profit under other assumptions, named, never better or worse."""
    ws, _ = repo
    result = run(["dvc", "exp", "run", "-S", "campaign.contact_cost=0.05"], ws)
    name = result.stdout.split("Ran experiment(s): ")[1].split()[0]
    assert "applied to your workspace" in result.stdout  # as the README says
    lines = run([sys.executable, "-m", "tools.exps"], ws).stdout.splitlines()
    header = cells(lines[0])
    assert header[0] == "Experiment" and {"expected_profit", "test.emp_per_1000", "roc_auc"} <= set(header)
    shown = {row[0]: dict(zip(header, row, strict=True)) for row in map(cells, lines[2:lines.index("")])}
    experiment = next(row for key, row in shown.items() if f"[{name}]" in key)
    for figure in ("expected_profit", "test.emp_per_1000"):
        assert float(experiment[figure]) < float(shown["main"][figure])  # contacts cost more, the plan earns less
    assert experiment["roc_auc"] == shown["main"]["roc_auc"]
    verdicts = {row[0]: row for row in map(cells, lines) if row[0] == name}[name]
    assert verdicts[4] == verdicts[6] == verdicts[8] == "**no detectable difference**"  # the same models
    delta, figures = verdicts[9].split(" ", 1)
    assert float(delta) < 0 and "→" in figures
    assert verdicts[10] == "**other assumptions**: campaign.contact_cost: 0.02 → 0.05"
    run(["dvc", "exp", "remove", "-A"], ws)
    reset(ws)
