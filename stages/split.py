"""Stage split: stratified train/test split of the model table."""

import pandas as pd

from oneclick.common.cli import run
from oneclick.common.io import write_csv
from oneclick.common.paths import LABELLED, TEST, TRAIN
from oneclick.model.features import check_split, split_parts
from oneclick.params import load_params


def main():
    split = load_params(check_split)["split"]
    train, test = split_parts(pd.read_csv(LABELLED), split)
    write_csv(TRAIN, train)
    write_csv(TEST, test)


if __name__ == "__main__":
    run(main)
