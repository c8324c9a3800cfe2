"""Score new customers: `python -m oneclick.predict --input DIR --output scores.csv [--model FILE] [--repo DIR]`.

DIR holds an export in the training format (market_file.csv with or without the target column,
market_money.csv, market_time.csv, and optionally money.csv). It is read under the contract of training
(oneclick/data/load.py): a broken file stops it with one error naming the file, writing nothing; a customer with a
broken row, or one the cleaning drops, is written with the file, column, line and reason to
<output stem>_excluded.csv, and every other customer is scored. Past --max-excluded-share customers with broken
rows it exits with code 4, after writing.
Every customer gets the calibrated probability of buying less; with money.csv also the plan's decision (offer,
expected profit, contact, control group), by the economics of params.yaml and the save rates the campaign stage
learned (metrics/save_rates.json), and the segment. The drift check (and, with the target, the realized
performance) goes to <output stem>_monitor.json, which model, params and git revision made the list to
<output stem>_provenance.json. One line on stderr sums it up.

The default model is the production model of the repository this package belongs to (`--repo`, whatever the
working directory): the selection procedure run on every labelled customer. `--model` takes any model file of
this project whose artifact folder (calibration.json, reference.json, reference_sample.csv, expected.json) came
with it, e.g. one fetched with `dvc artifacts get`.
"""

import argparse
import sys
from pathlib import Path

from oneclick.campaign import offers
from oneclick.campaign.new_customers import OUTPUT_COLUMNS, plan_export
from oneclick.campaign.plan import rounded
from oneclick.campaign.provenance import record, sidecar
from oneclick.common.cli import run
from oneclick.common.errors import DataError
from oneclick.common.io import atomic_paths, write_csv, write_json
from oneclick.common.paths import CAMPAIGN, CHECKOUT, PRODUCTION_MODEL
from oneclick.data import prepare
from oneclick.data.load import customer_keys
from oneclick.data.prepare import check_share
from oneclick.insight import segments
from oneclick.model import calibration
from oneclick.model.artifact import synthetic_note
from oneclick.monitor import drift
from oneclick.monitor.export import score_export
from oneclick.monitor.record import summary_line
from oneclick.params import load_params

DRIFT_EXIT = 3  # --fail-on-drift: the exit code of a dataset drift
EXCLUDED_EXIT = 4  # more customers with broken rows than --max-excluded-share


def with_suffix(output, name: str, suffix: str) -> Path:
    output = Path(output)
    return output.with_name(f"{output.stem}_{name}{suffix}")


def excluded_path(output) -> Path:
    return with_suffix(output, "excluded", Path(output).suffix or ".csv")


def monitor_path(output) -> Path:
    return with_suffix(output, "monitor", ".json")


def score(input_dir, model_path=None, repo=CHECKOUT, campaign: str | None = None) -> dict:
    """Everything predict writes and says, for the customers of `input_dir`: every customer is in `scores` or in
    `excluded`."""
    repo = Path(repo)
    params = load_params(prepare.check_params, calibration.check_params, drift.check_params, offers.check_params,
                         segments.check_params, path=repo / "params.yaml")
    result = score_export(input_dir, Path(model_path) if model_path else repo / PRODUCTION_MODEL, params)
    scores, known = plan_export(result["customers"], result["profit"], params, repo, campaign, result["seen"])
    if known is not None:  # the plan on known outcomes: the campaign's decision metric
        result["monitor"]["realized"]["campaign"] = known
    made = record("python -m oneclick.predict", campaign or params["campaign"]["name"], params["campaign"],
                  result["model"], repo)
    return {**result, "scores": scores, "provenance": made,
            "max_excluded_share": params["prepare"]["max_excluded_share"]}


def summary(result: dict, output) -> str:
    scores = result["scores"]
    decided = scores["contact"].notna()
    plan = (f"{int(scores['contact'].fillna(False).sum())} to contact ({int(scores['control'].fillna(False).sum())} "
            f"of them the control group)" if decided.any() else "no contact decision (no money.csv: no profit)")
    undecided = f", {int((~decided).sum())} without profit get no decision" if decided.any() and not decided.all() \
        else ""
    export = result["export"]
    broken = export.quarantined()
    rules = result["excluded"].loc[result["excluded"]["reason"].isin(prepare.RULES), "reason"]
    why = [f"{int(broken.sum())} with broken rows: " + ", ".join(f"{n} {r}" for r, n in broken.items())] \
        if len(broken) else []
    why += [f"{len(rules)} by the cleaning rules: {prepare.by_rule(rules)}"] if len(rules) else []
    broken = f" ({'; '.join(why)})" if why else ""
    extra = sum(export.extra_ids.values())
    extra = f"; {extra} ids of the other files not in market_file.csv ignored" if extra else ""
    excluded = customer_keys(result["excluded"]).nunique()
    return (f"predict: {len(scores)} customers scored, {excluded} excluded{broken}{extra}; model {result['model']} "
            f"({result['model_name']}, fitted on {synthetic_note(result['reference'])}); {plan}{undecided}; "
            f"{summary_line(result['monitor'])}; wrote {output}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m oneclick.predict", description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True, help="folder with market_file.csv, market_money.csv, "
                        "market_time.csv and optionally money.csv")
    parser.add_argument("--output", required=True, help="CSV to write: " + ", ".join(OUTPUT_COLUMNS))
    parser.add_argument("--repo", default=CHECKOUT, type=Path,
                        help="the repository whose params.yaml, metrics and models to use (default: %(default)s)")
    parser.add_argument("--model", help=f"a model file (default: REPO/{PRODUCTION_MODEL}, the production model); its "
                        "folder must hold what `dvc repro` writes beside it")
    parser.add_argument("--campaign", help="the campaign the list is for: its control group and exploration are "
                        "drawn from this name and each customer's id (default: params campaign.name)")
    parser.add_argument("--max-excluded-share", type=float, help="exit with code "
                        f"{EXCLUDED_EXIT} when more of the export's customers have broken rows (default: params "
                        "prepare.max_excluded_share; the outputs are written first)")
    parser.add_argument("--fail-on-drift", action="store_true",
                        help=f"exit with code {DRIFT_EXIT} when the export drifts from the training customers "
                        "(the outputs are written first)")
    args = parser.parse_args(argv)
    result = score(args.input, args.model, args.repo, args.campaign)
    outputs = (args.output, excluded_path(args.output), monitor_path(args.output), sidecar(args.output))
    with atomic_paths(*outputs) as (scores, excluded, monitor, provenance):  # all four or none
        write_csv(scores, rounded(result["scores"]))
        write_csv(excluded, result["excluded"])
        write_json(monitor, result["monitor"])
        write_json(provenance, result["provenance"])
    if result["reference"]["data"]["synthetic"]:
        print("warning: this model was fitted on the synthetic store, not on the store's customers; its scores and "
              "plan are a demonstration. Train on a real export first: `make real` (README \"Your own data\").",
              file=sys.stderr)
    seen = result["monitor"]["in_sample"]
    if seen:
        print(f"warning: {seen} of the {len(result['scores'])} customers scored are customers the model was fitted "
              "on (same id, same data): their probabilities are in-sample, too confident, and the realized-"
              f"performance check leaves them out. For the training customers, {CAMPAIGN} holds out-of-fold "
              "probabilities and their plan.", file=sys.stderr)
    for note in result["export"].notes:
        print(f"note: {note}", file=sys.stderr)
    print(summary(result, args.output), file=sys.stderr)
    limit = result["max_excluded_share"] if args.max_excluded_share is None else args.max_excluded_share
    try:
        check_share(result["export"], limit, "--max-excluded-share" if args.max_excluded_share is not None
                    else "prepare.max_excluded_share")
    except DataError as err:
        print(f"error: {err}; the customers scored and the excluded ones are written", file=sys.stderr)
        sys.exit(EXCLUDED_EXIT)
    if args.fail_on_drift and result["monitor"]["drift"]["dataset_drift"]:
        print(f"error: dataset drift ({result['monitor']['drift']['verdict']}); --fail-on-drift", file=sys.stderr)
        sys.exit(DRIFT_EXIT)


if __name__ == "__main__":
    run(main)
