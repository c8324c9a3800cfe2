"""Optional derived features, switched on in params.yaml `features`.

They are computed inside the sklearn pipeline (its first step), so the search,
the saved model and the predict command all get them from the raw columns.
"""

import numpy as np
import pandas as pd

from oneclick.data.columns import NUMERIC

TRENDS = {  # new column: (later, earlier)
    "revenue_trend": ("revenue_current", "revenue_prev"),
    "revenue_trend_prev": ("revenue_prev", "revenue_prev2"),
    "minutes_trend": ("minutes_current", "minutes_prev"),
}
RATIOS = {  # new column: (numerator, denominator)
    "revenue_per_minute": ("revenue_current", "minutes_current"),
    "pages_per_category": ("pages_per_visit", "categories_per_visit"),
}
SKEWED_COUNTS = ["unpaid_items_quarter", "service_errors", "pages_per_visit"]  # log1p-transformed in place

TOGGLES = ("trends", "ratios", "log_counts")


def add_features(X: pd.DataFrame, trends=False, ratios=False, log_counts=False) -> pd.DataFrame:
    X = X.copy()
    if trends:
        for name, (later, earlier) in TRENDS.items():
            X[name] = X[later] - X[earlier]
    if ratios:
        for name, (num, den) in RATIOS.items():
            X[name] = X[num] / X[den].where(X[den] > 0)  # 0 in the denominator gives NaN, then 0
            X[name] = X[name].fillna(0.0)
    if log_counts:
        for name in SKEWED_COUNTS:
            X[name] = np.log1p(X[name])
    return X


def numeric_columns(trends=False, ratios=False, log_counts=False) -> list[str]:
    """The numeric columns the preprocessor scales, derived ones included."""
    return NUMERIC + (list(TRENDS) if trends else []) + (list(RATIOS) if ratios else [])
