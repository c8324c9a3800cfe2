"""Stage compare: every tuned candidate on the test part, for the results table.

Selection never looks at these numbers (it uses CV on the train part); they
show how each family generalizes.
"""

import pandas as pd

from oneclick.cli import run
from oneclick.evaluate import test_metrics
from oneclick.features import xy
from oneclick.io import write_json
from oneclick.model_file import load_model
from oneclick.params import load_params

KEEP = ("roc_auc", "roc_auc_ci95_low", "roc_auc_ci95_high", "pr_auc", "brier")


def main():
    params = load_params()
    p = params["evaluate"]
    X, y = xy(pd.read_csv("data/processed/test.csv"))
    results = {}
    for name in params["models"]:
        proba = load_model(f"models/candidates/{name}.pkl")["pipeline"].predict_proba(X)[:, 1]
        metrics = test_metrics(y, proba, p["threshold"], p["bootstrap"], p["seed"])
        results[name] = {k: metrics[k] for k in KEEP}
    write_json("metrics/test_by_model.json", results)


if __name__ == "__main__":
    run(main)
