"""Which columns the model sees, and how a table splits into X and y."""

import pandas as pd
from sklearn.model_selection import train_test_split

from oneclick.common.checks import SEED, number, section
from oneclick.data.columns import FEATURES, TARGET


def xy(table: pd.DataFrame):
    return table[FEATURES], table[TARGET]


def split_parts(table: pd.DataFrame, split: dict):
    """(train, test) of the labelled customers: stratified by the target, seeded by params.yaml `split`,
    each in id order."""
    train, test = train_test_split(table, test_size=split["test_size"], random_state=split["seed"],
                                   stratify=table[TARGET])
    return train.sort_values("id"), test.sort_values("id")


def subsample(X, y, size, seed):
    """A stratified, seeded subsample of `size` rows (all rows when size is None or larger)."""
    if size is None or size >= len(y):
        return X, y
    X_sub, _, y_sub, _ = train_test_split(X, y, train_size=size, stratify=y, random_state=seed)
    return X_sub, y_sub


def check_split(params: dict) -> None:
    section(params, "split", {"test_size", "seed"})
    number(params, "split.test_size", 0.05, 0.95)
    number(params, "split.seed", 0, SEED, integer=True)
