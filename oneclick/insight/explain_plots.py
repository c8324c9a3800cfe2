"""Figures of the explain stage: SHAP beeswarm, mean |SHAP| bars, dependence of the top features, permutation bars.

Drawn with plain matplotlib rather than shap.plots: shap's beeswarm jitters with an unseeded random generator,
and the images must be byte-identical run to run.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from oneclick.data.columns import NUMERIC
from oneclick.insight.explain import PERMUTATION_EXPLAINER, ShapResult
from oneclick.labels import label
from oneclick.plots import DIRECTION_COLORS, DIRECTION_NAMES, horizontal_bars

OUTPUT_UNITS = {"probability": "probability of decreased", "log-odds": "log-odds of decreased"}


def _title(result: ShapResult, what: str) -> str:
    how = "permutation SHAP" if result.explainer == PERMUTATION_EXPLAINER else result.explainer
    return f"{what}\n{result.family} explained by {how} on the test part ({len(result.values)} rows)"


def swarm_offsets(values: np.ndarray, bins: int = 100, width: float = 0.4) -> np.ndarray:
    """Vertical offsets that stack points with similar values side by side, deterministically."""
    span = values.max() - values.min()
    if span == 0:
        bucket = np.zeros(len(values), dtype=int)
    else:
        bucket = np.round(bins * (values - values.min()) / span).astype(int)
    offsets = np.zeros(len(values))
    layer, last = 0, None
    for i in np.lexsort((values, bucket)):
        layer = 0 if bucket[i] != last else layer + 1
        offsets[i] = np.ceil(layer / 2) * (1 if layer % 2 else -1)
        last = bucket[i]
    peak = np.abs(offsets).max()
    return offsets * (width / peak) if peak else offsets


def _color_scale(column: np.ndarray) -> np.ndarray:
    """Feature values mapped to 0..1 by their 5th-95th percentile, so a few outliers do not wash the colours out."""
    low, high = np.percentile(column, [5, 95])
    if high == low:
        low, high = column.min(), column.max()
    return np.clip((column - low) / (high - low), 0, 1) if high > low else np.full(len(column), 0.5)


def beeswarm(result: ShapResult, importance: pd.DataFrame, top: int):
    features = importance["feature"].head(top).tolist()
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(features) + 1.8))
    index = {f: j for j, f in enumerate(result.features)}
    for row, feature in enumerate(features):
        j = index[feature]
        y = len(features) - 1 - row
        points = ax.scatter(result.values[:, j], y + swarm_offsets(result.values[:, j]), s=9,
                            c=_color_scale(result.data[:, j]), cmap="coolwarm", vmin=0, vmax=1, linewidths=0)
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_yticks(range(len(features))[::-1], features)
    ax.set_xlabel(f"SHAP value (effect on the {OUTPUT_UNITS[result.output]})")
    ax.set_title(_title(result, f"How each feature moves the prediction (top {len(features)})"))
    bar = fig.colorbar(points, ax=ax, ticks=[0, 1], aspect=30)
    bar.ax.set_yticklabels(["low", "high"])
    bar.set_label("feature value")
    return fig


def importance_bars(result: ShapResult, importance: pd.DataFrame, top: int):
    shown = importance.head(top)
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(shown) + 1.8))
    horizontal_bars(ax, shown["feature"].tolist(), shown["importance"].to_numpy(),
                    [DIRECTION_COLORS[d] for d in shown["direction"]])
    ax.set_xlabel(f"mean |SHAP value| ({OUTPUT_UNITS[result.output]})")
    ax.set_title(_title(result, f"Feature importance, mean |SHAP| (top {len(shown)})"))
    ax.legend(handles=[Patch(color=DIRECTION_COLORS[d], label=DIRECTION_NAMES[d]) for d in (1, -1, 0)],
              loc="lower right", fontsize=8)
    return fig


def dependence(result: ShapResult, importance: pd.DataFrame, X_test: pd.DataFrame, count: int):
    """SHAP value against the feature's own value (unscaled for numeric columns) for the `count` top features."""
    features = importance["feature"].head(count).tolist()
    fig, axes = plt.subplots(1, len(features), figsize=(4.6 * len(features), 4), squeeze=False)
    for ax, feature in zip(axes[0], features, strict=True):
        j = result.features.index(feature)
        x = X_test[feature].to_numpy(dtype=float) if feature in NUMERIC else result.data[:, j]
        ax.scatter(x, result.values[:, j], s=10, alpha=0.6, color="#2e6da4", linewidths=0)
        ax.axhline(0, color="#555555", linewidth=0.8)
        ax.set_xlabel(label(feature) if feature in NUMERIC else f"{feature} (encoded value)")
        ax.set_ylabel(f"SHAP value ({OUTPUT_UNITS[result.output]})")
        ax.set_title(feature)
    fig.suptitle(_title(result, f"Dependence of the prediction on the top {len(features)} features"))
    fig.tight_layout()
    return fig


def permutation_bars(permutation: pd.DataFrame, model_name: str):
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(permutation) + 1.8))
    horizontal_bars(ax, permutation["column"].tolist(), permutation["importance"].to_numpy(), "#7f8c8d",
                    errors=permutation["std"].to_numpy())
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_xlabel("drop in test ROC-AUC when the column is shuffled (mean ± std over repeats)")
    ax.set_title(f"Permutation importance of the raw model-table columns ({model_name}, test part)\n"
                 "one bar per input column: a one-hot column's categories are shuffled together")
    return fig


def explain_figures(result: ShapResult, importance: pd.DataFrame, permutation: pd.DataFrame, X_test: pd.DataFrame,
                    model_name: str, p: dict) -> dict:
    """{file name under plots/explain/: figure}."""
    return {
        "shap_beeswarm.png": beeswarm(result, importance, p["plot_features"]),
        "shap_bar.png": importance_bars(result, importance, p["plot_features"]),
        "shap_dependence.png": dependence(result, importance, X_test, p["dependence_features"]),
        "permutation_importance.png": permutation_bars(permutation, model_name),
    }
