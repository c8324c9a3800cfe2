"""Stage search@<part>-<model>: tune one model of params.yaml `models` by CV ROC-AUC on one part
(train, or every labelled customer), and refit the best candidate on the whole part."""

import sys

import pandas as pd

from oneclick.cli import run
from oneclick.cluster import cluster
from oneclick.features import xy
from oneclick.io import write_json
from oneclick.model_file import save_model
from oneclick.params import load_params
from oneclick.search import run_search
from oneclick.selection import candidate_path, cv_record_path, data_path, fold_scores_path


def main():
    part, name = sys.argv[1:3]
    params = load_params()
    spec = params["models"][name]
    X, y = xy(pd.read_csv(data_path(part), index_col="id"))  # ids as the index: the fold scores name them
    with cluster(params["cv"]):  # cv.backend: dask; nothing for threads
        pipeline, record, folds, timing = run_search(f"{part}-{name}", spec, params["features"], params["cv"], X, y)
    save_model(candidate_path(part, name), pipeline, name, spec["search"].get("subsample"), record["train_rows"], part)
    write_json(cv_record_path(part, name), {**record, "model": name})
    write_json(fold_scores_path(part, name), {"model": name, **folds})
    write_json(f"logs/timing/search_{part}_{name}.json", timing)  # not a DVC output: seconds differ run to run


if __name__ == "__main__":
    run(main)
