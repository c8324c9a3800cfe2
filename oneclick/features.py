"""Which columns the model sees, and how a table splits into X and y."""

import pandas as pd

from oneclick.columns import FEATURES, TARGET


def xy(table: pd.DataFrame):
    return table[FEATURES], table[TARGET]
