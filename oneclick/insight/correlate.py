"""Phik correlation of the model table (target included) and the variance inflation factor of numeric features."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from phik import phik_matrix
from sklearn.linear_model import LinearRegression

from oneclick.common.checks import get, number, require, section
from oneclick.data.columns import FEATURES, NUMERIC, TARGET

DIGITS = 4


def correlation_matrix(table: pd.DataFrame, interval_columns: list[str], bins: int) -> pd.DataFrame:
    """Phik of every feature pair and the target; `interval_columns` are binned, the rest taken as categories."""
    # njobs=1: phik's default starts a process pool, which costs more than the whole matrix at this size
    return phik_matrix(table[FEATURES + [TARGET]], interval_cols=list(interval_columns), bins=bins,
                       njobs=1).round(DIGITS)


def feature_pairs(matrix: pd.DataFrame) -> pd.DataFrame:
    """Every pair of features (the target left out), strongest first; ties by name."""
    features = [c for c in matrix.columns if c != TARGET]
    rows = [(a, b, float(matrix.loc[a, b])) for i, a in enumerate(features) for b in features[i + 1:]]
    pairs = pd.DataFrame(rows, columns=["feature_a", "feature_b", "phik"])
    return pairs.sort_values(["phik", "feature_a", "feature_b"], ascending=[False, True, True],
                             kind="stable").reset_index(drop=True)


def vif_table(table: pd.DataFrame, columns: list[str] = NUMERIC) -> pd.DataFrame:
    """VIF = 1 / (1 - R²) of each column regressed on the others (ordinary least squares with intercept)."""
    X = table[columns].to_numpy(dtype=float)
    rows = []
    for j, column in enumerate(columns):
        others = np.delete(X, j, axis=1)
        r2 = LinearRegression().fit(others, X[:, j]).score(others, X[:, j])
        rows.append((column, round(float(r2), DIGITS), round(1 / (1 - r2), DIGITS) if r2 < 1 else float("inf")))
    vif = pd.DataFrame(rows, columns=["feature", "r2", "vif"])
    return vif.sort_values(["vif", "feature"], ascending=[False, True], kind="stable").reset_index(drop=True)


def summary(matrix: pd.DataFrame, pairs: pd.DataFrame, vif: pd.DataFrame, threshold: float) -> dict:
    """metrics/correlation.json: the strongest pair, the largest VIF, and the feature closest to the target."""
    top, worst = pairs.iloc[0], vif.iloc[0]
    target = matrix[TARGET].drop(TARGET).sort_values(ascending=False, kind="stable")
    return {
        "max_pair": {"features": [top["feature_a"], top["feature_b"]], "phik": float(top["phik"])},
        "max_vif": {"feature": worst["feature"], "vif": float(worst["vif"])},
        "pairs_above_threshold": int((pairs["phik"] >= threshold).sum()),
        "threshold": threshold,
        "max_target": {"feature": target.index[0], "phik": float(target.iloc[0])},
    }


def heatmap(matrix: pd.DataFrame, interval_columns: list[str]):
    fig, ax = plt.subplots(figsize=(11, 9.5))
    image = ax.imshow(matrix.to_numpy(), cmap="Blues", vmin=0, vmax=1)
    ticks = range(len(matrix.columns))
    names = [f"{c} *" if c in interval_columns else c for c in matrix.columns]
    ax.set_xticks(ticks, names, rotation=60, ha="right")
    ax.set_yticks(ticks, names)
    for i in ticks:
        for j in ticks:
            value = matrix.iat[i, j]
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if value > 0.6 else "black")
    fig.colorbar(image, ax=ax, fraction=0.04, label="phik (0 = independent, 1 = fully dependent)")
    ax.set_title(f"Phik correlation of the model table, target {TARGET} included\n"
                 "* interval columns (binned); the others are taken as categories")
    return fig


def check_params(params: dict) -> None:
    section(params, "correlate", {"interval_columns", "bins", "threshold"})
    number(params, "correlate.bins", 2, 1000, integer=True)
    number(params, "correlate.threshold", 0, 1)
    interval = get(params, "correlate.interval_columns")
    require(isinstance(interval, list) and set(interval) <= set(NUMERIC), "correlate.interval_columns",
            f"must be a list of numeric model-table columns {NUMERIC}, got {interval!r}")
