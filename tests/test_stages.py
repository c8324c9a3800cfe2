"""Stage scripts as DVC runs them: one clear error and no outputs on bad input."""

import sys

import pytest
from conftest import edit_file
from workspace import make_workspace, run, set_params

pytestmark = pytest.mark.e2e


def test_bad_input_fails_the_stage_without_outputs(tmp_path, raw_copy):
    ws = make_workspace(tmp_path / "ws")
    edit_file(raw_copy / "market_file.csv", "премиум", "VIP")
    set_params(ws / "params.yaml", {"data.raw_dir": str(raw_copy)})
    result = run([sys.executable, "-m", "stages.prepare"], ws, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("error: market_file.csv")
    assert "'Тип сервиса'" in result.stderr and "VIP" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (ws / "data" / "processed").exists() and not (ws / "metrics" / "data_quality.json").exists()


def test_bad_params_fail_before_any_work(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    set_params(ws / "params.yaml", {"cv.folds": 1})
    result = run([sys.executable, "-m", "stages.synthesize"], ws, check=False)
    assert result.returncode == 1
    assert "'cv.folds' must be an integer in [2, 50], got 1" in result.stderr
    assert not (ws / "data").exists()


def test_an_argument_the_estimator_does_not_take_fails_before_any_search(tmp_path):
    """Checking args against scikit-learn needs it imported, so the first stage that imports it (split) checks."""
    ws = make_workspace(tmp_path / "ws")
    set_params(ws / "params.yaml", {"models.svc.grid": {"C": [1], "gamma_": [0.1]}})
    assert run([sys.executable, "-m", "stages.synthesize"], ws, check=False).returncode == 0
    result = run([sys.executable, "-m", "stages.split"], ws, check=False)
    assert result.returncode == 1
    assert "models.svc.grid" in result.stderr and "gamma_" in result.stderr
    assert not (ws / "data" / "processed").exists()
