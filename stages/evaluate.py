"""Stage evaluate: the selected model on the test part, once."""

import pandas as pd

from oneclick.cli import run
from oneclick.evaluate import calibration_points, confusion_rows, pr_points, roc_points, test_metrics
from oneclick.features import xy
from oneclick.io import write_csv, write_json
from oneclick.model_file import load_model
from oneclick.params import load_params


def main():
    p = load_params()["evaluate"]
    saved = load_model("models/model.pkl")
    test = pd.read_csv("data/processed/test.csv")
    X, y = xy(test)
    proba = saved["pipeline"].predict_proba(X)[:, 1]
    metrics = test_metrics(y, proba, p["threshold"], p["bootstrap"], p["seed"])
    write_json("metrics/test.json", {**metrics, "model": saved["model"]})
    write_json("plots/roc.json", roc_points(y, proba))
    write_json("plots/pr.json", pr_points(y, proba))
    write_json("plots/calibration.json", calibration_points(y, proba))
    write_csv("plots/confusion.csv", confusion_rows(test["id"], y, proba, p["threshold"]))


if __name__ == "__main__":
    run(main)
