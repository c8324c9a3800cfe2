"""Stage scripts as DVC runs them: one clear error and no outputs on bad input."""

import sys

import pytest
from conftest import edit_file
from workspace import make_workspace, run, set_params

pytestmark = pytest.mark.e2e


def test_bad_input_fails_the_stage_without_outputs(tmp_path, raw_copy):
    ws = make_workspace(tmp_path / "ws")
    path = raw_copy / "market_file.csv"
    path.write_bytes(path.read_bytes().replace(b",", b";"))
    set_params(ws / "params.yaml", {"data.raw_dir": str(raw_copy)})
    result = run([sys.executable, "-m", "stages.prepare"], ws, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("error: market_file.csv") and "';'-separated" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (ws / "data" / "processed").exists() and not (ws / "metrics" / "data_quality.json").exists()


def test_bad_params_fail_the_stage_that_reads_them_before_any_work(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    set_params(ws / "params.yaml", {"synthesize.n_customers": 5})
    result = run([sys.executable, "-m", "stages.synthesize"], ws, check=False)
    assert result.returncode == 1
    assert "'synthesize.n_customers' must be an integer in [20, 10000000], got 5" in result.stderr
    assert not (ws / "data" / "synthetic").exists()


def test_make_repro_checks_every_section_before_the_first_stage(tmp_path):
    """A stage checks the sections it reads; `make repro` checks them all first (tools/check_params.py)."""
    ws = make_workspace(tmp_path / "ws")
    set_params(ws / "params.yaml", {"cv.folds": 1})
    assert run([sys.executable, "-m", "stages.synthesize"], ws, check=False).returncode == 0  # reads no cv
    result = run([sys.executable, "-m", "tools.check_params"], ws, check=False)
    assert result.returncode == 1 and "'cv.folds' must be an integer in [2, 50], got 1" in result.stderr


def test_an_argument_the_estimator_does_not_take_fails_that_search_before_it_reads_data(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    set_params(ws / "params.yaml", {"models.svc.grid": {"C": [1], "gamma_": [0.1]}})
    result = run([sys.executable, "-m", "stages.search", "train", "svc"], ws, check=False)
    assert result.returncode == 1
    assert "models.svc.grid" in result.stderr and "gamma_" in result.stderr and "Traceback" not in result.stderr
    assert not (ws / "metrics" / "cv").exists()


def test_a_training_export_with_three_broken_customers_trains_on_the_rest(tmp_path, raw_copy):
    import json

    import pandas as pd

    ws = make_workspace(tmp_path / "ws")
    edit_file(raw_copy / "market_file.csv", "премиум", "VIP")  # one customer's service type
    lines = (raw_copy / "market_money.csv").read_bytes().split(b"\r\n")
    (raw_copy / "market_money.csv").write_bytes(b"\r\n".join(lines[:10] + lines[11:]))  # a period row missing
    money = (raw_copy / "money.csv").read_bytes().split(b"\r\n")
    money[5] = money[5].split(b";")[0] + b";"  # an empty profit
    (raw_copy / "money.csv").write_bytes(b"\r\n".join(money))
    set_params(ws / "params.yaml", {"data.raw_dir": str(raw_copy)})
    result = run([sys.executable, "-m", "stages.prepare"], ws, check=False)
    assert result.returncode == 0, result.stderr
    quality = json.loads((ws / "metrics" / "data_quality.json").read_text())
    assert quality["quarantined"] == {"a period row missing": 1, "empty cell": 1, "unknown category": 1}
    excluded = pd.read_csv(ws / "data" / "processed" / "excluded.csv")
    assert set(excluded["reason"]) >= {"unknown category", "a period row missing", "empty cell"}
    assert excluded.loc[excluded["reason"] == "unknown category", "value"].tolist() == ["VIP"]
    labelled = pd.read_csv(ws / "data" / "processed" / "labelled.csv")
    assert not set(labelled["id"].astype(str)) & set(excluded["id"].astype(str))
