"""Stage select@<part>: the winner of that part's CV records by `select.rule`, refitted on all of the part, and
what travels with it in its folder: the calibration chosen on its out-of-fold scores, and the reference of its
customers for the drift check. Also the calibrated out-of-fold probabilities of the part's customers.

`python -m stages.select PART MODEL_OUT RECORD_OUT`, with the paths of dvc.yaml's `passes`.
"""

import sys

import pandas as pd

from oneclick.common import paths
from oneclick.common.cli import run
from oneclick.common.io import read_json, write_csv, write_json
from oneclick.data import source
from oneclick.model import calibration, selection
from oneclick.model.artifact import CALIBRATION, REFERENCE, SAMPLE, companion
from oneclick.model.cluster import cluster
from oneclick.model.features import xy
from oneclick.model.model_file import save_model
from oneclick.model.pipeline import check_features, check_models, chosen_pipeline
from oneclick.model.scoring import folds, out_of_fold
from oneclick.model.search import check_cv, fit_best
from oneclick.monitor import drift
from oneclick.params import load_params


def main():
    part, model_out, record_out = sys.argv[1:4]
    params = load_params(check_models, check_features, selection.check_params, calibration.check_params, check_cv,
                         source.check_params, drift.check_params)
    how, cv = params["calibrate"], params["cv"]
    record = selection.select([read_json(paths.cv_metrics(part, name)) for name in params["models"]], part,
                              params["select"]["rule"])
    spec = params["models"][record["model"]]
    pipeline = chosen_pipeline(spec, params["features"], record["best_params"])  # as fitted, not loaded: faster
    customers = pd.read_csv(paths.part_data(part))
    X, y = xy(customers)
    with cluster(cv):  # cv.backend: dask sends the out-of-fold fits there; nothing for threads
        scores = out_of_fold(pipeline, X, y, cv, spec["search"].get("subsample"))
    parts = folds(X, y, cv)
    method, table = calibration.choose(scores, y, parts, how["choices"], how["method"], how["score"])
    probability = calibration.cross_fitted(method, scores, y, parts)  # each customer's from the other folds
    reference, sample = drift.make_reference(customers, params["monitor"]["reference_rows"], cv["seed"],
                                             source.data_source(params["data"]["raw_dir"]))
    save_model(model_out, fit_best(spec, params["features"], record["best_params"], X, y, cv["seed"]),
               record["model"], spec["search"].get("subsample"), record["rows"], part)
    write_json(companion(model_out, CALIBRATION), {"model": record["model"], "part": part,
                                                   **calibration.fit(method, scores, y)})
    write_json(companion(model_out, REFERENCE), reference)
    write_csv(companion(model_out, SAMPLE), sample)
    write_csv(paths.part_scores(part), pd.DataFrame({"id": customers["id"], "score": scores,
                                                     "probability": probability})
              .round({"score": 6, "probability": 6}))
    write_json(record_out, record)
    write_json(paths.calibration_metrics(part), {
        "method": method, "chosen_by": f"{how['score']}, out of fold" if how["method"] == "auto" else "params",
        "out_of_fold": table})
    for name, values in (("raw", scores), ("calibrated", probability)):
        write_json(paths.reliability_plot(f"oof_{part}_{name}"), calibration.reliability(y, values, how["bins"]))


if __name__ == "__main__":
    run(main)
