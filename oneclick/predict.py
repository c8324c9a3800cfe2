"""Score new customers: `python -m oneclick.predict --input DIR --output scores.csv [--model FILE]`.

DIR holds the training files (market_file.csv with or without the target column,
market_money.csv, market_time.csv, and optionally money.csv). They go through the same
validation and cleaning as in training; a customer the cleaning excludes is written with
the reason to <output stem>_excluded.csv. With money.csv, each customer also gets the
segment and offer of the plan the segment stage wrote (metrics/segment_plan.json).
The default model is the production model: the selection procedure run on every labelled customer.
"""

import argparse
from pathlib import Path

import pandas as pd

from oneclick.cli import run
from oneclick.columns import FEATURES, MONEY
from oneclick.errors import DataError
from oneclick.io import read_json, write_csv
from oneclick.load import read_all
from oneclick.model_file import load_model
from oneclick.params import load_params
from oneclick.prepare import build_table
from oneclick.selection import PRODUCTION_MODEL, SELECTED_MODEL
from oneclick.targeting import check_plan, label

OUTPUT_COLUMNS = ["id", "probability", "profit", "segment", "offer"]


def excluded_path(output) -> Path:
    output = Path(output)
    return output.with_name(f"{output.stem}_excluded{output.suffix or '.csv'}")


def read_plan(path, spec: dict, model_name: str) -> dict:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: not found; run `dvc repro` (stage segment) to segment customers")
    plan = read_json(path)
    check_plan(plan, spec, path)
    if plan["calibration"] != "none" and not model_name.endswith(f"+{plan['calibration']}"):
        raise DataError(f"{path}: segments are set on {plan['calibration']}-calibrated probabilities; "
                        "score with --model models/scorer.skops")
    return plan


def score(input_dir, model_path=PRODUCTION_MODEL, params_path="params.yaml", plan_path="metrics/segment_plan.json"):
    """Return (scores, excluded) for the customers of `input_dir`; every customer is in one of them."""
    params = load_params(params_path)
    saved = load_model(model_path)
    with_money = (Path(input_dir) / MONEY.name).is_file()
    frames, _ = read_all(input_dir, with_money=with_money, require_target=False)
    kept, excluded, profit = build_table(frames, params["prepare"]["revenue_max"])
    scores = pd.DataFrame({"id": kept["id"], "probability": saved["pipeline"].predict_proba(kept[FEATURES])[:, 1]})
    if profit is None:
        scores = scores.assign(profit=float("nan"), segment=pd.NA, offer=pd.NA)
    else:
        plan = read_plan(plan_path, params["segment"], saved["model"])
        scores = label(scores.merge(profit[["id", "profit"]], on="id", how="left"), plan)
    return scores[OUTPUT_COLUMNS], excluded[["id", "reason"]]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m oneclick.predict", description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True, help="folder with market_file.csv, market_money.csv, "
                        "market_time.csv and optionally money.csv")
    parser.add_argument("--output", required=True, help="CSV to write: id, probability, profit, segment, offer")
    parser.add_argument("--model", default=PRODUCTION_MODEL,
                        help="a model file (default: %(default)s, the production model trained on every labelled "
                        f"customer; {SELECTED_MODEL} is the one trained on the train part)")
    parser.add_argument("--params", default="params.yaml", help="params file (default: %(default)s)")
    parser.add_argument("--plan", default="metrics/segment_plan.json",
                        help="segment thresholds and offers from the segment stage (default: %(default)s)")
    args = parser.parse_args(argv)
    scores, excluded = score(args.input, args.model, args.params, args.plan)
    write_csv(args.output, scores)
    write_csv(excluded_path(args.output), excluded)


if __name__ == "__main__":
    run(main)
