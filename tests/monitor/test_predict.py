"""`python -m oneclick.predict`: calibrated probabilities of the model, the plan's columns, the same arms on every
run, a drift check and a summary line, from any directory; nobody vanishes; clear errors."""

import contextlib
import hashlib
import io
import json
import shutil
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import edit_file
from segment_fixtures import PARAMS, customers_and_profit, segment_spec
from sklearn.metrics import roc_auc_score
from workspace import run

from oneclick import predict
from oneclick.campaign.offers import catalogue
from oneclick.campaign.plan import make_plan
from oneclick.campaign.provenance import params_sha256, sidecar
from oneclick.campaign.save_rates import learn
from oneclick.common import cli
from oneclick.common.errors import DataError
from oneclick.common.io import write_csv, write_json
from oneclick.data.columns import FEATURES, NUMERIC, TARGET, TARGET_RAW
from oneclick.data.synthesize import draw_customers, shifted, write_raw_files
from oneclick.insight.segments import resolve_thresholds
from oneclick.model import calibration
from oneclick.model.artifact import CALIBRATION, EXPECTED, REFERENCE, SAMPLE
from oneclick.model.model_file import save_model
from oneclick.model.pipeline import build_pipeline
from oneclick.model.scoring import out_of_fold
from oneclick.monitor.drift import make_reference
from oneclick.predict import DRIFT_EXIT, OUTPUT_COLUMNS, excluded_path, monitor_path, score

CV = {"folds": 5, "repeats": 1, "seed": 0, "n_jobs": 1}


def make_repo(raw_dir, repo, synthetic=True, params=PARAMS):
    """What `dvc repro` leaves for predict: params.yaml, the save rates and segment thresholds, and the production
    model's folder (model, calibration, drift reference, expected performance). Returns (pipeline, calibrator)."""
    kept, profit = customers_and_profit(raw_dir)
    pipeline = build_pipeline({"estimator": "logreg", "args": {"solver": "liblinear", "C": 0.5}})
    calibrator = calibration.fit("sigmoid", out_of_fold(pipeline, kept[FEATURES], kept[TARGET], CV), kept[TARGET])
    pipeline.fit(kept[FEATURES], kept[TARGET])
    folder = repo / "models" / "production"
    save_model(folder / "model.skops", pipeline, "logreg", None, len(kept), "labelled")
    write_json(folder / CALIBRATION, calibrator)
    reference, sample = make_reference(kept, 1000, 0, {"raw_dir": "data/synthetic" if synthetic else "data/raw/x",
                                                        "synthetic": synthetic, "dvc_hash": "h"})
    write_json(folder / REFERENCE, reference)
    write_csv(folder / SAMPLE, sample)
    write_json(folder / EXPECTED, {"roc_auc": 0.9, "roc_auc_ci95_low": 0.87, "roc_auc_ci95_high": 0.93,
                                   "brier_calibrated": 0.12, "n_test": 300, "model": "logreg"})
    (repo / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    write_json(repo / "metrics" / "save_rates.json", learn(params["campaign"]["offers"], {}, {}, seed=0))
    write_json(repo / "metrics" / "segments.json", {"thresholds": resolve_thresholds(params["segment"],
                                                                                      profit["profit"])})
    return pipeline, calibrator


@pytest.fixture(scope="module")
def repo(tmp_path_factory, synthetic_dir):
    root = tmp_path_factory.mktemp("repo")
    return root, *make_repo(synthetic_dir, root)


def without_target(raw_dir, dest, money=True):
    """A copy of the raw files as new customers come: no target column, maybe no money.csv."""
    shutil.copytree(raw_dir, dest)
    market = pd.read_csv(dest / "market_file.csv", dtype=str, keep_default_na=False)
    market.drop(columns=TARGET_RAW).to_csv(dest / "market_file.csv", index=False, lineterminator="\r\n")
    if not money:
        (dest / "money.csv").unlink()
    return dest


def predict_cli(*args, cwd=None):
    """The command with these arguments: in a process of its own from `cwd`, else in this one (as its
    `__main__` runs it, exit code and both streams kept), which spares a second import of scikit-learn."""
    if cwd is not None:
        return run([sys.executable, "-m", "oneclick.predict", *map(str, args)], cwd, check=False)
    out, err, code = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.run(lambda: predict.main([str(a) for a in args]))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def test_predict_on_the_real_files_gives_the_plan_of_calibrated_probabilities(real_dir, repo, tmp_path):
    root, pipeline, calibrator = repo
    new = without_target(real_dir, tmp_path / "new")
    out = tmp_path / "out" / "scores.csv"
    result = predict_cli("--input", new, "--output", out, "--repo", root, cwd=tmp_path)  # from another folder
    assert result.returncode == 0, result.stderr
    scores = pd.read_csv(out)
    excluded = pd.read_csv(excluded_path(out))
    kept, profit = customers_and_profit(real_dir)
    assert list(scores.columns) == OUTPUT_COLUMNS
    assert sorted(scores["id"]) == sorted(kept["id"])
    market = pd.read_csv(real_dir / "market_file.csv")
    assert sorted(set(scores["id"]) | set(excluded["id"])) == sorted(market["id"])  # none vanish
    assert len(excluded) > 0 and excluded["reason"].notna().all()
    by_id = scores.set_index("id").loc[kept["id"]]
    expected = calibration.apply(calibrator, pipeline.predict_proba(kept[FEATURES])[:, 1])
    np.testing.assert_allclose(by_id["probability"], expected, rtol=0, atol=5e-7)
    assert (by_id["probability"].round(6) == by_id["probability"]).all()  # 6 digits
    plan = make_plan(kept.assign(probability=expected).merge(profit, on="id"), PARAMS["campaign"],
                     catalogue(PARAMS["campaign"])).set_index("id")
    assert (by_id["contact"] == plan["contact"]).all() and (by_id["control"] == plan["control"]).all()
    assert (by_id["offer"] == plan["offer"]).all() and by_id["contact"].any() and by_id["control"].any()
    texts = {name: o["text"] for name, o in PARAMS["campaign"]["offers"].items()}
    contacted = by_id[by_id["contact"]]
    assert (contacted["offer_text"] == contacted["offer"].map(texts)).all()  # the offer itself, not a rule name
    assert scores["segment"].notna().all()
    again = tmp_path / "again.csv"
    predict_cli("--input", new, "--output", again, "--repo", root)
    assert again.read_bytes() == out.read_bytes()  # the same arms on every run
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("warning: this model was fitted on the synthetic store")
    fitted = json.loads((root / "models/production" / REFERENCE).read_text())["customers"]
    rules = excluded["reason"].value_counts()  # the real export's four customers the cleaning rules drop, by rule
    why = ", ".join(f"{n} {reason}" for reason, n in sorted(rules.items()))
    assert lines[1] == (f"predict: {len(scores)} customers scored, {len(excluded)} excluded ({len(excluded)} by the "
                        f"cleaning rules: {why}); model "
                        f"{root / 'models/production/model.skops'} (logreg, fitted on {fitted} customers of the "
                        f"synthetic store data/synthetic); {int(scores['contact'].sum())} to contact "
                        f"({int(scores['control'].sum())} of them the control group); drift: "
                        + json.loads(monitor_path(out).read_text())["drift"]["verdict"] + f"; wrote {out}")


def test_without_money_there_is_no_decision(synthetic_dir, repo, tmp_path):
    root, *_ = repo
    new = without_target(synthetic_dir, tmp_path / "new", money=False)
    result = score(new, repo=root)
    scores = result["scores"]
    assert scores["probability"].between(0, 1).all() and len(scores) + len(result["excluded"]) == 400
    assert scores[["segment", "offer", "contact", "control", "expected_profit"]].isna().all().all()
    run_result = predict_cli("--input", new, "--output", tmp_path / "s.csv", "--repo", root)
    assert "no contact decision (no money.csv: no profit)" in run_result.stderr


@pytest.fixture(scope="module")
def fresh_dir(tmp_path_factory):
    """Customers of the same store the model never saw (other ids, another draw), with the target."""
    out = tmp_path_factory.mktemp("fresh")
    write_raw_files(draw_customers(400, seed=2, separation=0.9, first_id=2_000_000), out)
    return out


def test_a_real_trained_model_gives_no_warning(synthetic_dir, fresh_dir, tmp_path):
    make_repo(synthetic_dir, tmp_path / "real", synthetic=False)
    result = predict_cli("--input", fresh_dir, "--output", tmp_path / "s.csv", "--repo", tmp_path / "real")
    assert result.returncode == 0 and "warning" not in result.stderr
    assert "fitted on" in result.stderr and "customers of the export data/raw/x" in result.stderr


def test_with_the_target_the_realized_performance_is_reported(fresh_dir, repo, tmp_path):
    root, *_ = repo
    out = tmp_path / "scores.csv"
    assert predict_cli("--input", fresh_dir, "--output", out, "--repo", root).returncode == 0
    record = json.loads(monitor_path(out).read_text())
    scores = pd.read_csv(out)
    kept, _ = customers_and_profit(fresh_dir)
    truth = kept.set_index("id").loc[scores["id"], TARGET]
    realized = record["realized"]
    assert record["in_sample"] == 0 and realized["in_sample_left_out"] == 0 and realized["customers"] == len(scores)
    assert realized["roc_auc"] == pytest.approx(roc_auc_score(truth, scores["probability"]), abs=1e-3)
    assert realized["difference"] == pytest.approx(realized["roc_auc"] - 0.9, abs=1e-4)  # the card says 0.9
    low, high = realized["difference_low"], realized["difference_high"]
    assert realized["verdict"] == ("better than the estimate" if low > 0 else "worse than the estimate" if high < 0
                                   else "as expected")
    assert set(realized["campaign"]["realized_profit"]) == {"plan", "everyone", "probability_0.5",
                                                            "priority_segment"}
    made = json.loads(sidecar(out).read_text())  # which model, params and revision made the list
    model = root / "models" / "production" / "model.skops"
    assert made["model"]["sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    assert made["made_by"] == "python -m oneclick.predict" and made["campaign"] == PARAMS["campaign"]["name"]
    assert made["campaign_params_sha256"] == params_sha256(PARAMS["campaign"]) and made["git"] is None


def test_scores_of_the_training_customers_are_flagged_in_sample(synthetic_dir, repo, tmp_path):
    """The model of `repo` was fitted on synthetic_dir: scoring it again warns with the count and judges no
    realized performance; customers whose data changed since count as new, and only they are judged."""
    root, *_ = repo
    kept, _ = customers_and_profit(synthetic_dir)
    out = tmp_path / "again.csv"
    result = predict_cli("--input", synthetic_dir, "--output", out, "--repo", root)
    assert result.returncode == 0
    assert f"warning: {len(kept)} of the {len(kept)} customers scored are customers the model was fitted on" \
        in result.stderr and "data/campaign.csv" in result.stderr
    record = json.loads(monitor_path(out).read_text())
    assert record["in_sample"] == len(kept)
    assert record["realized"]["roc_auc"] is None and "in-sample" in record["realized"]["verdict"]
    assert record["realized"]["in_sample_left_out"] == len(kept) and "campaign" not in record["realized"]
    # nor in the drift check: rows the reference was drawn from would look like it and hide a real move
    assert record["drift"]["customers"] == 0 and record["drift"]["in_sample_left_out"] == len(kept)
    assert record["drift"]["verdict"] == "too few customers to tell (0 < monitor.min_rows 50)"

    changed = tmp_path / "changed"  # next month: 60 customers with one more page per visit
    shutil.copytree(synthetic_dir, changed)
    market = pd.read_csv(changed / "market_file.csv", dtype=str, keep_default_na=False)
    moved = market["id"].astype(int).isin(kept["id"].iloc[:60])
    market.loc[moved, "Страниц_за_визит"] = (market.loc[moved, "Страниц_за_визит"].astype(int) + 1).astype(str)
    market.to_csv(changed / "market_file.csv", index=False, lineterminator="\r\n")
    out = tmp_path / "changed.csv"
    result = predict_cli("--input", changed, "--output", out, "--repo", root)
    record = json.loads(monitor_path(out).read_text())
    assert record["in_sample"] == len(kept) - 60 and f"warning: {len(kept) - 60} of the" in result.stderr
    assert record["realized"]["customers"] == 60 and record["realized"]["in_sample_left_out"] == len(kept) - 60
    assert record["drift"]["customers"] == 60 and record["drift"]["in_sample_left_out"] == len(kept) - 60
    scores = pd.read_csv(out).set_index("id")
    fresh = kept["id"].iloc[:60]
    truth = kept.set_index("id").loc[fresh, TARGET]
    assert record["realized"]["roc_auc"] == pytest.approx(roc_auc_score(truth, scores.loc[fresh, "probability"]),
                                                          abs=1e-3)


def test_a_model_from_another_store_flags_no_customer_in_sample(real_dir, synthetic_dir, repo, tmp_path):
    """The synthetic store shares the real store's id range: the same ids with other data are not in-sample."""
    root, *_ = repo
    kept, _ = customers_and_profit(real_dir)
    assert len(set(kept["id"]) & set(customers_and_profit(synthetic_dir)[0]["id"])) > 100
    out = tmp_path / "real.csv"
    result = predict_cli("--input", real_dir, "--output", out, "--repo", root)
    assert json.loads(monitor_path(out).read_text())["in_sample"] == 0 and "in-sample" not in result.stderr


def test_fail_on_drift_exits_non_zero_after_writing(repo, tmp_path):
    root, *_ = repo
    month = tmp_path / "month"
    write_raw_files(shifted(draw_customers(400, 9, 0.9, first_id=3_000_000),
                            {"marketing_6m": 1.5, "minutes_prev": 0.7, "minutes_current": 0.7}), month)
    out = tmp_path / "scores.csv"
    result = predict_cli("--input", month, "--output", out, "--repo", root, "--fail-on-drift")
    assert result.returncode == DRIFT_EXIT and out.is_file() and monitor_path(out).is_file()
    assert result.stderr.strip().splitlines()[-1].startswith("error: dataset drift (drift in ")
    same = tmp_path / "same"
    write_raw_files(draw_customers(400, 9, 0.9, first_id=3_000_000), same)
    assert predict_cli("--input", same, "--output", tmp_path / "ok.csv", "--repo", root,
                       "--fail-on-drift").returncode == 0


def test_save_rates_or_thresholds_from_other_params_are_refused(synthetic_dir, tmp_path):
    root = tmp_path / "repo"
    make_repo(synthetic_dir, root)
    changed = yaml.safe_load((root / "params.yaml").read_text())
    changed["segment"]["risk_threshold"] = 0.7
    (root / "params.yaml").write_text(yaml.safe_dump(changed, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError, match="other `segment` params than params.yaml; run `dvc repro`"):
        score(synthetic_dir, repo=root)
    changed["segment"] = segment_spec()
    changed["campaign"]["offers"]["cart_reminder"]["save_rate"]["alpha"] = 9
    (root / "params.yaml").write_text(yaml.safe_dump(changed, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError, match="other `campaign.offers` than params.yaml; run `dvc repro`"):
        score(synthetic_dir, repo=root)


@pytest.mark.parametrize("remove, message", [
    ("params.yaml", "params.yaml: file not found (run from the repository root)"),
    ("metrics/save_rates.json", "save_rates.json: not found; run `dvc repro` (stage campaign)"),
    ("metrics/segments.json", "segments.json: not found; run `dvc repro` (stage segment)"),
])
def test_a_repository_without_what_dvc_repro_writes_is_one_clear_error(synthetic_dir, repo, tmp_path, remove,
                                                                        message):
    root, *_ = repo
    other = tmp_path / "repo"
    shutil.copytree(root, other)
    (other / remove).unlink()
    result = predict_cli("--input", synthetic_dir, "--output", tmp_path / "s.csv", "--repo", other)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"error: {other / remove}: ")
    assert message in result.stderr and not (tmp_path / "s.csv").exists()


@pytest.mark.parametrize("file, content, message", [
    ("metrics/save_rates.json", '{"offers": ', "not a JSON file (JSONDecodeError"),
    ("metrics/save_rates.json", lambda r: r["offers"]["cart_reminder"].pop("posterior") and r,
     "'offers.cart_reminder' must hold a 'prior' and a 'posterior' with positive 'alpha' and 'beta'"),
    ("metrics/save_rates.json", lambda r: {**r, "model": {"offers": {}}}, "'model.shared' must hold a 'tree'"),
    ("metrics/segments.json", lambda r: {"thresholds": {**r["thresholds"], "risk": "0.5"}},
     "must hold 'thresholds' with the numbers 'risk' (in [0, 1]) and 'profit' and the text 'profit_rule'"),
    ("metrics/segments.json", lambda r: {"thresholds": {"risk": 0.5, "profit": 3.95}}, "the text 'profit_rule'"),
])
def test_a_damaged_file_of_what_dvc_repro_writes_is_one_clear_error(synthetic_dir, repo, tmp_path, file, content,
                                                                    message):
    """The save rates and the segment thresholds predict reads from the repository are data: checked, each fault
    one error naming the file, nothing written."""
    root, *_ = repo
    other = tmp_path / "repo"
    shutil.copytree(root, other)
    if callable(content):
        content = json.dumps(content(json.loads((other / file).read_text(encoding="utf-8"))))
    (other / file).write_text(content, encoding="utf-8")
    result = predict_cli("--input", synthetic_dir, "--output", tmp_path / "s.csv", "--repo", other)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"error: {other / file}: ") and message in result.stderr
    assert not (tmp_path / "s.csv").exists()


def test_a_model_without_its_folder_is_one_clear_error(synthetic_dir, repo, tmp_path):
    root, *_ = repo
    shutil.copy(root / "models/production/model.skops", tmp_path / "alone.skops")
    result = predict_cli("--input", synthetic_dir, "--output", tmp_path / "s.csv", "--repo", root, "--model",
                         tmp_path / "alone.skops")
    assert result.returncode == 1 and result.stderr.startswith(f"error: {tmp_path / CALIBRATION}: not found beside")
    assert not (tmp_path / "s.csv").exists()


def without(key: str, inner: str | None = None):
    """A change to a JSON record: `key` (or `inner` within it) removed."""
    def change(record: dict) -> dict:
        (record[key] if inner else record).pop(inner or key)
        return record
    return change


@pytest.mark.parametrize("file, change, message", [
    (CALIBRATION, '{"method": "platt"}', "'method' must be one of ['none', 'sigmoid', 'isotonic'], found 'platt'"),
    (CALIBRATION, '{"method": "sigmoid", "a": -3.1}', "a sigmoid calibrator needs the numbers 'a' and 'b'"),
    (CALIBRATION, '{"method": "isotonic", "x": [0.2, 0.1], "y": [0.1, 0.4]}', "an isotonic calibrator needs lists"),
    (CALIBRATION, '{"method": "sigmoid", "a": ', "not a JSON file (JSONDecodeError"),
    (REFERENCE, without("numeric", "minutes_prev"), "'numeric' must hold the features ['categories_per_visit', "),
    (REFERENCE, without("categorical"), "'categorical' must hold the features ['allow_messages', "),
    (REFERENCE, lambda r: {**r, "numeric": {**r["numeric"], "minutes_prev": {**r["numeric"]["minutes_prev"],
                                                                           "mean": None}}},
     "numeric 'minutes_prev' needs lists 'edges' and 'shares' (one more share than edges), 'mean' and 'std'"),
    (REFERENCE, lambda r: {**r, "categorical": {**r["categorical"], "service_type": {"стандарт": 0}}},
     "categorical 'service_type' needs a count per category"),
    (REFERENCE, without("data"), "'customers' and 'data' (raw_dir, synthetic) are needed"),
    (EXPECTED, without("roc_auc_ci95_low"), "needs ['roc_auc', 'roc_auc_ci95_low', 'roc_auc_ci95_high'] as numbers"),
    (SAMPLE, "", "not a CSV file (EmptyDataError"),
    (SAMPLE, "marketing_6m,minutes_prev\n4.4,12\n", "missing column(s) ['marketing_current', "),
    (SAMPLE, ",".join(FEATURES) + "\n", "no customer (a header only)"),
    (SAMPLE, ",".join(FEATURES) + "\n" + ",".join("abc" if c == "tenure_days" else "1" if c in NUMERIC else "да"
                                                  for c in FEATURES) + "\n",
     "column 'tenure_days': not a number: ['abc']"),
])
def test_a_broken_file_beside_the_model_is_one_clear_error(synthetic_dir, repo, tmp_path, file, change, message):
    """The model's folder comes from elsewhere (`dvc artifacts get`): what travels with the model file is data,
    checked before anything is scored."""
    root, *_ = repo
    folder = tmp_path / "model"
    shutil.copytree(root / "models/production", folder)
    if callable(change):
        change = json.dumps(change(json.loads((folder / file).read_text(encoding="utf-8"))))
    (folder / file).write_text(change, encoding="utf-8")
    result = predict_cli("--input", synthetic_dir, "--output", tmp_path / "s.csv", "--repo", root, "--model",
                         folder / "model.skops")
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"error: {folder / file}: ") and message in result.stderr
    assert not (tmp_path / "s.csv").exists()


def test_missing_model_file_is_one_clear_error(synthetic_dir, repo, tmp_path):
    root, *_ = repo
    result = predict_cli("--input", synthetic_dir, "--output", tmp_path / "scores.csv", "--repo", root, "--model",
                         tmp_path / "missing.skops")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'missing.skops'}: model file not found; run `dvc repro` to train it"]
    assert not (tmp_path / "scores.csv").exists() and not excluded_path(tmp_path / "scores.csv").exists()


def test_a_broken_file_is_one_clear_error_and_writes_nothing(raw_copy, repo, tmp_path):
    root, *_ = repo
    path = raw_copy / "market_money.csv"
    path.write_bytes(path.read_bytes().replace(b",", b";"))
    result = predict_cli("--input", raw_copy, "--output", tmp_path / "out" / "scores.csv", "--repo", root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: market_money.csv") and "';'-separated" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_export_whose_every_customer_is_set_aside_is_one_clear_error(raw_copy, repo, tmp_path):
    """Every id written 215348.0 (as a spreadsheet saves it): nobody to score is one error naming the file, the
    column and the values, and nothing is written."""
    root, *_ = repo
    path = raw_copy / "market_file.csv"
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([lines[0], *(line.replace(b",", b".0,", 1) for line in lines[1:] if line)]) + b"\r\n")
    result = predict_cli("--input", raw_copy, "--output", tmp_path / "out" / "scores.csv", "--repo", root)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"error: {raw_copy}: no customer left to score:")
    assert "not a whole number (market_file.csv id: ['215348.0'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_broken_customer_is_set_aside_and_the_others_scored_as_without_it(raw_copy, repo, tmp_path):
    root, *_ = repo
    clean = predict_cli("--input", raw_copy, "--output", tmp_path / "clean.csv", "--repo", root)
    assert clean.returncode == 0, clean.stderr
    edit_file(raw_copy / "market_money.csv", ",текущий_месяц,", ",следующий_месяц,")  # the first customer's row
    broken = predict_cli("--input", raw_copy, "--output", tmp_path / "scores.csv", "--repo", root)
    assert broken.returncode == 0 and "Traceback" not in broken.stderr
    assert "excluded (1 with broken rows: 1 unknown period; 2 by the cleaning rules: 1 no revenue" in broken.stderr
    before, after = pd.read_csv(tmp_path / "clean.csv"), pd.read_csv(tmp_path / "scores.csv")
    gone = pd.read_csv(tmp_path / "scores_excluded.csv", dtype={"id": str})
    row = gone[gone["reason"] == "unknown period"].iloc[0]
    assert (row["file"], row["column"], row["value"]) == ("market_money.csv", "Период", "следующий_месяц")
    assert len(after) == len(before) - 1 and int(row["id"]) not in set(after["id"])
    pd.testing.assert_series_equal(after.set_index("id")["probability"],
                                   before.set_index("id")["probability"].drop(int(row["id"])))
    result = predict_cli("--input", raw_copy, "--output", tmp_path / "strict.csv", "--repo", root,
                         "--max-excluded-share", "0")
    assert result.returncode == 4 and "more than --max-excluded-share = 0" in result.stderr
    assert (tmp_path / "strict.csv").is_file() and (tmp_path / "strict_excluded.csv").is_file()
