"""Refit the save-rate learner on the round-1 read-outs of a `benchmarks.campaign_rounds` run and score round 2's
targeting on the truth: a variant of the learner measured in minutes on the same outcomes, instead of the 20 of two
full rounds (issue #30).

    python -m benchmarks.campaign_refit --run SANDBOX WORK [--run SANDBOX WORK ...]
        [--options '{"search_share": 0.5, "alpha": 0.05}'] [--true-cells all|OFFER] [--truths ...]

A run of campaign_rounds with `--sandbox SANDBOX --work WORK` keeps what this needs: `dvc exp run` made one
experiment per truth and seed, in the order of WORK/rows.json, and its dvc.lock names round 1's read-out table
(data/readouts/r1.csv) in the sandbox's DVC cache; WORK/seed<k> holds population 2 and its scores. Per truth and
seed this refits `uplift.fit` with `--options` on the read-out table, plans population 2 with make_plan at the
refitted rates (as campaign_rounds plans its other plans) and gives the expected profit on the true p and s, as a
share of the gap between the run's one-rate and knowing plans. With no options it gives the run's own learned
profits (predict plans with make_plan on the same rates).

`--true-cells`: the learner is told where the true rate of every offer (or of one) differs, a split on the
customers' true-rate groups, and estimates only the rates: what finding the splits is worth.
"""

import argparse
import json
import subprocess
from contextlib import nullcontext
from multiprocessing import Pool
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd

from benchmarks.campaign_rounds import (
    FEATURES,
    REAL_DATA,
    profits,
    read_customers,
    read_population,
    targeting,
    true_rates,
    truth_model,
)
from oneclick.campaign import uplift
from oneclick.campaign.offers import catalogue
from oneclick.campaign.save_rates import uplift_columns
from oneclick.params import load_params
from tools.sandbox import lock_outputs

READOUT = "data/readouts/r1.csv"


def readout_tables(sandbox: Path) -> list[Path]:
    """The cache file of each experiment's round-1 read-out table, oldest experiment first."""
    refs = subprocess.run(["git", "for-each-ref", "--sort=committerdate", "--format=%(refname)", "refs/exps"],
                          cwd=sandbox, capture_output=True, text=True, check=True).stdout.split()
    locks = [lock_outputs(subprocess.run(["git", "show", f"{ref}:dvc.lock"], cwd=sandbox, capture_output=True,
                                         text=True, check=True).stdout) for ref in refs]
    return [sandbox / ".dvc" / "cache" / "files" / "md5" / lock[READOUT][:2] / lock[READOUT][2:]
            for lock in locks if READOUT in lock]


def cases(runs: list[tuple[Path, Path]], truths: list[str]) -> dict[Path, list[dict]]:
    """Per seed's folder of the runs, per truth: the read-out table's file and the run's row."""
    out = {}
    for sandbox, work in runs:
        rows = json.loads((work / "rows.json").read_text(encoding="utf-8"))
        tables = readout_tables(sandbox)
        if len(tables) != len(rows):
            raise SystemExit(f"{sandbox}: {len(tables)} read-out experiments for {len(rows)} rows of {work}")
        for table, row in zip(tables, rows, strict=True):
            if row["truth"] in truths:
                out.setdefault(work / f"seed{row['seed']}", []).append({"table": table, "row": row})
    return out


def with_cells(frame: pd.DataFrame, rates: np.ndarray, names: list[str]) -> pd.DataFrame:
    """`frame` with a column cell_<offer> per offer: the customer's group of equal true rate (0 low, 1 high)."""
    cells = {}
    for j, name in enumerate(names):
        levels = np.unique(np.round(rates[:, j], 9))
        if len(levels) > 2:
            raise SystemExit(f"--true-cells: {name}'s true rate takes {len(levels)} values; two at most")
        cells[f"cell_{name}"] = (np.round(rates[:, j], 9) >= levels[-1]).astype(int).astype(str)
    return frame.assign(**cells)


def cell_tree(offer: str) -> dict:
    """One split: the offer's high-rate group on the right."""
    rule = {"column": f"cell_{offer}", "kind": "in", "value": ["1"]}
    return {"path": [], "split": rule, "children": [{"path": [(rule, False)]}, {"path": [(rule, True)]}]}


def known_cells(told: set[str]):
    """uplift.grow for an offer in `told`: the split on its true-rate groups (none if they are one group)."""
    grow = uplift.grow

    def fake(frame, p, y, w, b, search, depth, opts, rng, columns, group=None, path=(), control=None):
        offer = frame["offer"].iloc[0] if len(frame) else None
        if group is None and not path and offer in told:
            return cell_tree(offer) if frame[f"cell_{offer}"].nunique() > 1 else {"path": []}
        return grow(frame, p, y, w, b, search, depth, opts, rng, columns, group, path, control)
    return fake


def refit_seed(seed_dir: Path, seed_cases: list[dict], spec: dict, revenue_max: float, truth, options: dict,
               told: list[str]) -> list[dict]:
    """One seed: population 2 read once with the scores round 2 planned on, then every truth's refit."""
    scores = pd.read_csv(seed_dir / "r2_priors.csv")
    pop = read_population(seed_dir / "pop2", truth, spec, revenue_max)
    pop = pop.drop(columns=["probability"], errors="ignore").merge(scores[["id", "probability"]], on="id")
    return [refit(case, pop, spec, truth, options, told) for case in seed_cases]


def refit(case: dict, pop: pd.DataFrame, spec: dict, truth, options: dict, told: list[str]) -> dict:
    """One truth and seed: the refitted learner's round-2 expected profit beside the run's."""
    names = list(spec["offers"])
    means = catalogue(spec)["save_rate"].to_numpy(float)
    row = case["row"]
    table = pd.read_csv(case["table"])  # as the campaign stage reads it
    s_true = true_rates(pop, row["truth"], means)
    columns = uplift_columns(table)
    if told:
        p_true = truth.predict_proba(table[FEATURES])[:, 1]
        table = with_cells(table, true_rates(table.assign(p_true=p_true), row["truth"], means), names)
        pop = with_cells(pop, s_true, names)
    with mock.patch.object(uplift, "grow", known_cells(set(told))) if told else nullcontext():
        model = uplift.fit(table, {n: spec["offers"][n]["save_rate"] for n in names}, columns, seed=spec["seed"],
                           **options)
    rates = uplift.predict(model, pop)[names].to_numpy(float)
    actions = targeting(pop, spec, rates)
    earned = float(profits(actions, pop, s_true, spec, names, np.zeros(len(pop), bool), np.ones(len(pop)))[0].sum())
    e = row["expected"]
    gap = e["oracle"] - e["one_rate"]
    return {"truth": row["truth"], "seed": row["seed"], "refit": earned, "run": e["learned"],
            "gap_closed": (earned - e["one_rate"]) / gap if gap > 1e-9 else float("nan"),
            "oracle_kept": earned / e["oracle"],
            "offers_split": ", ".join(o for o, f in model["offers"].items() if len(uplift.leaves(f["tree"])) > 1)}


def _work(job):
    return refit_seed(*job)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", nargs=2, action="append", type=Path, required=True, metavar=("SANDBOX", "WORK"))
    parser.add_argument("--options", type=json.loads, default={}, help="uplift.fit options, JSON")
    parser.add_argument("--true-cells", default=None, help="'all' or an offer: told where its true rate differs")
    parser.add_argument("--truths", nargs="+", default=["const", "thresh", "thresh2", "risk", "interact"])
    parser.add_argument("--raw-dir", type=Path, default=REAL_DATA)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args(argv)
    params = load_params(path=args.run[0][0] / "params.yaml")
    spec, revenue_max = params["campaign"], params["prepare"]["revenue_max"]
    names = list(spec["offers"])
    told = names if args.true_cells == "all" else [args.true_cells] if args.true_cells else []
    truth = truth_model(read_customers(args.raw_dir, revenue_max))
    jobs = [(seed_dir, seed_cases, spec, revenue_max, truth, args.options, told)
            for seed_dir, seed_cases in cases(args.run, args.truths).items()]
    with Pool(args.processes) as pool:
        result = pd.DataFrame([r for part in pool.map(_work, jobs) for r in part])
    pd.set_option("display.width", 200)
    print(f"options {json.dumps(args.options)}; told the true cells of: {', '.join(told) or 'none'}")
    print(result.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    by = result.groupby("truth", sort=False)
    print(pd.DataFrame({"gap closed": by["gap_closed"].mean(), "sd": by["gap_closed"].std(),
                        "min": by["gap_closed"].min(), "oracle kept": by["oracle_kept"].mean(),
                        "kept min": by["oracle_kept"].min()}).to_string(float_format=lambda v: f"{v:.3f}"))


def main_with(fit, predict, argv) -> None:
    """`main` with another learner: `fit` and `predict` in place of uplift's (the variants of benchmarks/)."""
    with mock.patch.object(uplift, "fit", fit), mock.patch.object(uplift, "predict", predict):
        main(argv)


if __name__ == "__main__":
    main()
