"""`python -m oneclick.predict`: same probabilities as the pipeline, nobody vanishes, clear errors."""

import shutil
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, edit_file
from segment_fixtures import PARAMS, customers_and_profit, segment_spec
from workspace import run

from oneclick.columns import FEATURES, TARGET, TARGET_RAW
from oneclick.errors import DataError
from oneclick.io import write_json
from oneclick.model_file import save_model
from oneclick.predict import excluded_path, main, score
from oneclick.registry import build_pipeline
from oneclick.segments import resolve_thresholds


def fitted_model(raw_dir, path):
    kept, _ = customers_and_profit(raw_dir)
    spec = {"estimator": "logreg", "args": {"solver": "liblinear", "C": 0.5}}
    pipeline = build_pipeline(spec).fit(kept[FEATURES], kept[TARGET])
    save_model(path, pipeline, "logreg")
    return pipeline, kept


def without_target(raw_dir, dest, money=True):
    """A copy of the raw files as new customers come: no target column, maybe no money.csv."""
    shutil.copytree(raw_dir, dest)
    market = pd.read_csv(dest / "market_file.csv", dtype=str, keep_default_na=False)
    market.drop(columns=TARGET_RAW).to_csv(dest / "market_file.csv", index=False, lineterminator="\r\n")
    if not money:
        (dest / "money.csv").unlink()
    return dest


def plan_file(path, profit: pd.Series):
    spec = segment_spec()
    names = dict(spec["names"])
    write_json(path, {"calibration": "none", "thresholds": resolve_thresholds(spec, profit), "names": names,
                      "segments": {name: {"offer": f"offer_{name}"} for name in names.values()}})


def test_predict_on_the_real_files_matches_the_pipeline(real_dir, tmp_path):
    pipeline, kept = fitted_model(real_dir, tmp_path / "model.skops")
    new = without_target(real_dir, tmp_path / "new")
    profit = pd.read_csv(real_dir / "money.csv", sep=";", decimal=",").rename(columns={"Прибыль": "profit"})
    plan_file(tmp_path / "plan.json", profit["profit"])
    main(["--input", str(new), "--output", str(tmp_path / "out" / "scores.csv"), "--model",
          str(tmp_path / "model.skops"), "--params", str(ROOT / "params.yaml"), "--plan", str(tmp_path / "plan.json")])

    scores = pd.read_csv(tmp_path / "out" / "scores.csv")
    excluded = pd.read_csv(tmp_path / "out" / "scores_excluded.csv")
    assert sorted(scores["id"]) == sorted(kept["id"])
    np.testing.assert_allclose(scores.set_index("id").loc[kept["id"], "probability"],
                               pipeline.predict_proba(kept[FEATURES])[:, 1], rtol=0, atol=1e-12)
    market = pd.read_csv(real_dir / "market_file.csv")
    assert sorted(set(scores["id"]) | set(excluded["id"])) == sorted(market["id"])  # none vanish
    assert len(excluded) > 0 and excluded["reason"].notna().all()

    t = resolve_thresholds(segment_spec(), profit["profit"])
    priority = scores[(scores["probability"] >= t["risk"]) & (scores["profit"] >= t["profit"])]
    names = PARAMS["segment"]["names"]
    assert len(priority) > 0 and (priority["segment"] == names["high_risk_high_profit"]).all()
    assert (priority["offer"] == f"offer_{names['high_risk_high_profit']}").all()
    assert scores["segment"].notna().all()


def test_without_money_there_is_no_segment(synthetic_dir, tmp_path):
    fitted_model(synthetic_dir, tmp_path / "model.skops")
    new = without_target(synthetic_dir, tmp_path / "new", money=False)
    scores, excluded = score(new, tmp_path / "model.skops", ROOT / "params.yaml", tmp_path / "no_plan_needed.json")
    assert scores["probability"].between(0, 1).all() and len(scores) + len(excluded) == 400
    assert scores["segment"].isna().all() and scores["offer"].isna().all()


def yaml_with(path, **segment):
    params = {**PARAMS, "segment": {**PARAMS["segment"], **segment}}
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return path


def test_a_plan_from_other_params_is_refused(synthetic_dir, tmp_path):
    fitted_model(synthetic_dir, tmp_path / "model.skops")
    profit = pd.Series([1.0, 2.0])
    plan_file(tmp_path / "plan.json", profit)
    params = yaml_with(tmp_path / "params.yaml", risk_threshold=0.7)
    with pytest.raises(DataError, match="other `segment` params than params.yaml; run `dvc repro`"):
        score(synthetic_dir, tmp_path / "model.skops", params, tmp_path / "plan.json")


def predict_cli(input_dir, output, model):
    return run([sys.executable, "-m", "oneclick.predict", "--input", str(input_dir), "--output", str(output),
                "--model", str(model)], ROOT, check=False)


def test_missing_model_file_is_one_clear_error(synthetic_dir, tmp_path):
    result = predict_cli(synthetic_dir, tmp_path / "scores.csv", tmp_path / "missing.skops")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'missing.skops'}: model file not found; run `dvc repro` to train it"]
    assert not (tmp_path / "scores.csv").exists() and not excluded_path(tmp_path / "scores.csv").exists()


def test_broken_input_is_one_clear_error_and_writes_nothing(raw_copy, tmp_path):
    fitted_model(raw_copy, tmp_path / "model.skops")
    edit_file(raw_copy / "market_money.csv", ",текущий_месяц,", ",следующий_месяц,")
    result = predict_cli(raw_copy, tmp_path / "out" / "scores.csv", tmp_path / "model.skops")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: market_money.csv") and "следующий_месяц" in result.stderr
    assert not (tmp_path / "out").exists()
