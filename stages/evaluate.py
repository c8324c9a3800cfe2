"""Stage evaluate: the selected model on the test part, once; and every candidate there, for the results table.

Selection never looks at the candidates' test numbers (it uses CV on the train part);
they only show how each family generalizes.
"""

import pandas as pd

from oneclick import calibration
from oneclick.artifact import CALIBRATION, EXPECTED, companion
from oneclick.cli import run
from oneclick.evaluate import (
    calibrated_metrics,
    confusion_counts,
    pr_points,
    roc_points,
    test_metrics,
    test_predictions,
)
from oneclick.features import xy
from oneclick.io import read_json, write_csv, write_json
from oneclick.model_file import load_model
from oneclick.params import load_params
from oneclick.selection import PRODUCTION_MODEL, SELECTED_MODEL, TEST_PREDICTIONS, candidate_path

BY_MODEL = ("roc_auc", "roc_auc_ci95_low", "roc_auc_ci95_high", "pr_auc", "brier")
EXPECTED_KEYS = ("roc_auc", "roc_auc_ci95_low", "roc_auc_ci95_high", "brier_calibrated", "n_test", "model")


def main():
    params = load_params()
    p = params["evaluate"]
    test = pd.read_csv("data/processed/test.csv")
    X, y = xy(test)

    def metrics(pipeline):
        proba = pipeline.predict_proba(X)[:, 1]
        return proba, test_metrics(y, proba, p["threshold"], p["bootstrap"], p["seed"])

    saved = load_model(SELECTED_MODEL)
    proba, selected = metrics(saved["pipeline"])
    calibrator = read_json(companion(SELECTED_MODEL, CALIBRATION))
    calibrated = calibration.apply(calibrator, proba)
    test_record = {**selected, **calibrated_metrics(y, proba, calibrated, calibrator["method"]),
                   "model": saved["model"]}
    write_json("metrics/test.json", test_record)
    # what the production model is expected to do on new customers: the procedure's test figures (model card)
    write_json(companion(PRODUCTION_MODEL, EXPECTED), {k: test_record[k] for k in EXPECTED_KEYS})
    write_json("plots/roc.json", roc_points(y, proba, p["curve_points"]))
    write_json("plots/pr.json", pr_points(y, proba, p["curve_points"]))
    for name, values in (("raw", proba), ("calibrated", calibrated)):
        write_json(f"plots/calibration/test_{name}.json", calibration.reliability(y, values,
                                                                                   params["calibrate"]["bins"]))
    write_csv("plots/confusion.csv", confusion_counts(y, proba, p["threshold"]))
    write_csv(TEST_PREDICTIONS, test_predictions(test["id"], y, proba, calibrated))

    ranking = read_json("metrics/selection.json")["ranking"]  # every searched model, best CV first
    # SELECTED_MODEL is a copy of the selected candidate: its metrics are not computed twice
    by_model = {name: selected if name == saved["model"]
                else metrics(load_model(candidate_path("train", name))["pipeline"])[1] for name in ranking}
    write_json("metrics/test_by_model.json", {name: {k: m[k] for k in BY_MODEL} for name, m in by_model.items()})


if __name__ == "__main__":
    run(main)
