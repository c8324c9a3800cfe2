"""Stage split: stratified train/test split of the model table."""

import pandas as pd
from sklearn.model_selection import train_test_split

from oneclick.cli import run
from oneclick.columns import TARGET
from oneclick.io import write_csv
from oneclick.params import load_params


def main():
    p = load_params()["split"]
    table = pd.read_csv("data/processed/labelled.csv")
    train, test = train_test_split(table, test_size=p["test_size"], random_state=p["seed"],
                                   stratify=table[TARGET])
    write_csv("data/processed/train.csv", train.sort_values("id"))
    write_csv("data/processed/test.csv", test.sort_values("id"))


if __name__ == "__main__":
    run(main)
