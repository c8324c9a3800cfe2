"""Stage search@<model>: tune one model of params.yaml `models` by CV ROC-AUC on the train part."""

import sys

import pandas as pd

from oneclick.cli import run
from oneclick.features import xy
from oneclick.io import write_json
from oneclick.model_file import save_model
from oneclick.params import load_params
from oneclick.search import run_search


def main():
    name = sys.argv[1]
    params = load_params()
    X, y = xy(pd.read_csv("data/processed/train.csv"))
    pipeline, record, timing = run_search(name, params["models"][name], params["features"], params["cv"], X, y)
    save_model(f"models/candidates/{name}.pkl", pipeline, name, params["models"][name]["search"].get("subsample"))
    write_json(f"metrics/cv/{name}.json", record)
    write_json(f"logs/timing/search_{name}.json", timing)  # not a DVC output: seconds differ run to run


if __name__ == "__main__":
    run(main)
