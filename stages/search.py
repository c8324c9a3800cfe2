"""Stage search@<part>-<model>: tune one model of params.yaml `models` by CV ROC-AUC on one part (train, or every
labelled customer): its CV record and the fold scores of its best candidate. No model is fitted here: the select
stage refits the part's winner."""

import sys

import pandas as pd

from oneclick.common import paths
from oneclick.common.cli import run
from oneclick.common.io import write_json
from oneclick.model.cluster import cluster
from oneclick.model.features import xy
from oneclick.model.pipeline import check_features, check_model
from oneclick.model.search import check_cv, run_search
from oneclick.params import load_params


def main():
    part, name = sys.argv[1:3]
    params = load_params(lambda p: check_model(p, name), check_features, check_cv)
    spec = params["models"][name]
    X, y = xy(pd.read_csv(paths.part_data(part), index_col="id"))  # ids as the index: the fold scores name them
    with cluster(params["cv"]):  # cv.backend: dask; nothing for threads
        record, folds, timing = run_search(f"{part}-{name}", spec, params["features"], params["cv"], X, y)
    write_json(paths.cv_metrics(part, name), {**record, "model": name})
    write_json(paths.cv_folds(part, name), {"model": name, **folds})
    write_json(paths.search_timing(part, name), timing)  # not a DVC output: seconds differ run to run


if __name__ == "__main__":
    run(main)
