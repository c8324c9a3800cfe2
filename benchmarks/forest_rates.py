"""A variant of the save-rate learner measured on the round-1 read-outs of `benchmarks.campaign_rounds` runs, not
adopted (issue #30): a forest per offer on its treated customers' pseudo-outcome.

    python -m benchmarks.forest_rates --run SANDBOX WORK [--run ...] [--forest random|extra] [--leaf 200]
        [--max-features 0.33] [--truths ...]

With the untreated baseline p known (the tree learner's, refitted as it refits it), a treated customer's
(p - y) / p has mean s(x), the save rate. A regression forest (scikit-learn's RandomForestRegressor or
ExtraTreesRegressor, 300 trees, at least `--leaf` customers a leaf, `--max-features` of the columns per split) fits
it with weights p, so each leaf's estimate is the learner's ratio of sums, sum (p - y) / sum p, and the forest
averages such leaves over many trees: the columns a tree may start from are drawn, so a condition that never wins a
node on its own still gets its turn. Offers with fewer than 2 x `--leaf` treated customers keep the tree learner's
rates. Everything else is `benchmarks.campaign_refit`: round 2 planned at these rates and scored on the truth.
"""

import argparse
from functools import partial

import numpy as np
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor

from benchmarks import campaign_refit
from benchmarks.boosted_rates import encode, treated_rows
from oneclick.campaign import uplift

tree_fit, tree_predict = uplift.fit, uplift.predict
FORESTS = {"random": RandomForestRegressor, "extra": ExtraTreesRegressor}


def pseudo_outcome_forest(X, p, y, forest: str, leaf: int, max_features: float, seed: int):
    """The forest of s(x) fitted to (p - y) / p with weights p: a leaf's value is sum (p - y) / sum p."""
    regressor = FORESTS[forest](n_estimators=300, min_samples_leaf=leaf, max_features=max_features,
                                random_state=seed, n_jobs=1)
    return regressor.fit(X, (p - y) / p, sample_weight=p)


def fit(table, priors, columns, seed=0, forest="random", leaf=200, max_features=0.33, **options):
    """The tree learner, then each offer's forest on its treated customers."""
    model = tree_fit(table, priors, columns, seed=seed, **options)
    rows, p, y = treated_rows(model, table, columns, seed)
    model["forest"] = {"columns": columns, "offers": {}}
    for o in model["names"]:
        m = (rows["offer"] == o).to_numpy()
        if m.sum() < 2 * leaf:
            continue
        X, levels = encode(rows[m], columns)
        model["forest"]["offers"][o] = {"levels": levels, "fitted": [pseudo_outcome_forest(
            X, p[m], y[m], forest, leaf, max_features, seed)]}
    return model


def offer_rates(model, customers, key: str, with_tree: bool = False):
    """The tree learner's rates, with each offer under model[key] given the mean of its fitted regressors' rates
    (clipped to [0, 1]; and of the tree learner's own, `with_tree`)."""
    part = model[key]
    c = customers.reset_index(drop=True)
    out = tree_predict(model, customers)
    for o, f in part["offers"].items():
        X, _ = encode(c, part["columns"], f["levels"])
        rates = [np.clip(m.predict(X), 0.0, 1.0) for m in f["fitted"]]
        if with_tree:
            rates.append(out[o].to_numpy(float))
        out[o] = np.mean(rates, axis=0)
    return out


def predict(model, customers):
    return offer_rates(model, customers, "forest")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forest", choices=list(FORESTS), default="random")
    parser.add_argument("--leaf", type=int, default=200)
    parser.add_argument("--max-features", type=float, default=0.33)
    args, rest = parser.parse_known_args(argv)
    learner = partial(fit, forest=args.forest, leaf=args.leaf, max_features=args.max_features)
    campaign_refit.main_with(learner, predict, rest)


if __name__ == "__main__":
    main()
