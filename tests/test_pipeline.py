"""End to end against the real `dvc` CLI: repro, no-op, determinism, exp run, queue, review.

One sandbox copy of the repo with small params is shared by the tests of this
module, which run in file order; each test that changes the workspace resets it.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from workspace import commit, env, make_workspace, ran_stages, run

MODELS = ["dummy", "knn", "tree", "logreg", "svc", "voting"]
OUTPUTS = ("data", "models", "metrics", "plots", "reports")


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("e2e") / "repo", git=True)
    first = run(["dvc", "repro"], ws)
    commit(ws, "baseline")
    return ws, first


def reset(ws) -> None:
    run(["git", "reset", "-q", "--hard"], ws)
    run(["dvc", "checkout", "--force", "-q"], ws)


def digests(ws) -> dict:
    return {str(p.relative_to(ws)): hashlib.sha256(p.read_bytes()).hexdigest()
            for top in OUTPUTS if (ws / top).exists() for p in sorted((ws / top).rglob("*")) if p.is_file()}


def test_repro_runs_every_stage_and_writes_metrics(repo):
    ws, first = repo
    ran = ran_stages(first.stdout)
    assert {"synthesize", "prepare", "eda", "correlate", "split", "select", "evaluate", "explain", "segment",
            "report"} <= set(ran)
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
    assert "candidates x" in first.stderr  # search progress goes to stderr
    segments = json.loads((ws / "metrics" / "segments.json").read_text())
    assert sum(s["customers"] for s in segments["segments"].values()) == segments["customers"] > 0
    report = (ws / "reports" / "report.md").read_text(encoding="utf-8")
    assert all(f"| {m} |" in report or f"| **{m}** |" in report for m in MODELS)


def test_second_repro_does_nothing_and_git_stays_clean(repo):
    ws, _ = repo
    start = time.perf_counter()
    again = run(["dvc", "repro"], ws)
    assert ran_stages(again.stdout) == [], again.stdout
    assert run(["git", "status", "--porcelain"], ws).stdout == ""
    print(f"no-op dvc repro: {time.perf_counter() - start:.1f} s")


def test_forced_rerun_is_byte_identical(repo):
    ws, _ = repo
    before = digests(ws)
    run(["dvc", "repro", "--force"], ws)
    after = digests(ws)
    assert before.keys() == after.keys()
    changed = [path for path in before if before[path] != after[path]]
    assert changed == []
    assert run(["git", "status", "--porcelain"], ws).stdout == ""


def test_one_grid_change_reruns_only_that_search_and_shows_in_review(repo):
    ws, _ = repo
    result = run(["dvc", "exp", "run", "-S", "models.svc.grid.C=[0.05,4]"], ws)
    ran = ran_stages(result.stdout)
    # evaluate re-runs for the candidates' test table; explain, segment and report only if the selected model
    # changed; no other search ever re-runs
    downstream = {"select", "evaluate", "explain", "segment", "report"}
    assert ran[0] == "search@svc" and {"select", "evaluate"} <= set(ran) and set(ran) <= {"search@svc"} | downstream
    metrics = run(["dvc", "metrics", "diff", "--md"], ws).stdout
    assert "metrics/cv/svc.json" in metrics and "cv_roc_auc" in metrics
    run([sys.executable, "-m", "tools.review", "--base", "main", "--output", "reports/review.md"], ws)
    review = (ws / "reports" / "review.md").read_text(encoding="utf-8")
    assert "models.svc.grid.C" in review and "metrics/cv/svc.json" in review
    assert (ws / "reports" / "review_plots" / "index.html").is_file()
    reset(ws)


def test_models_are_added_and_dropped_with_set_param(repo):
    ws, _ = repo
    forest = ("+models.forest={estimator: forest, args: {n_estimators: 30, random_state: 0}, grid: {},"
              " scalers: [none], search: {method: grid}}")
    result = run(["dvc", "exp", "run", "-S", forest, "-S", "~models.tree"], ws)
    ran = ran_stages(result.stdout)
    assert "search@forest" in ran and not any(s.startswith("search@") and s != "search@forest" for s in ran)
    ranking = json.loads((ws / "metrics" / "selection.json").read_text())["ranking"]
    assert "forest" in ranking and "tree" not in ranking
    reset(ws)


def stop_workers(ws) -> None:
    """Kill the queue's workers that are still alive: with two workers, dvc-task sometimes leaves one running
    after the queue is empty (its monitor shut down while its task ran), and `dvc queue stop` does not end it."""
    for record in (ws / ".dvc" / "tmp" / "exps" / "celery").glob("dvc-exp-worker-*.json"):
        pid = json.loads(record.read_text())["pid"]
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.is_file() and b"queue-worker" in cmdline.read_bytes():
            os.kill(pid, signal.SIGTERM)


def test_queued_experiments_run_and_show(repo):
    ws, _ = repo
    for k in (5, 60):
        run(["dvc", "exp", "run", "--queue", "-n", f"knn-{k}", "-S", f"models.knn.grid.n_neighbors=[{k}]"], ws)
    # The workers `dvc queue start` leaves behind inherit its stdout: no pipe, or the call waits for them.
    subprocess.run(["dvc", "queue", "start", "-j", "2"], cwd=ws, env=env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            status = run(["dvc", "queue", "status"], ws).stdout
            if "Queued" not in status and "Running" not in status:
                break
            time.sleep(3)
    finally:
        stop_workers(ws)
    assert status.count("Success") == 2, status
    shown = json.loads(run(["dvc", "exp", "show", "--json"], ws).stdout)
    done = {exp["name"]: exp["revs"][0]["data"] for rev in shown for exp in (rev.get("experiments") or [])}
    for k in (5, 60):
        data = done[f"knn-{k}"]
        assert data["params"]["params.yaml"]["data"]["models"]["knn"]["grid"]["n_neighbors"] == [k]
        assert 0 < data["metrics"]["metrics/test.json"]["data"]["roc_auc"] <= 1
