"""End to end against the real `dvc` CLI: repro, no-op, the production model, its card and its
release, predict, a failed experiment undone, the review of the baseline.

A copy of the session's baseline sandbox (small params, the store's export imported, run once: workspace.py) is
shared by the tests of this module, which run in file order; experiments: test_experiments.py.
"""

import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT
from workspace import copy_of, ran_stages, run, shared_baseline

from oneclick.data.columns import FEATURES
from oneclick.model.calibration import apply
from oneclick.model.model_file import load_model

pytestmark = pytest.mark.e2e

MODELS = ["knn", "svc"]  # the sandbox's families (workspace.FAST)
PARTS = ["train", "labelled"]
ARTIFACT = "retention-model"
PRODUCTION = Path("models/production/model.skops")


@pytest.fixture(scope="module")
def repo(tmp_path_factory, synthetic_dir):
    built, first = shared_baseline(tmp_path_factory, synthetic_dir)
    return copy_of(built, tmp_path_factory.mktemp("e2e") / "repo"), SimpleNamespace(**first)


def reset(ws) -> None:
    run(["git", "reset", "-q", "--hard"], ws)
    run(["dvc", "checkout", "--force", "-q"], ws)


def test_repro_runs_every_stage_and_writes_metrics(repo):
    ws, first = repo
    ran = ran_stages(first.stdout)
    assert {"synthesize", "prepare", "eda", "correlate", "split", "select@train", "select@labelled", "evaluate",
            "explain", "segment", "simulate", "readout@demo", "campaign", "monitor@m2026-10", "monitor@m2026-11",
            "report"} <= set(ran)
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
    assert "Synthetic data" not in report  # an imported export (the banner: test_report.py and a fresh clone)
    campaign = json.loads((ws / "metrics" / "campaign.json").read_text())
    assert campaign["contacts"] > 0 and campaign["expected_profit_low"] < campaign["expected_profit"]
    assert f"**{campaign['contacts']} of {campaign['customers']} customers are in the campaign**" in report
    readout = json.loads((ws / "metrics" / "readout" / "demo.json").read_text())
    assert readout["overall"]["control_found"] > 0 and "## What the past campaigns showed" in report
    clean, moved = (json.loads((ws / "metrics/monitor" / f"{m}.json").read_text()) for m in ("m2026-10", "m2026-11"))
    assert not clean["drift"]["dataset_drift"] and moved["drift"]["dataset_drift"]  # the demo months
    assert {"marketing_6m", "minutes_prev", "minutes_current"} <= set(moved["drift"]["drifted_features"])


def test_second_repro_does_nothing_and_git_stays_clean(repo):
    ws, _ = repo
    start = time.perf_counter()
    again = run(["dvc", "repro"], ws)
    assert ran_stages(again.stdout) == [], again.stdout
    assert run(["git", "status", "--porcelain"], ws).stdout == ""
    print(f"no-op dvc repro: {time.perf_counter() - start:.1f} s")


@pytest.mark.parametrize("module", ["oneclick/report/report.py", "oneclick/monitor/drift.py",
                                    "oneclick/stats.py"])
def test_editing_a_module_leaves_only_the_stages_that_run_it_changed(repo, module):
    """`dvc status` after a one-line edit lists the stages whose import closure holds the module, and no other."""
    from tools.stage_deps import closure, stages

    ws, _ = repo
    expected = {name for name, _, script in stages(ws) if Path(module) in closure(script, ws)}
    path = ws / module
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"# an edit\n")
        status = json.loads(run(["dvc", "status", "--json"], ws).stdout)
    finally:
        path.write_bytes(original)
    changed = {name.split("@")[0] for name in status}
    assert changed == expected and expected, (module, sorted(status))


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
    raw = next(d for d in lock["stages"]["prepare"]["deps"] if d["path"] == "data/raw/store")
    assert f"DVC hash `{raw['md5']}`" in card  # the hash DVC itself recorded for the raw data
    assert f"**{production['model']}**" in card and f"**{production['cv_roc_auc']:.3f}**" in card
    assert f"Test ROC-AUC: **{test['roc_auc']:.3f}**" in card
    top = json.loads((ws / "metrics" / "explain.json").read_text())["production"]["top_features"][0]["feature"]
    assert f"`{top}`" in card and "## Intended use and limits" in card  # the SHAP of the model it ships with
    assert "Synthetic data" not in card and "Last checked on export `m2026-11`" in card


def test_predict_defaults_to_the_production_model(repo):
    ws, _ = repo
    result = run([sys.executable, "-m", "oneclick.predict", "--input", "data/raw/store", "--output", "tmp/scores.csv"],
                 ws)
    scores = pd.read_csv(ws / "tmp" / "scores.csv").set_index("id")
    labelled = pd.read_csv(ws / "data" / "processed" / "labelled.csv").set_index("id")
    X = labelled.loc[scores.index, FEATURES]
    calibrator = json.loads((ws / PRODUCTION.parent / "calibration.json").read_text())
    shipped = apply(calibrator, load_model(ws / PRODUCTION)["pipeline"].predict_proba(X)[:, 1])
    honest = load_model(ws / "models" / "model.skops")["pipeline"].predict_proba(X)[:, 1]
    np.testing.assert_allclose(scores["probability"], shipped, rtol=0, atol=5e-7)
    assert not np.allclose(scores["probability"], honest, atol=1e-3)
    assert scores["segment"].notna().all() and scores["contact"].any()  # money.csv is there: the plan decides
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert len(warnings) == 1 and "customers of the export data/raw/store" in result.stderr  # not synthetic
    assert warnings[0].startswith(f"warning: {len(scores)} of the {len(scores)} customers scored are customers the "
                                  "model was fitted on")  # the production model's own customers: in-sample
    assert json.loads((ws / "tmp" / "scores_monitor.json").read_text())["in_sample"] == len(scores)


def test_registered_model_is_fetched_by_stage_and_scores(repo, tmp_path):
    """GTO tags a release and promotes it; `dvc artifacts get` fetches the promoted file, which predict uses."""
    ws, _ = repo
    run(["gto", "register", ARTIFACT], ws)
    run(["gto", "assign", ARTIFACT, "--stage", "prod"], ws)
    shown = run(["gto", "show", "--json"], ws).stdout
    assert "v0.0.1" in shown and "prod" in shown
    fetched = tmp_path / "prod"
    run(["dvc", "artifacts", "get", str(ws), ARTIFACT, "--stage", "prod", "-o", str(fetched)], tmp_path)
    # the registry hands over the model and what travels with it
    for name in ("model.skops", "MODEL_CARD.md", "calibration.json", "reference.json", "reference_sample.csv",
                 "expected.json"):
        assert (fetched / name).read_bytes() == (ws / PRODUCTION.parent / name).read_bytes()
    found = run([sys.executable, "-c", "import dvc.api, json; print(json.dumps(dvc.api.artifacts_show("
                 f"{ARTIFACT!r}, repo={str(ws)!r}, stage='prod')))"], tmp_path).stdout
    assert json.loads(found)["path"] == "models/production"
    run([sys.executable, "-m", "oneclick.predict", "--input", "data/synthetic", "--output", "tmp/fetched.csv",
         "--model", str(fetched / "model.skops")], ws)
    run([sys.executable, "-m", "oneclick.predict", "--input", "data/synthetic", "--output", "tmp/default.csv"], ws)
    assert (ws / "tmp" / "fetched.csv").read_bytes() == (ws / "tmp" / "default.csv").read_bytes()


def test_a_failed_experiment_is_undone_as_the_readme_says(repo):
    """`dvc exp run` leaves a bad value in params.yaml and removes the outputs of the stage that failed;
    `git checkout -- . && dvc checkout` puts both back."""
    ws, _ = repo
    failed = run(["dvc", "exp", "run", "-S", "cv.folds=1"], ws, check=False)
    assert failed.returncode != 0 and "'cv.folds' must be an integer in [2, 50], got 1" in failed.stderr
    assert "  folds: 1" in (ws / "params.yaml").read_text()
    run(["git", "checkout", "--", "."], ws)
    run(["dvc", "checkout"], ws)
    assert ran_stages(run(["dvc", "repro"], ws).stdout) == []
    assert run(["git", "status", "--porcelain"], ws).stdout == ""


def test_make_undo_leaves_nothing_a_stage_the_experiment_added_wrote(repo):
    """An experiment that added a read-out or a model leaves its params entry and its outputs; DVC never deletes
    the outputs, and in those folders they would change `select`'s, `campaign`'s and `report`'s folder-wide deps.
    The Makefile's undo recipe (README "The daily loop"), run as written, puts the commit back with nothing left
    over."""
    ws, _ = repo
    params = ws / "params.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("  campaigns:\n", "  campaigns:\n    spring: x\n", 1),
                      encoding="utf-8")
    for path in ("metrics/readout/spring.json", "plots/qini/spring.csv", "data/readouts/spring.csv",
                 "metrics/cv/train/forest.json", "reports/cv_folds/train/forest.json"):  # and a model's search
        (ws / path).parent.mkdir(parents=True, exist_ok=True)
        (ws / path).write_text("{}\n", encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nundo: venv\n")[1]
    recipe = [line.strip() for line in makefile.split("\n\n")[0].splitlines() if line.startswith("\t")]
    assert recipe[0] == "git checkout -- ." and recipe[-1].startswith("dvc checkout")
    for line in recipe:
        run(line.split(), ws)
    assert run(["git", "status", "--porcelain"], ws).stdout == ""
    assert ran_stages(run(["dvc", "repro"], ws).stdout) == []


def review_verdict(ws) -> str:
    run([sys.executable, "-m", "tools.review", "--base", "main", "--output", "reports/review.md"], ws)
    review = (ws / "reports" / "review.md").read_text(encoding="utf-8")
    assert review.index("## Verdict") < review.index("## Params changed") < review.index("## Metrics changed")
    return review.split("## Params changed")[0]


def test_review_of_the_baseline_against_itself_finds_no_difference(repo):
    """Better and worse cases: test_review_verdict.py."""
    ws, _ = repo
    verdict = review_verdict(ws)
    assert verdict.count("- **no detectable difference**.") == 5, verdict  # four lines and the demo campaign's
    assert "off-policy value of the plan per 1000 customers of campaign demo" in verdict
    assert verdict.count("95 % interval [+0.0000, +0.0000]") == 3  # the ROC-AUC lines, to 4 decimals
    assert verdict.count("95 % interval [+0.0, +0.0]") == 1  # the profit line, thousand roubles to 1 decimal


