"""Two people, one git origin and one DVC remote (docs/team.md), against the real `dvc` and `git`.

A imported an export with oneclick.raw_import and ran the pipeline on it (the session's baseline); it adds a
remote, `dvc push`es and `git push`es.
B clones, `dvc pull`s, and has nothing to re-run. Then an experiment of A reaches B with `dvc exp push/pull`.
The remote is a local folder and the origin a bare repository, both in a temporary directory.
"""

import json
import sys

import pytest
from workspace import commit, copy_of, ran_stages, run, shared_baseline

pytestmark = pytest.mark.e2e

RAW = "data/raw/store"


@pytest.fixture(scope="module")
def team(tmp_path_factory, synthetic_dir):
    """A: a copy of the session's baseline, which imported the store's export with oneclick.raw_import and ran on
    it (workspace.py); here it gets a remote and an origin."""
    root = tmp_path_factory.mktemp("team")
    origin, storage = root / "origin.git", root / "storage"
    run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], root)
    built, _ = shared_baseline(tmp_path_factory, synthetic_dir)
    a = copy_of(built, root / "a")
    assert ran_stages(run(["dvc", "repro"], a).stdout) == []  # the copy is up to date
    run(["dvc", "remote", "add", "-d", "storage", str(storage)], a)
    commit(a, "a remote")
    run(["dvc", "push"], a)
    run(["git", "remote", "add", "origin", str(origin)], a)
    run(["git", "push", "-q", "origin", "main"], a)
    b = root / "b"
    run(["git", "clone", "-q", str(origin), str(b)], root)
    for key, value in (("user.name", "b"), ("user.email", "b@localhost")):
        run(["git", "config", key, value], b)
    run(["dvc", "pull"], b)
    return a, b, synthetic_dir


def test_no_machine_path_in_params_or_lock(team):
    a, _, source = team
    for name in ("params.yaml", "dvc.lock"):
        text = (a / name).read_text(encoding="utf-8")
        assert str(a) not in text and str(source) not in text and f"raw_dir: {RAW}" in (a / "params.yaml").read_text()


def test_a_clone_pulls_everything_and_has_nothing_to_rerun(team):
    a, b, _ = team
    assert "Data and pipelines are up to date." in run(["dvc", "status"], b).stdout
    assert ran_stages(run(["dvc", "repro"], b).stdout) == []
    assert run(["git", "status", "--porcelain"], b).stdout == ""
    for path in ("models/production/model.skops", "data/processed/labelled.csv", f"{RAW}/market_file.csv"):
        assert (b / path).read_bytes() == (a / path).read_bytes()
    run([sys.executable, "-m", "oneclick.predict", "--input", RAW, "--output", "tmp/scores.csv"], b)
    assert len((b / "tmp" / "scores.csv").read_text(encoding="utf-8").splitlines()) > 100


def test_an_experiment_travels_through_the_origin(team):
    a, b, _ = team
    ran = ran_stages(run(["dvc", "exp", "run", "-n", "risk-06", "-S", "segment.risk_threshold=0.6"], a).stdout)
    # the segments move; the plan's decisions do not depend on them, its per-segment figures do
    assert set(ran) == {"segment", "simulate", "campaign", "report"}
    # params.yaml is written as DVC writes it: one -S changes one line
    assert run(["git", "diff", "--numstat", "params.yaml"], a).stdout.split() == ["1", "1", "params.yaml"]
    run(["dvc", "exp", "push", "origin", "risk-06"], a)
    run(["dvc", "exp", "pull", "origin", "risk-06"], b)
    shown = json.loads(run(["dvc", "exp", "show", "--json"], b).stdout)
    assert "risk-06" in {exp["name"] for rev in shown for exp in (rev.get("experiments") or [])}
    run(["dvc", "exp", "apply", "risk-06"], b)
    for path in ("metrics/segments.json", "metrics/campaign.json", "data/segments.csv"):
        assert (b / path).read_bytes() == (a / path).read_bytes(), path
