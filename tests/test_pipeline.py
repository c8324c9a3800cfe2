"""End to end against the real `dvc` CLI: repro, no-op, determinism, exp run, queue, review.

One sandbox copy of the repo with small params is shared by the tests of this
module, which run in file order; each test that changes the workspace resets it.
"""

import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from workspace import commit, make_workspace, ran_stages, run, run_queue

from oneclick.columns import FEATURES
from oneclick.model_file import load_model

MODELS = ["knn", "tree", "logreg", "svc", "extra_trees", "knn_trees"]
PARTS = ["train", "labelled"]
ARTIFACT = "retention-model"
PRODUCTION = Path("models/production/model.skops")
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
    assert {"synthesize", "prepare", "eda", "correlate", "split", "select@train", "select@labelled", "evaluate",
            "explain", "segment", "report"} <= set(ran)
    assert {f"search@{p}-{m}" for p in PARTS for m in MODELS} <= set(ran)
    test = json.loads((ws / "metrics" / "test.json").read_text())
    assert list(test)[0] == "roc_auc"
    assert 0.7 < test["roc_auc"] <= 1 and test["roc_auc_ci95_low"] <= test["roc_auc"] <= test["roc_auc_ci95_high"]
    selection = json.loads((ws / "metrics" / "selection.json").read_text())
    assert set(selection["ranking"]) == set(MODELS)
    for part in PARTS:
        for model in MODELS:
            cv = json.loads((ws / "metrics" / "cv" / part / f"{model}.json").read_text())
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


def test_production_pass_refits_the_winner_on_every_labelled_customer(repo):
    ws, _ = repo
    labelled = pd.read_csv(ws / "data" / "processed" / "labelled.csv")
    train = pd.read_csv(ws / "data" / "processed" / "train.csv")
    production = json.loads((ws / "metrics" / "production.json").read_text())
    assert list(production)[0] == "cv_roc_auc"
    assert production["part"] == "labelled" and production["rows"] == len(labelled) > len(train)
    assert set(production["ranking"]) == set(MODELS) and production["rule"].startswith("best")
    for model in MODELS:  # every family searched on all labelled customers, with the same folds
        cv = json.loads((ws / "metrics" / "cv" / "labelled" / f"{model}.json").read_text())
        assert cv["train_rows"] == len(labelled) and production["ranking"][model] == cv["cv_roc_auc"]
    ranking = production["ranking"]
    assert production["model"] == min(ranking, key=lambda m: (-ranking[m], m))
    shipped, honest = load_model(ws / PRODUCTION), load_model(ws / "models" / "model.skops")
    assert (shipped["model"], shipped["part"], shipped["rows"]) == (production["model"], "labelled", len(labelled))
    assert (honest["part"], honest["rows"]) == ("train", len(train))
    assert shipped["pipeline"].named_steps["model"].n_features_in_ > 0  # fitted


def test_model_card_is_current_and_names_the_data_version(repo):
    ws, _ = repo
    card = (ws / PRODUCTION.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    production = json.loads((ws / "metrics" / "production.json").read_text())
    test = json.loads((ws / "metrics" / "test.json").read_text())
    lock = yaml.safe_load((ws / "dvc.lock").read_text(encoding="utf-8"))
    raw = next(d for d in lock["stages"]["prepare"]["deps"] if d["path"] == "data/synthetic")
    assert f"DVC hash `{raw['md5']}`" in card  # the hash DVC itself recorded for the raw data
    assert f"**{production['model']}**" in card and f"**{production['cv_roc_auc']:.3f}**" in card
    assert f"Test ROC-AUC: **{test['roc_auc']:.3f}**" in card
    top = json.loads((ws / "metrics" / "explain.json").read_text())["top_features"][0]["feature"]
    assert f"`{top}`" in card and "## Intended use and limits" in card


def test_predict_defaults_to_the_production_model(repo):
    ws, _ = repo
    run([sys.executable, "-m", "oneclick.predict", "--input", "data/synthetic", "--output", "tmp/scores.csv"], ws)
    scores = pd.read_csv(ws / "tmp" / "scores.csv").set_index("id")
    labelled = pd.read_csv(ws / "data" / "processed" / "labelled.csv").set_index("id")
    X = labelled.loc[scores.index, FEATURES]
    shipped = load_model(ws / PRODUCTION)["pipeline"].predict_proba(X)[:, 1]
    honest = load_model(ws / "models" / "model.skops")["pipeline"].predict_proba(X)[:, 1]
    np.testing.assert_allclose(scores["probability"], shipped, rtol=0, atol=1e-12)
    assert not np.allclose(scores["probability"], honest)
    assert scores["segment"].notna().all()  # money.csv is there: segments from the plan


def test_registered_model_is_fetched_by_stage_and_scores(repo, tmp_path):
    """GTO tags a release and promotes it; `dvc artifacts get` fetches the promoted file, which predict uses."""
    ws, _ = repo
    run(["gto", "register", ARTIFACT], ws)
    run(["gto", "assign", ARTIFACT, "--stage", "prod"], ws)
    shown = run(["gto", "show", "--json"], ws).stdout
    assert "v0.0.1" in shown and "prod" in shown
    fetched = tmp_path / "prod"
    run(["dvc", "artifacts", "get", str(ws), ARTIFACT, "--stage", "prod", "-o", str(fetched)], tmp_path)
    for name in ("model.skops", "MODEL_CARD.md"):  # the registry hands over the model and its card
        assert (fetched / name).read_bytes() == (ws / PRODUCTION.parent / name).read_bytes()
    found = run([sys.executable, "-c", "import dvc.api, json; print(json.dumps(dvc.api.artifacts_show("
                 f"{ARTIFACT!r}, repo={str(ws)!r}, stage='prod')))"], tmp_path).stdout
    assert json.loads(found)["path"] == "models/production"
    run([sys.executable, "-m", "oneclick.predict", "--input", "data/synthetic", "--output", "tmp/fetched.csv",
         "--model", str(fetched / "model.skops")], ws)
    run([sys.executable, "-m", "oneclick.predict", "--input", "data/synthetic", "--output", "tmp/default.csv"], ws)
    assert (ws / "tmp" / "fetched.csv").read_bytes() == (ws / "tmp" / "default.csv").read_bytes()


def test_one_grid_change_reruns_only_that_search_and_shows_in_review(repo):
    ws, _ = repo
    result = run(["dvc", "exp", "run", "-S", "models.svc.grid.C=[0.05,4]"], ws)
    ran = ran_stages(result.stdout)
    # evaluate re-runs for the candidates' test table; explain, segment and report only if the selected model
    # changed; no other search ever re-runs
    searches = {"search@train-svc", "search@labelled-svc"}
    downstream = {"select@train", "select@labelled", "evaluate", "explain", "segment", "report"}
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
    assert review.count("](review_plots/curves/") == 7
    assert "Unchanged images" in review and "![base: plots/eda/periods.png]" not in review
    reset(ws)


def review_verdict(ws) -> str:
    run([sys.executable, "-m", "tools.review", "--base", "main", "--output", "reports/review.md"], ws)
    review = (ws / "reports" / "review.md").read_text(encoding="utf-8")
    assert review.index("## Verdict") < review.index("## Params changed") < review.index("## Metrics changed")
    return review.split("## Params changed")[0]


def test_review_of_the_baseline_against_itself_finds_no_difference(repo):
    """Better and worse cases: test_review_verdict.py."""
    ws, _ = repo
    verdict = review_verdict(ws)
    assert verdict.count("- **no detectable difference**.") == 3, verdict
    assert verdict.count("95 % interval [+0.0000, +0.0000]") == 3


def test_models_are_added_and_dropped_with_set_param(repo):
    ws, _ = repo
    forest = ("+models.forest={estimator: forest, args: {n_estimators: 30, random_state: 0}, grid: {},"
              " scalers: [none], search: {method: grid}}")
    result = run(["dvc", "exp", "run", "-S", forest, "-S", "~models.tree"], ws)
    ran = ran_stages(result.stdout)
    assert {s for s in ran if s.startswith("search@")} == {"search@train-forest", "search@labelled-forest"}
    for record in ("selection.json", "production.json"):
        ranking = json.loads((ws / "metrics" / record).read_text())["ranking"]
        assert "forest" in ranking and "tree" not in ranking
    reset(ws)


def test_queued_experiments_run_and_show(repo):
    ws, _ = repo
    for k in (5, 60):
        run(["dvc", "exp", "run", "--queue", "-n", f"knn-{k}", "-S", f"models.knn.grid.n_neighbors=[{k}]"], ws)
    status = run_queue(ws, jobs=2)
    assert status.count("Success") == 2, status
    shown = json.loads(run(["dvc", "exp", "show", "--json"], ws).stdout)
    done = {exp["name"]: exp["revs"][0]["data"] for rev in shown for exp in (rev.get("experiments") or [])}
    for k in (5, 60):
        data = done[f"knn-{k}"]
        assert data["params"]["params.yaml"]["data"]["models"]["knn"]["grid"]["n_neighbors"] == [k]
        assert 0 < data["metrics"]["metrics/test.json"]["data"]["roc_auc"] <= 1
