"""Stage split: stratified train/test split of the model table."""

import pandas as pd

from oneclick.cli import run
from oneclick.features import split_parts
from oneclick.io import write_csv
from oneclick.params import load_params


def main():
    split = load_params()["split"]  # first: it checks every model against scikit-learn before any work
    train, test = split_parts(pd.read_csv("data/processed/labelled.csv"), split)
    write_csv("data/processed/train.csv", train)
    write_csv("data/processed/test.csv", test)


if __name__ == "__main__":
    run(main)
