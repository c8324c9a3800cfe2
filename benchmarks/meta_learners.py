"""Off-the-shelf uplift learners measured on the round-1 read-outs of `benchmarks.campaign_rounds` runs, not
adopted (issue #30): an S-learner and a T-learner on scikit-learn's HistGradientBoostingClassifier with its
defaults, in place of the save-rate learner.

    python -m benchmarks.meta_learners --run SANDBOX WORK [--run ...] [--learner s|t] [--truths ...]

Both learn P(decline | x, arm) on the read-out's customers, arm = the offer a customer got, or none (the control
arms and everyone not contacted), with x the learner's split columns (numbers as they are, categories one-hot).
A customer's save rate for offer o is 1 - P(decline | x, o) / P(decline | x, none), clipped to [0, 1]:

- `s`: one classifier on every customer, the arm one of its inputs;
- `t`: one classifier on the untreated customers and one on each offer's treated customers.

Everything else is `benchmarks.campaign_refit`: round 2 planned at these rates and scored on the truth.
"""

import argparse
from functools import partial

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from benchmarks import campaign_refit
from benchmarks.boosted_rates import encode


def arms(table: pd.DataFrame, names: list[str]) -> np.ndarray:
    treated = table["treated"].astype(bool).to_numpy() & table["offer"].isin(names).to_numpy()
    return np.where(treated, table["offer"].astype(str).to_numpy(), "none")


def with_arm(X: np.ndarray, arm: np.ndarray, names: list[str]) -> np.ndarray:
    return np.hstack([X, (arm[:, None] == np.array(names)[None, :]).astype(float)])


def classifier(seed: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(random_state=seed)


def fit(table, priors, columns, seed=0, learner="s", **options):
    table = table.reset_index(drop=True)
    names = list(priors)
    X, levels = encode(table, columns)
    arm, y = arms(table, names), table["declined"].to_numpy(int)
    model = {"learner": learner, "names": names, "columns": columns, "levels": levels}
    if learner == "s":
        model["all"] = classifier(seed).fit(with_arm(X, arm, names), y)
    else:
        model["arms"] = {a: classifier(seed).fit(X[arm == a], y[arm == a])
                         for a in ["none", *names] if len(np.unique(y[arm == a])) == 2}
    # what campaign_refit reports: no tree, no split
    model["offers"] = {o: {"tree": {"path": []}} for o in names}
    return model


def decline(model, X: np.ndarray, a: str) -> np.ndarray | None:
    if model["learner"] == "s":
        return model["all"].predict_proba(with_arm(X, np.full(len(X), a), model["names"]))[:, 1]
    fitted = model["arms"].get(a)
    return None if fitted is None else fitted.predict_proba(X)[:, 1]


def predict(model, customers):
    X, _ = encode(customers.reset_index(drop=True), model["columns"], model["levels"])
    base = np.clip(decline(model, X, "none"), 1e-6, 1)
    out = {}
    for o in model["names"]:
        treated = decline(model, X, o)
        out[o] = np.zeros(len(X)) if treated is None else np.clip(1 - treated / base, 0.0, 1.0)
    return pd.DataFrame(out, index=customers.index)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learner", choices=["s", "t"], default="s")
    args, rest = parser.parse_known_args(argv)
    campaign_refit.main_with(partial(fit, learner=args.learner), predict, rest)


if __name__ == "__main__":
    main()
