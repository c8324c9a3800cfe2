"""Could a guard over pairs of conditions find the groups where two conditions meet (issue #30, truth `interact`)?
On the round-1 read-outs of a `benchmarks.campaign_rounds` run, at the root of each offer's tree (the treated
customers and their untreated p as `uplift.fit` has them), the best cell "A and B" against the rest of the node and
its null distribution over the same search, beside the learner's own search over single splits.

    python -m benchmarks.pair_search --run SANDBOX WORK [--run ...] [--truths interact] [--offers ...]

A is every column's half at `--a-thresholds` quantiles (both sides) and every category (in or out); B is either
side of every split the learner scans inside A (split_search.column_sums). The null draws are the learner's own
(split_search.null_outcomes: one rate in the node, p known), so the p-value is that of a guard that searched the pairs.
Prints, per truth, seed and offer: the best pair's z, its p-value and the null's 99th percentile, the same for
single splits (on the same draws, fewer than the learner's n_null), and the pair found.
"""

import argparse
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd

from benchmarks.campaign_refit import cases
from oneclick.campaign import split_search, uplift
from oneclick.campaign.save_rates import uplift_columns
from oneclick.params import load_params


def halves(frame: pd.DataFrame, columns: list[str], n_thresholds: int):
    """(description, mask) of every column's half at the quantile thresholds and every category, in and out."""
    for column in columns:
        x = frame[column]
        if split_search.numeric(x):
            v = x.to_numpy(float)
            for t in split_search.quantile_thresholds(v, n_thresholds):
                right = v >= t
                if 0 < right.sum() < len(v):
                    yield f"{column} >= {t:.4g}", right
                    yield f"{column} < {t:.4g}", ~right
        else:
            v = x.astype(str).to_numpy()
            cats = np.unique(v)
            for c in cats if len(cats) > 2 else cats[:1]:  # of two categories, one is the other's complement
                yield f"{column} == {c}", v == c
                yield f"{column} != {c}", v != c


def pair_scan(frame, D, info, var, columns, n_thresholds, a_thresholds, min_info):
    """Max z^2 per replicate over every cell "A and B" against the rest of the node, and the observed best."""
    I_t, D_t, V_t = info.sum(), D.sum(0), var.sum()
    best, found = np.zeros(D.shape[1]), None
    for a_text, a in halves(frame, columns, a_thresholds):
        if info[a].sum() < min_info:
            continue
        inside = info[a].sum(), D[a].sum(0), var[a].sum()
        for column in columns:
            sides = split_search.column_sums(frame.loc[a, column], D[a], (info[a], var[a]), n_thresholds)
            if sides is None:
                continue
            left_d, (left_i, left_v), _ = sides
            left = left_i, left_d, left_v
            for I_c, D_c, V_c in (left, tuple(t - s for t, s in zip(inside, left, strict=True))):  # both sides
                z2, _ = split_search._z2(I_c, D_c, V_c, I_t, D_t, V_t, min_info)
                top = z2.max(0)
                if top[0] > best[0]:
                    found = f"{a_text} and a split on {column}"
                best = np.maximum(best, top)
    return best, found


def measure(offers: list[str], n_null: int, a_thresholds: int, out: list, label: tuple):
    """uplift.grow that, at the root of each offer in `offers`, records the pair and the single-split searches."""
    grow = uplift.grow

    def recording(frame, p, y, w, b, search, depth, opts, rng, columns, group=None, path=(), control=None):
        offer = frame["offer"].iloc[0] if len(frame) else None
        if group is None and not path and offer in offers:
            D, info, var = split_search.null_outcomes(p, y, w, b, n_null, np.random.default_rng(0))
            pairs, found = pair_scan(frame, D, info, var, columns, opts["n_thresholds"], a_thresholds,
                                     opts["min_info"])
            single, rule, _ = split_search.scan(frame, D, info, var, columns, opts["n_thresholds"], opts["min_info"],
                                          info_min=w * p)
            row = {"truth": label[0], "seed": label[1], "offer": offer, "treated": len(frame)}
            for name, stats in (("pair", pairs), ("single", single)):
                z = np.sqrt(stats)
                row.update({f"{name} z": z[0], f"{name} p": split_search.null_p_value(stats),
                            f"{name} null q99": np.quantile(z[1:], 0.99)})
            out.append({**row, "pair found": found})
        return grow(frame, p, y, w, b, search, depth, opts, rng, columns, group, path, control)
    return recording


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", nargs=2, action="append", type=Path, required=True, metavar=("SANDBOX", "WORK"))
    parser.add_argument("--truths", nargs="+", default=["interact"])
    parser.add_argument("--offers", nargs="+", default=["recommendations", "service_recovery", "retention_bonus"])
    parser.add_argument("--n-null", type=int, default=100)
    parser.add_argument("--a-thresholds", type=int, default=8)
    args = parser.parse_args(argv)
    spec = load_params(path=args.run[0][0] / "params.yaml")["campaign"]
    priors = {name: offer["save_rate"] for name, offer in spec["offers"].items()}
    rows = []
    for seed_cases in cases(args.run, args.truths).values():
        for case in seed_cases:
            table = pd.read_csv(case["table"])
            label = (case["row"]["truth"], case["row"]["seed"])
            with mock.patch.object(uplift, "grow", measure(args.offers, args.n_null, args.a_thresholds, rows, label)):
                uplift.fit(table, priors, uplift_columns(table), seed=spec["seed"])
    pd.set_option("display.width", 250)
    pd.set_option("display.max_colwidth", 80)
    print(pd.DataFrame(rows).sort_values(["truth", "offer", "seed"]).to_string(
        index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
