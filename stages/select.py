"""Stage select@<part>: the winner of that part's CV records by `select.rule` (already refitted on all of it), and
what travels with it in its folder: the calibration chosen on its out-of-fold scores, and the reference of its
customers for the drift check. Also the calibrated out-of-fold probabilities of the part's customers.

`python -m stages.select PART MODEL_OUT RECORD_OUT`, with the paths of dvc.yaml's `passes`.
"""

import sys

import pandas as pd

from oneclick import calibration
from oneclick.artifact import CALIBRATION, REFERENCE, SAMPLE, companion
from oneclick.cli import run
from oneclick.cluster import cluster
from oneclick.drift import make_reference
from oneclick.features import xy
from oneclick.io import copy_file, read_json, write_csv, write_json
from oneclick.model_card import data_source
from oneclick.params import load_params
from oneclick.registry import chosen_pipeline
from oneclick.scoring import folds, out_of_fold
from oneclick.selection import candidate_path, cv_record_path, data_path, scores_path, select


def main():
    part, model_out, record_out = sys.argv[1:4]
    params = load_params(check_estimators=False)
    how, cv = params["calibrate"], params["cv"]
    record = select([read_json(cv_record_path(part, name)) for name in params["models"]], part,
                    params["select"]["rule"])
    spec = params["models"][record["model"]]
    pipeline = chosen_pipeline(spec, params["features"], record["best_params"])  # as fitted, not loaded: faster
    customers = pd.read_csv(data_path(part))
    X, y = xy(customers)
    with cluster(cv):  # cv.backend: dask sends the out-of-fold fits there; nothing for threads
        scores = out_of_fold(pipeline, X, y, cv, spec["search"].get("subsample"))
    parts = folds(X, y, cv)
    method, table = calibration.choose(scores, y, parts, how["choices"], how["method"], how["score"])
    probability = calibration.cross_fitted(method, scores, y, parts)  # each customer's from the other folds
    reference, sample = make_reference(customers, params["monitor"]["reference_rows"], cv["seed"],
                                       data_source(params["data"]["raw_dir"]))
    copy_file(candidate_path(part, record["model"]), model_out)
    write_json(companion(model_out, CALIBRATION), {"model": record["model"], "part": part,
                                                   **calibration.fit(method, scores, y)})
    write_json(companion(model_out, REFERENCE), reference)
    write_csv(companion(model_out, SAMPLE), sample)
    write_csv(scores_path(part), pd.DataFrame({"id": customers["id"], "score": scores, "probability": probability})
              .round({"score": 6, "probability": 6}))
    write_json(record_out, record)
    write_json(f"metrics/calibration/{part}.json", {
        "method": method, "chosen_by": f"{how['score']}, out of fold" if how["method"] == "auto" else "params",
        "out_of_fold": table})
    for name, values in (("raw", scores), ("calibrated", probability)):
        write_json(f"plots/calibration/oof_{part}_{name}.json", calibration.reliability(y, values, how["bins"]))


if __name__ == "__main__":
    run(main)
