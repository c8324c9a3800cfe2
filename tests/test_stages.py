"""Stage scripts as DVC runs them: one clear error and no outputs on bad input."""

import sys

from conftest import edit_file
from workspace import make_workspace, run, set_params


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
    set_params(ws / "params.yaml", {"models.svc.grid": {"C": [1], "gamma_": [0.1]}})
    result = run([sys.executable, "-m", "stages.synthesize"], ws, check=False)
    assert result.returncode == 1
    assert "models.svc.grid" in result.stderr and "gamma_" in result.stderr
    assert not (ws / "data").exists()
