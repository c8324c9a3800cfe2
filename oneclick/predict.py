"""Score new customers: `python -m oneclick.predict --input DIR --output scores.csv [--model FILE] [--repo DIR]`.

DIR holds an export in the training format (market_file.csv with or without the target column,
market_money.csv, market_time.csv, and optionally money.csv). It goes through the same validation and cleaning
as in training; a customer the cleaning excludes is written with the reason to <output stem>_excluded.csv.
Every customer gets the calibrated probability of buying less; with money.csv also the plan's decision (offer,
expected profit, contact, control group), by the economics of params.yaml and the save rates the campaign stage
learned (metrics/save_rates.json), and the segment. The drift check (and, with the target, the realized
performance) goes to <output stem>_monitor.json. One line on stderr sums it up.

The default model is the production model of the repository this package belongs to (`--repo`, whatever the
working directory): the selection procedure run on every labelled customer. `--model` takes any model file of
this project whose artifact folder (calibration.json, reference.json, reference_sample.csv, expected.json) came
with it, e.g. one fetched with `dvc artifacts get`.
"""

import argparse
import sys
from pathlib import Path

from oneclick import calibration
from oneclick.artifact import CALIBRATION, EXPECTED, REFERENCE, SAMPLE, read_companion, synthetic_note
from oneclick.cli import run
from oneclick.columns import FEATURES, MONEY, TARGET
from oneclick.emp import on_known_outcomes
from oneclick.errors import DataError
from oneclick.io import read_json, write_csv, write_json
from oneclick.load import read_all
from oneclick.model_file import load_model
from oneclick.monitor import monitor_record, summary_line
from oneclick.offers import catalogue, save_rate_draws
from oneclick.params import load_params
from oneclick.plan import COLUMNS, make_plan, rounded
from oneclick.prepare import build_table
from oneclick.save_rates import plan_rates
from oneclick.segments import PRIORITY, assign_segments, check_thresholds
from oneclick.selection import PRODUCTION_MODEL

ROOT = Path(__file__).resolve().parents[1]  # the checkout this package belongs to
OUTPUT_COLUMNS = COLUMNS[:4] + ["segment"] + COLUMNS[4:]
SAVE_RATES, SEGMENTS = "metrics/save_rates.json", "metrics/segments.json"
DRIFT_EXIT = 3  # --fail-on-drift: the exit code of a dataset drift


def with_suffix(output, name: str, suffix: str) -> Path:
    output = Path(output)
    return output.with_name(f"{output.stem}_{name}{suffix}")


def excluded_path(output) -> Path:
    return with_suffix(output, "excluded", Path(output).suffix or ".csv")


def monitor_path(output) -> Path:
    return with_suffix(output, "monitor", ".json")


def learned_rates(repo: Path, spec: dict) -> dict:
    """The save rates the campaign stage wrote, checked against params.yaml's offers."""
    path = repo / SAVE_RATES
    if not path.is_file():
        raise DataError(f"{path}: not found; run `dvc repro` (stage campaign)")
    learned = read_json(path)
    priors = {name: dict(o["save_rate"]) for name, o in spec["offers"].items()}
    if {name: {k: e["prior"][k] for k in ("alpha", "beta")} for name, e in learned.items()} != priors:
        raise DataError(f"{path}: made with other `campaign.offers` than params.yaml; run `dvc repro`")
    return learned


def thresholds_of(repo: Path, spec: dict) -> dict:
    path = repo / SEGMENTS
    if not path.is_file():
        raise DataError(f"{path}: not found; run `dvc repro` (stage segment)")
    thresholds = read_json(path)["thresholds"]
    check_thresholds(thresholds, spec, path)
    return thresholds


def score(input_dir, model_path=None, repo=ROOT, plan: bool = True) -> dict:
    """Everything predict writes and says, for the customers of `input_dir`: every customer is in `scores` or in
    `excluded`. With `plan` False (the monitor stage) only probabilities and the check: no economics needed."""
    repo = Path(repo)
    model_path = Path(model_path) if model_path else repo / PRODUCTION_MODEL
    params = load_params(repo / "params.yaml", check_estimators=False)
    saved = load_model(model_path)
    calibrator = read_companion(model_path, CALIBRATION)
    reference, sample = read_companion(model_path, REFERENCE), read_companion(model_path, SAMPLE)
    expected = read_companion(model_path, EXPECTED)
    with_money = (Path(input_dir) / MONEY.name).is_file()
    frames, _ = read_all(input_dir, with_money=with_money, require_target=False)
    kept, excluded, profit = build_table(frames, params["prepare"]["revenue_max"])
    probability = calibration.apply(calibrator, saved["pipeline"].predict_proba(kept[FEATURES])[:, 1])
    record = monitor_record(kept, probability, reference, sample, expected, params["monitor"],
                            params["calibrate"]["bins"])
    result = {"excluded": excluded[["id", "reason"]], "monitor": record, "model": model_path,
              "model_name": saved["model"], "reference": reference}
    if not plan:
        return {**result, "scores": kept[["id"]].assign(probability=probability)}
    customers = kept.assign(probability=probability)
    customers = customers.merge(profit[["id", "profit"]], on="id", how="left") if with_money \
        else customers.assign(profit=float("nan"))
    spec = params["campaign"]
    offers = catalogue(spec, plan_rates(learned_rates(repo, spec)))
    scores = make_plan(customers, spec, offers)
    names = params["segment"]["names"]
    scores["segment"] = assign_segments(scores, thresholds_of(repo, params["segment"]), names)
    if TARGET in kept.columns and with_money:  # the plan on known outcomes: the campaign's decision metric
        draws = save_rate_draws(offers, spec["draws"], spec["seed"])
        record["realized"]["campaign"] = on_known_outcomes(scores, kept[TARGET], scores["segment"] == names[PRIORITY],
                                                           draws, offers["offer"].tolist(), spec["contact_cost"])
    return {**result, "scores": scores[OUTPUT_COLUMNS]}


def summary(result: dict, output) -> str:
    scores = result["scores"]
    decided = scores["contact"].notna()
    plan = (f"{int(scores['contact'].fillna(False).sum())} to contact ({int(scores['control'].fillna(False).sum())} "
            f"of them the control group)" if decided.any() else "no contact decision (no money.csv: no profit)")
    undecided = f", {int((~decided).sum())} without profit get no decision" if decided.any() and not decided.all() \
        else ""
    return (f"predict: {len(scores)} customers scored, {len(result['excluded'])} excluded; model {result['model']} "
            f"({result['model_name']}, fitted on {synthetic_note(result['reference'])}); {plan}{undecided}; "
            f"{summary_line(result['monitor'])}; wrote {output}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m oneclick.predict", description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True, help="folder with market_file.csv, market_money.csv, "
                        "market_time.csv and optionally money.csv")
    parser.add_argument("--output", required=True, help="CSV to write: " + ", ".join(OUTPUT_COLUMNS))
    parser.add_argument("--repo", default=ROOT, type=Path,
                        help="the repository whose params.yaml, metrics and models to use (default: %(default)s)")
    parser.add_argument("--model", help=f"a model file (default: REPO/{PRODUCTION_MODEL}, the production model); its "
                        "folder must hold what `dvc repro` writes beside it")
    parser.add_argument("--fail-on-drift", action="store_true",
                        help=f"exit with code {DRIFT_EXIT} when the export drifts from the training customers "
                        "(the outputs are written first)")
    args = parser.parse_args(argv)
    result = score(args.input, args.model, args.repo)
    write_csv(args.output, rounded(result["scores"]))
    write_csv(excluded_path(args.output), result["excluded"])
    write_json(monitor_path(args.output), result["monitor"])
    if result["reference"]["data"]["synthetic"]:
        print("warning: this model was fitted on the synthetic store, not on the store's customers; its scores and "
              "plan are a demonstration. Train on a real export first: `make real` (README \"Your own data\").",
              file=sys.stderr)
    print(summary(result, args.output), file=sys.stderr)
    if args.fail_on_drift and result["monitor"]["drift"]["dataset_drift"]:
        print(f"error: dataset drift ({result['monitor']['drift']['verdict']}); --fail-on-drift", file=sys.stderr)
        sys.exit(DRIFT_EXIT)


if __name__ == "__main__":
    run(main)
