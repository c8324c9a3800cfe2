"""A variant of the save-rate learner measured on the round-1 read-outs of `benchmarks.campaign_rounds` runs, not
adopted (issue #30): gradient boosting of each offer's logit s on its treated customers' likelihood,
P(decline) = p (1 - s), with the number of rounds chosen by 5-fold cross-validation of that likelihood (0 allowed).

    python -m benchmarks.boosted_rates --run SANDBOX WORK [--run ...] [--start tree|pooled]
        [--one-se | --fixed ROUNDS] [--truths ...]

It starts from the tree learner's rates (`--start tree`) or from each offer's pooled rate (`--start pooled`), and
adds depth-2 regression trees fitted to the likelihood's Newton steps (learning rate 0.1, at least 100 customers a
leaf, at most 200 rounds). `--one-se` takes the fewest rounds whose cross-validated loss is within one standard
error (paired over the folds) of the best. `--fixed R` boosts R rounds and keeps them only where their out-of-fold
gain in likelihood over the customers reaches z 2.33 (one-sided 0.01), as the baseline's refit is kept; each
offer's z goes to stderr. Everything else is `benchmarks.campaign_refit`: round 2 planned at the
refitted rates and scored on the truth.
"""

import argparse
import sys
from functools import partial

import numpy as np
from scipy.special import expit, logit
from scipy.stats import norm
from sklearn.tree import DecisionTreeRegressor

from benchmarks import campaign_refit
from oneclick.campaign import split_search, untreated_baseline, uplift

RATE, ROUNDS, DEPTH, LEAF, L2, FOLDS = 0.1, 200, 2, 100, 1.0, 5
tree_fit, tree_predict = uplift.fit, uplift.predict


def encode(frame, columns, levels=None):
    """Numbers as they are, categories one-hot on the levels seen in fitting."""
    levels = {} if levels is None else levels
    out = []
    for c in columns:
        if split_search.numeric(frame[c]):
            out.append(frame[c].to_numpy(float)[:, None])
        else:
            known = levels.setdefault(c, sorted(map(str, frame[c].dropna().unique())))
            out.append((frame[c].astype(str).to_numpy()[:, None] == np.array(known)[None, :]).astype(float))
    return np.hstack(out), levels


def steps(F, p, y):
    """The loss's gradient and expected Hessian in F = logit s, per customer."""
    s = expit(F)
    q = np.clip(p * (1 - s), 1e-9, 1 - 1e-9)
    return y * s - (1 - y) * p * s * (1 - s) / (1 - q), (p * s * (1 - s)) ** 2 / (q * (1 - q))


def loss(F, p, y):
    q = np.clip(p * (1 - expit(F)), 1e-9, 1 - 1e-9)
    return -(y * np.log(q) + (1 - y) * np.log1p(-q))


def boost(X, F0, p, y, rounds):
    """[(tree, leaf -> step)] of `rounds` Newton-boosting rounds from F0."""
    F, trees = F0.copy(), []
    for _ in range(rounds):
        g, h = steps(F, p, y)
        tree = DecisionTreeRegressor(max_depth=DEPTH, min_samples_leaf=LEAF, random_state=0)
        leaf = tree.fit(X, -g / np.maximum(h, 1e-12), sample_weight=h).apply(X)
        values = {k: -RATE * g[leaf == k].sum() / (h[leaf == k].sum() + L2) for k in np.unique(leaf)}
        F += np.array([values[k] for k in leaf])
        trees.append((tree, values))
    return trees


def increments(trees, X) -> np.ndarray:
    """Cumulative F increments on X after each round: rounds x rows."""
    out = np.zeros((len(trees) + 1, len(X)))
    for r, (tree, values) in enumerate(trees):
        out[r + 1] = out[r] + np.array([values.get(k, 0.0) for k in tree.apply(X)])
    return out


def chosen_rounds(X, F0, p, y, one_se: bool, fixed: int | None, rng) -> int:
    fold = rng.integers(0, FOLDS, len(y))
    if fixed is not None:  # fixed rounds, kept if their out-of-fold gain is significant
        oof = np.zeros(len(y))
        for k in range(FOLDS):
            tr, te = fold != k, fold == k
            oof[te] = increments(boost(X[tr], F0[tr], p[tr], y[tr], fixed), X[te])[-1]
        gain = loss(F0, p, y) - loss(F0 + oof, p, y)
        z = gain.mean() / max(gain.std(ddof=1), 1e-12) * np.sqrt(len(gain))
        print(f"z {z:.2f}", file=sys.stderr)
        return fixed if z > norm.ppf(0.99) else 0
    cv = np.zeros((FOLDS, ROUNDS + 1))
    for k in range(FOLDS):
        tr, te = fold != k, fold == k
        inc = increments(boost(X[tr], F0[tr], p[tr], y[tr], ROUNDS), X[te])
        cv[k] = loss(F0[te][None, :] + inc, p[te][None, :], y[te][None, :]).sum(axis=1)
    best = int(cv.sum(0).argmin())
    if one_se:
        d = cv - cv[:, [best]]
        best = int(np.flatnonzero(d.sum(0) <= d.std(0, ddof=1) * np.sqrt(FOLDS))[0])
    return best


def start_rates(model, frame, start: str) -> dict:
    if start == "pooled":
        return {o: np.full(len(frame), model["pooled"][o]["mean"]) for o in model["names"]}
    rates = tree_predict(model, frame)
    return {o: rates[o].to_numpy(float) for o in model["names"]}


def treated_rows(model, table, columns, seed):
    """(the treated customers of the tree learner's offers, their untreated baseline p as the learner has it, their
    outcome y): the baseline refitted as the learner refits it and rescaled by each offer's control arm."""
    table = table.reset_index(drop=True)
    baseline, _ = untreated_baseline.refit_baseline(table, columns, model["options"], seed)
    factors = {o: c["factor"] if c["applied"] else 1.0 for o, c in model["calibration"].items()}
    treated = table["treated"].astype(bool).to_numpy() & table["offer"].isin(model["names"]).to_numpy()
    rows = table[treated].reset_index(drop=True)
    p = np.clip(baseline[treated] * rows["offer"].map(factors).to_numpy(float), 1e-6, 1 - 1e-6)
    return rows, p, rows["declined"].to_numpy(float)


def fit(table, priors, columns, seed=0, start="tree", one_se=False, fixed=None, **options):
    """The tree learner, then each offer's boosted correction on its treated customers."""
    model = tree_fit(table, priors, columns, seed=seed, **options)
    rows, p, y = treated_rows(model, table, columns, seed)
    s0 = start_rates(model, rows, start)
    rng = np.random.default_rng(seed)
    model["boost"] = {"columns": columns, "start": start, "offers": {}}
    for o in model["names"]:
        m = (rows["offer"] == o).to_numpy()
        if m.sum() < 2 * LEAF:
            continue
        X, levels = encode(rows[m], columns)
        F0 = logit(np.clip(s0[o][m], 1e-4, 1 - 1e-4))
        rounds = chosen_rounds(X, F0, p[m], y[m], one_se, fixed, rng)
        model["boost"]["offers"][o] = {"levels": levels, "trees": boost(X, F0, p[m], y[m], rounds)}
    print("rounds", {o: len(b["trees"]) for o, b in model["boost"]["offers"].items()}, file=sys.stderr)
    return model


def predict(model, customers):
    b = model["boost"]
    c = customers.reset_index(drop=True)
    out = tree_predict(model, customers)
    s0 = start_rates(model, c, b["start"])
    for o, f in b["offers"].items():
        X, _ = encode(c, b["columns"], f["levels"])
        out[o] = expit(logit(np.clip(s0[o], 1e-4, 1 - 1e-4)) + increments(f["trees"], X)[-1])
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", choices=["tree", "pooled"], default="tree")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--one-se", action="store_true")
    choice.add_argument("--fixed", type=int, default=None, metavar="ROUNDS")
    args, rest = parser.parse_known_args(argv)
    campaign_refit.main_with(partial(fit, start=args.start, one_se=args.one_se, fixed=args.fixed), predict, rest)


if __name__ == "__main__":
    main()
