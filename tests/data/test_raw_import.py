"""`python -m oneclick.raw_import`: an export folder under DVC in data/raw/NAME, or one clear error and no change."""

import contextlib
import io
import json
import shlex
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from conftest import edit_file

from oneclick import raw_import
from oneclick.common import cli
from oneclick.data.source import dvc_dir_hash
from tools.sandbox import env, make_sandbox, run

pytestmark = pytest.mark.e2e


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A sandbox, the working directory of the test (the command runs in this process: command())."""
    out = make_sandbox(tmp_path / "repo", git=True)
    monkeypatch.chdir(out)
    monkeypatch.setenv("PATH", env()["PATH"])  # the venv's dvc, as `make` puts it first
    return out


def command(*args) -> SimpleNamespace:
    """`python -m oneclick.raw_import ARGS` in the working directory, run in this process as its __main__ runs it
    (cli.run), to spare a Python start per call: the exit code and stderr. The first test runs the command itself."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            cli.run(lambda: raw_import.main([str(a) for a in args]))
            code = 0
        except SystemExit as stop:
            code = stop.code
    return SimpleNamespace(returncode=code, stderr=stderr.getvalue())


def import_raw(source, name="store"):
    return command(source, "--name", name)


def dvc_file(repo, name="store") -> dict:
    return yaml.safe_load((repo / "data" / "raw" / f"{name}.dvc").read_text(encoding="utf-8"))


def test_export_is_tracked_by_dvc_and_its_pointer_by_git(repo, synthetic_dir):
    result = subprocess.run([sys.executable, "-m", "oneclick.raw_import", str(synthetic_dir), "--name", "store"],
                            cwd=repo, env=env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "dvc exp run -S data.raw_dir=data/raw/store" in result.stderr
    target = repo / "data" / "raw" / "store"
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in synthetic_dir.iterdir())
    out = dvc_file(repo)["outs"][0]
    assert out["path"] == "store" and out["md5"] == dvc_dir_hash(target)
    untracked = run(["git", "status", "--porcelain", "--untracked-files=all"], repo).stdout
    assert "data/raw/store.dvc" in untracked and "data/raw/.gitignore" in untracked
    assert "data/raw/store/" not in untracked  # the files themselves: DVC's, not git's
    assert [p.name for p in (repo / "data" / "raw").iterdir() if p.name.startswith(".store")] == []


def test_make_real_says_the_command_it_runs(repo, synthetic_dir, tmp_path):
    """`make real` imports without the import's own suggestion (--no-next-step) and echoes the very command it then
    runs: the synthetic store's demo campaign and months left out."""
    result = command(synthetic_dir, "--name", "store", "--no-next-step")
    assert result.returncode == 0, result.stderr
    assert "imported as data/raw/store" in result.stderr and "dvc exp run" not in result.stderr
    venv = tmp_path / "venv"  # a venv make takes as made (its markers newer than requirements.txt): no install
    venv.mkdir()
    for marker in (".installed", ".on-path"):
        (venv / marker).touch()
    dry = run(["make", "--no-print-directory", "-n", "real", f"VENV={venv}", "REAL_DATA=/exports/market"],
              repo).stdout.splitlines()
    assert dry[0] == "python -m oneclick.raw_import /exports/market --name market --no-next-step", dry
    said = shlex.split(dry[1])
    assert said[0] == "echo" and said[1] == f"run on it: {dry[2]}", dry
    assert dry[2].startswith("dvc exp run -S data.raw_dir=data/raw/market -S '~readout.campaigns.demo'")


def test_a_new_export_is_a_new_version_of_the_same_pointer(repo, synthetic_dir, raw_copy):
    assert import_raw(synthetic_dir).returncode == 0
    first = dvc_file(repo)["outs"][0]["md5"]
    edit_file(raw_copy / "market_money.csv", ",4", ",5", count=1)
    assert import_raw(raw_copy).returncode == 0
    assert dvc_file(repo)["outs"][0]["md5"] not in (first, None)


def _half_without_profit(raw):
    lines = (raw / "money.csv").read_bytes().split(b"\r\n")
    (raw / "money.csv").write_bytes(b"\r\n".join(lines[:201]) + b"\r\n")


@pytest.mark.parametrize(("break_it", "expected"), [
    (lambda raw: (raw / "market_money.csv").write_bytes((raw / "market_money.csv").read_bytes().replace(b",", b";")),
     ["market_money.csv", "';'-separated"]),
    (lambda raw: (raw / "money.csv").unlink(), ["money.csv"]),
    (_half_without_profit, ["200 of 400 customers", "prepare.max_excluded_share_training", "200 not in money.csv"]),
])
def test_bad_export_gets_one_error_and_changes_nothing(repo, synthetic_dir, raw_copy, break_it, expected):
    assert import_raw(synthetic_dir).returncode == 0
    before = {p.relative_to(repo): p.read_bytes() for p in (repo / "data" / "raw").rglob("*") if p.is_file()}
    break_it(raw_copy)
    result = import_raw(raw_copy)
    assert result.returncode == 1 and result.stderr.startswith("error: ")
    assert result.stderr.count("error: ") == 1 and all(e in result.stderr for e in expected)  # as prepare says it
    after = {p.relative_to(repo): p.read_bytes() for p in (repo / "data" / "raw").rglob("*") if p.is_file()}
    assert after == before


def test_bad_name_or_folder_changes_nothing(repo, synthetic_dir, tmp_path):
    for source, name, expected in ((synthetic_dir, "../x", "name '../x'"), (synthetic_dir, "2026-12", "a letter"),
                                   (tmp_path / "missing", "store", "not a folder")):
        result = import_raw(source, name)
        assert result.returncode == 1 and expected in result.stderr
    assert not (repo / "data" / "raw").exists()


def test_a_failed_dvc_add_restores_the_previous_version(repo, synthetic_dir, raw_copy):
    assert import_raw(synthetic_dir).returncode == 0
    before = (repo / "data" / "raw" / "store.dvc").read_bytes()
    shutil.rmtree(repo / ".dvc")  # not a DVC repository any more: `dvc add` fails after the copy
    edit_file(raw_copy / "market_money.csv", ",4", ",5", count=1)
    result = import_raw(raw_copy)
    assert result.returncode == 1 and "dvc add" in result.stderr
    assert (repo / "data" / "raw" / "store.dvc").read_bytes() == before
    assert dvc_dir_hash(repo / "data" / "raw" / "store") == dvc_file(repo)["outs"][0]["md5"]


def test_a_campaign_is_imported_with_its_outcomes(repo, tmp_path):
    from simulated_campaign import campaign

    _, _, contacts, _ = campaign(tmp_path, 200)
    (tmp_path / "contacts_provenance.json").write_text(json.dumps(
        {"made_by": "python -m oneclick.predict", "campaign": "spring", "model": None, "campaign_params_sha256": "0"}))
    result = command("--campaign", "spring", "--contacts", contacts, "--outcomes", tmp_path / "outcomes")
    assert result.returncode == 0, result.stderr
    target = repo / "data" / "raw" / "campaigns" / "spring"
    assert (target / "contacts.csv").read_bytes() == contacts.read_bytes()
    assert (target / "contacts_provenance.json").read_bytes() == (tmp_path / "contacts_provenance.json").read_bytes()
    assert sorted(p.name for p in (target / "outcomes").iterdir()) == sorted(
        p.name for p in (tmp_path / "outcomes").iterdir())
    assert (repo / "data" / "raw" / "campaigns" / "spring.dvc").is_file()
    assert "dvc exp run -S '+readout.campaigns.spring=data/raw/campaigns/spring'" in result.stderr
    pd.read_csv(contacts).assign(control=False).to_csv(contacts, index=False)  # a list without a control group
    broken = command("--campaign", "summer", "--contacts", contacts, "--outcomes", tmp_path / "outcomes")
    assert broken.returncode == 1 and "no control group" in broken.stderr
    assert not (repo / "data" / "raw" / "campaigns" / "summer").exists()


def test_an_export_without_the_target_is_imported_for_monitoring(repo, synthetic_dir, tmp_path):
    month = tmp_path / "month"
    shutil.copytree(synthetic_dir, month)
    market = pd.read_csv(month / "market_file.csv", dtype=str, keep_default_na=False)
    market.drop(columns="Покупательская активность").to_csv(month / "market_file.csv", index=False,
                                                            lineterminator="\r\n")
    (month / "money.csv").unlink()
    assert import_raw(month, "m2026-12").returncode == 1  # not a training export
    result = command(month, "--name", "m2026-12", "--monitoring")
    assert result.returncode == 0, result.stderr
    assert "monitor it: dvc exp run -S '+monitor.exports.m2026-12=data/raw/m2026-12'" in result.stderr
