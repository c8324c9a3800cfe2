"""Variants of the save-rate learner measured on the round-1 read-outs of `benchmarks.campaign_rounds` runs, not
adopted (issue #30): neighbours, a linear model with pairwise interactions, an RBF kernel, and an ensemble of them
with the tree learner and a forest, each fitted per offer to its treated customers' pseudo-outcome.

    python -m benchmarks.regressor_rates --run SANDBOX WORK [--run ...] --family knn|linear|kernel|ensemble
        [--gate Z] [--one-se] [--truths ...]

As in `benchmarks.forest_rates`, a treated customer's (p - y) / p has mean s(x) given the untreated baseline p (the
tree learner's, refitted as it refits it), and each family fits it with weights p:

- knn: s(x) = sum (p - y) / sum p over the k nearest treated customers (numbers standardized, categories one-hot),
  k in 50, 100, 200, 400, 800;
- linear: ridge regression on every column's quartile bins and every category (one-hot) and all their pairwise
  products, so "A and B" is one feature; the penalty in 10^-1 .. 10^6 (at 10^6 nearly the pooled rate);
- kernel: ridge regression on 300 random features of an RBF kernel (Nystroem) of the standardized columns, gamma in
  4/d, 1/d, 1/(4 d), the penalty in 10^-2 .. 10^3 (d: the encoded columns);
- ensemble: the mean of the tree learner's rates, the three above and a random forest (leaves of 100, all columns).

Each family's hyperparameters are chosen by 5-fold cross-validation of the weighted squared error (the folds drawn
from the seed). `--gate Z` keeps a family's rates for an offer only where its out-of-fold error beats the tree
learner's rates by z >= Z over the customers (paired); without it they are always kept. `--one-se` takes the last
candidate in the order listed (the largest k, the largest penalty) whose error is within one standard error
(paired over the customers) of the least. Offers with fewer than 200 treated customers keep the tree learner's
rates. Everything else is `benchmarks.campaign_refit`: round 2 planned at these rates and scored on the truth.
"""

import argparse
import sys
import warnings
from functools import partial

import numpy as np
from sklearn.base import clone
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import Ridge
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import KBinsDiscretizer, PolynomialFeatures, StandardScaler

from benchmarks import campaign_refit
from benchmarks.boosted_rates import encode, treated_rows
from benchmarks.forest_rates import offer_rates, pseudo_outcome_forest

tree_fit, tree_predict = campaign_refit.uplift.fit, campaign_refit.uplift.predict
FOLDS, LEAST = 5, 200
# integer columns with few values have fewer than four quartile bins; KBinsDiscretizer says so on every fit
warnings.filterwarnings("ignore", message="Bins whose width are too small", category=UserWarning)
# an offer's folds with fewer than 300 customers get the exact kernel instead of 300 components
warnings.filterwarnings("ignore", message="n_components > n_samples", category=UserWarning)
FAMILIES = ("knn", "linear", "kernel")


class NeighbourRatio:
    """s(x) = sum (p - y) / sum p over the k nearest fitted customers: the tree learner's leaf estimate on a
    neighbourhood instead of a leaf."""

    def __init__(self, k: int):
        self.k = k

    def fit(self, X, target, sample_weight):
        self.scale = StandardScaler().fit(X)
        self.index = NearestNeighbors(n_neighbors=min(self.k, len(X))).fit(self.scale.transform(X))
        self.num, self.den = target * sample_weight, sample_weight  # (p - y) and p
        return self

    def predict(self, X):
        _, nearest = self.index.kneighbors(self.scale.transform(X))
        return self.num[nearest].sum(1) / self.den[nearest].sum(1)


def numeric_mask(columns, levels) -> np.ndarray:
    """Which of encode()'s output columns are numbers (the rest are one-hot categories)."""
    return np.concatenate([[False] * len(levels[c]) if c in levels else [True] for c in columns])


def linear(alpha: float, numbers: np.ndarray):
    """Ridge on quartile bins and categories and every pairwise product of them."""
    from sklearn.compose import ColumnTransformer

    bins = ColumnTransformer([("bins", KBinsDiscretizer(n_bins=4, encode="onehot-dense", strategy="quantile",
                                                        quantile_method="averaged_inverted_cdf"),
                               np.flatnonzero(numbers))], remainder="passthrough")
    return make_pipeline(bins, PolynomialFeatures(2, interaction_only=True, include_bias=False), Ridge(alpha=alpha))


def kernel(gamma: float, alpha: float, seed: int):
    return make_pipeline(StandardScaler(), Nystroem(gamma=gamma, n_components=300, random_state=seed),
                         Ridge(alpha=alpha))


def candidates(family: str, X, numbers, seed: int) -> list:
    d = X.shape[1]
    if family == "knn":
        return [NeighbourRatio(k) for k in (50, 100, 200, 400, 800)]
    if family == "linear":
        return [linear(a, numbers) for a in 10.0 ** np.arange(-1, 7)]
    return [kernel(g / d, a, seed) for g in (4, 1, 0.25) for a in 10.0 ** np.arange(-2, 4)]


def out_of_fold(model, X, r, w, fold) -> np.ndarray:
    out = np.zeros(len(r))
    for k in range(FOLDS):
        tr, te = fold != k, fold == k
        fitted = clone(model) if hasattr(model, "get_params") else NeighbourRatio(model.k)
        if isinstance(fitted, NeighbourRatio):
            fitted.fit(X[tr], r[tr], w[tr])
        else:
            fitted.fit(X[tr], r[tr], **{f"{fitted.steps[-1][0]}__sample_weight": w[tr]})
        out[te] = fitted.predict(X[te])
    return out


def chosen(family, X, numbers, r, w, s0, gate, one_se, rng, seed):
    """The family's model with the least cross-validated weighted error, fitted on every customer, or None where
    the gate refuses it."""
    fold = rng.integers(0, FOLDS, len(r))
    models = candidates(family, X, numbers, seed)
    oofs = [np.clip(out_of_fold(model, X, r, w, fold), 0, 1) for model in models]
    errors = [w * (r - oof) ** 2 for oof in oofs]
    pick = int(np.argmin([e.sum() for e in errors]))
    if one_se:  # the last candidate (the most penalized) whose error is within one standard error of the best's
        pick = max(k for k, e in enumerate(errors)
                   if (e - errors[pick]).sum() <= (e - errors[pick]).std(ddof=1) * np.sqrt(len(r)))
    best, best_oof = models[pick], oofs[pick]
    gain = w * ((r - s0) ** 2 - (r - best_oof) ** 2)
    z = gain.mean() / max(gain.std(ddof=1), 1e-12) * np.sqrt(len(gain))
    print(f"{family} z {z:.2f}", file=sys.stderr)
    if gate is not None and z < gate:
        return None
    if isinstance(best, NeighbourRatio):
        return best.fit(X, r, w)
    return best.fit(X, r, **{f"{best.steps[-1][0]}__sample_weight": w})


def fit(table, priors, columns, seed=0, family="knn", gate=None, one_se=False, **options):
    """The tree learner, then each offer's regressor(s) on its treated customers."""
    model = tree_fit(table, priors, columns, seed=seed, **options)
    rows, p, y = treated_rows(model, table, columns, seed)
    s_tree = tree_predict(model, rows)
    rng = np.random.default_rng(seed)
    model["regressors"] = {"columns": columns, "family": family, "offers": {}}
    for o in model["names"]:
        m = (rows["offer"] == o).to_numpy()
        if m.sum() < LEAST:
            continue
        X, levels = encode(rows[m], columns)
        numbers = numeric_mask(columns, levels)
        r, w, s0 = (p[m] - y[m]) / p[m], p[m], s_tree[o].to_numpy(float)[m]
        fitted = [chosen(f, X, numbers, r, w, s0, gate, one_se, rng, seed)
                  for f in (FAMILIES if family == "ensemble" else (family,))]
        if family == "ensemble":
            fitted.append(pseudo_outcome_forest(X, p[m], y[m], "random", 100, 1.0, seed))
        fitted = [f for f in fitted if f is not None]
        if fitted:
            model["regressors"]["offers"][o] = {"levels": levels, "fitted": fitted}
    return model


def predict(model, customers):
    return offer_rates(model, customers, "regressors", with_tree=model["regressors"]["family"] == "ensemble")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=[*FAMILIES, "ensemble"], required=True)
    parser.add_argument("--gate", type=float, default=None, metavar="Z")
    parser.add_argument("--one-se", action="store_true")
    args, rest = parser.parse_known_args(argv)
    campaign_refit.main_with(partial(fit, family=args.family, gate=args.gate, one_se=args.one_se), predict, rest)


if __name__ == "__main__":
    main()
