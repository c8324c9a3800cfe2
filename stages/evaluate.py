"""Stage evaluate: the selected model on the test part, once; and every family's best candidate there, for the
results table, each refitted on the train part from its CV record.

Selection never looks at the candidates' test numbers (it uses CV on the train part);
they only show how each family generalizes.
"""

import pandas as pd

from oneclick.common import paths
from oneclick.common.cli import run
from oneclick.common.io import read_json, write_csv, write_json
from oneclick.model import calibration, evaluate
from oneclick.model.artifact import CALIBRATION, EXPECTED, companion
from oneclick.model.features import xy
from oneclick.model.model_file import load_model
from oneclick.model.pipeline import check_features, check_models
from oneclick.model.search import check_cv, fit_best
from oneclick.params import load_params

BY_MODEL = ("roc_auc", "roc_auc_ci95_low", "roc_auc_ci95_high", "pr_auc", "brier")
EXPECTED_KEYS = ("roc_auc", "roc_auc_ci95_low", "roc_auc_ci95_high", "brier_calibrated", "n_test", "model")


def main():
    params = load_params(evaluate.check_params, calibration.check_params, check_models, check_features, check_cv)
    p = params["evaluate"]
    test = pd.read_csv(paths.TEST)
    X, y = xy(test)

    def metrics(pipeline, pr_interval=True):
        proba = pipeline.predict_proba(X)[:, 1]
        return proba, evaluate.test_metrics(y, proba, p["threshold"], p["bootstrap"], p["seed"], pr_interval)

    saved = load_model(paths.SELECTED_MODEL)
    proba, selected = metrics(saved["pipeline"])
    calibrator = read_json(companion(paths.SELECTED_MODEL, CALIBRATION))
    calibrated = calibration.apply(calibrator, proba)
    after = evaluate.calibrated_metrics(y, proba, calibrated, calibrator["method"], p["threshold"])
    test_record = {**selected, **after, "model": saved["model"]}
    write_json(paths.TEST_METRICS, test_record)
    # what the production model is expected to do on new customers: the procedure's test figures (model card)
    write_json(companion(paths.PRODUCTION_MODEL, EXPECTED), {k: test_record[k] for k in EXPECTED_KEYS})
    write_json(paths.ROC_PLOT, evaluate.roc_points(y, proba, p["curve_points"]))
    write_json(paths.PR_PLOT, evaluate.pr_points(y, proba, p["curve_points"]))
    for name, values in (("raw", proba), ("calibrated", calibrated)):
        write_json(paths.reliability_plot(f"test_{name}"),
                   calibration.reliability(y, values, params["calibrate"]["bins"]))
    write_csv(paths.CONFUSION_PLOT, evaluate.confusion_counts(y, proba, p["threshold"]))
    write_csv(paths.TEST_PREDICTIONS, evaluate.test_predictions(test["id"], y, proba, calibrated))

    ranking = read_json(paths.SELECTION_METRICS)["ranking"]  # every searched model, best CV first
    X_train, y_train = xy(pd.read_csv(paths.TRAIN))

    def refitted(name):  # what the model file of the selected one holds, for the others
        best = read_json(paths.cv_metrics("train", name))["best_params"]
        return fit_best(params["models"][name], params["features"], best, X_train, y_train, params["cv"]["seed"])

    by_model = {name: selected if name == saved["model"] else metrics(refitted(name), pr_interval=False)[1]
                for name in ranking}
    write_json(paths.TEST_BY_MODEL_METRICS, {name: {k: m[k] for k in BY_MODEL} for name, m in by_model.items()})


if __name__ == "__main__":
    run(main)
