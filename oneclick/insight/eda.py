"""Exploratory plots and a summary table of the model table, always split by target class."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from oneclick.common.checks import number, section
from oneclick.data.columns import MONEY_PERIODS, NOMINAL, NUMERIC, ORDINAL, TARGET, TIME_PERIODS, WIDE_COLUMNS
from oneclick.labels import CLASS_NAMES, label
from oneclick.markdown import markdown_table

CLASS_COLORS = {0: "#2e6da4", 1: "#c0392b"}
DIGITS = 4

# one image per group; every numeric feature is in exactly one group (a test checks it)
NUMERIC_GROUPS = {
    "marketing": ["marketing_6m", "marketing_current"],
    "customer": ["tenure_days", "promo_share"],
    "site_behaviour": ["categories_per_visit", "pages_per_visit", "unpaid_items_quarter", "service_errors"],
    "revenue": [f"revenue_{p}" for p in MONEY_PERIODS.values()],
    "minutes": [f"minutes_{p}" for p in TIME_PERIODS.values()],
}
CATEGORICAL = list(ORDINAL) + NOMINAL


def _by_class(table: pd.DataFrame, column: str) -> dict[int, np.ndarray]:
    return {k: table.loc[table[TARGET] == k, column].to_numpy(dtype=float) for k in CLASS_NAMES}


def _bin_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """One bin per integer for counts with few values, so no bar straddles two integers; else `bins` equal bins."""
    low, high = values.min(), values.max()
    if np.all(values == np.round(values)) and high - low <= 2 * bins:
        return np.arange(low - 0.5, high + 1.5)
    return np.linspace(low, high, bins + 1)


def numeric_figure(table: pd.DataFrame, columns: list[str], group: str, bins: int, iqr_k: float):
    """Per feature: histogram as a share of each class, and box plots whose whiskers follow the IQR rule."""
    fig, axes = plt.subplots(len(columns), 2, figsize=(12, 3.2 * len(columns)), squeeze=False,
                             gridspec_kw={"width_ratios": [2, 1]})
    for (hist_ax, box_ax), column in zip(axes, columns, strict=True):
        groups = _by_class(table, column)
        edges = _bin_edges(table[column].to_numpy(dtype=float), bins)
        for k, values in groups.items():
            hist_ax.hist(values, bins=edges, weights=np.full(len(values), 1 / len(values)), alpha=0.55,
                         color=CLASS_COLORS[k], label=f"{CLASS_NAMES[k]}, n={len(values)}")
        hist_ax.set_xlabel(label(column))
        hist_ax.set_ylabel("share of the class")
        hist_ax.legend(fontsize=8)
        box = box_ax.boxplot(list(groups.values()), tick_labels=[CLASS_NAMES[k].split(" (")[0] for k in groups],
                             whis=iqr_k, patch_artist=True, flierprops={"markersize": 3})
        for patch, k in zip(box["boxes"], groups, strict=True):
            patch.set_facecolor(CLASS_COLORS[k])
            patch.set_alpha(0.55)
        box_ax.set_ylabel(label(column).split(" — ")[0])
        box_ax.set_title(f"whiskers: {iqr_k} × IQR", fontsize=9)
    fig.suptitle(f"Numeric features by target class: {group.replace('_', ' ')}", fontsize=13)
    fig.tight_layout()
    return fig


def categorical_figure(table: pd.DataFrame):
    """Customers per category and class, with the share of "decreased" in each category."""
    heights = [table[c].nunique() for c in CATEGORICAL]
    fig, axes = plt.subplots(len(CATEGORICAL), 1, figsize=(11, 1.1 * sum(heights) + 1.5 * len(CATEGORICAL)),
                             gridspec_kw={"height_ratios": heights}, squeeze=False, layout="constrained")
    for ax, column in zip(axes[:, 0], CATEGORICAL, strict=True):
        counts = pd.crosstab(table[column], table[TARGET]).reindex(columns=list(CLASS_NAMES), fill_value=0)
        counts = counts.sort_index()
        positions = np.arange(len(counts))[::-1]
        for offset, k in ((0.2, 0), (-0.2, 1)):
            ax.barh(positions + offset, counts[k], height=0.4, color=CLASS_COLORS[k], alpha=0.8, label=CLASS_NAMES[k])
        share = counts[1] / counts.sum(axis=1)
        ax.set_yticks(positions, [f"{c}  ({s:.0%} decreased)" for c, s in zip(counts.index, share, strict=True)])
        ax.set_title(label(column), fontsize=10)
        ax.set_xlabel("customers")
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle("Categorical features: customers by target class", fontsize=13)
    return fig


def periods_figure(table: pd.DataFrame, iqr_k: float):
    """Revenue per month and minutes per month, side by side for the two classes."""
    series = {"revenue": MONEY_PERIODS, "minutes": TIME_PERIODS}
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [3, 2]})
    for ax, (value, periods) in zip(axes, series.items(), strict=True):
        for offset, k in ((-0.2, 0), (0.2, 1)):
            data = [table.loc[table[TARGET] == k, f"{value}_{p}"].to_numpy(dtype=float) for p in periods.values()]
            box = ax.boxplot(data, positions=np.arange(len(periods)) + offset, widths=0.35, whis=iqr_k,
                             patch_artist=True, flierprops={"markersize": 3}, tick_labels=[""] * len(periods))
            for patch in box["boxes"]:
                patch.set_facecolor(CLASS_COLORS[k])
                patch.set_alpha(0.55)
        ax.set_xticks(range(len(periods)), [f"{p}\n{raw}" for raw, p in periods.items()])
        unit = WIDE_COLUMNS[f"{value}_{next(iter(periods.values()))}"]
        ax.set_ylabel(f"{value} — {unit[0]}, {unit[2]}")
        ax.set_title(f"{value} per month by class")
        ax.margins(y=0.12)  # room for the legend above the whiskers
        ax.legend([plt.Rectangle((0, 0), 1, 1, color=CLASS_COLORS[k], alpha=0.55) for k in CLASS_NAMES],
                  list(CLASS_NAMES.values()), fontsize=8, loc="best")
    fig.suptitle("Revenue and minutes on the site per period, by target class", fontsize=13)
    fig.tight_layout()
    return fig


def eda_figures(table: pd.DataFrame, bins: int, iqr_k: float) -> dict:
    """{file name under plots/eda/: figure}."""
    figures = {f"numeric_{g}.png": numeric_figure(table, cols, g, bins, iqr_k) for g, cols in NUMERIC_GROUPS.items()}
    figures["categorical.png"] = categorical_figure(table)
    figures["periods.png"] = periods_figure(table, iqr_k)
    return figures


def iqr_fences(values: pd.Series, k: float) -> tuple[float, float]:
    q1, q3 = values.quantile([0.25, 0.75])
    return q1 - k * (q3 - q1), q3 + k * (q3 - q1)


def summary_table(table: pd.DataFrame, iqr_k: float) -> pd.DataFrame:
    """describe() of every numeric feature per class (and for all), with outliers outside the whole column's fences."""
    rows = []
    for column in NUMERIC:
        low, high = iqr_fences(table[column], iqr_k)
        parts = [(CLASS_NAMES[k], table.loc[table[TARGET] == k, column]) for k in CLASS_NAMES]
        for name, values in [*parts, ("all", table[column])]:
            stats = values.describe()
            outliers = int(((values < low) | (values > high)).sum())
            rows.append({"feature": column, "class": name, "count": int(stats["count"]),
                         **{s: round(float(stats[s]), DIGITS) for s in ("mean", "std", "min", "25%", "50%", "75%",
                                                                        "max")},
                         "iqr_low": round(float(low), DIGITS), "iqr_high": round(float(high), DIGITS),
                         "outliers": outliers})
    return pd.DataFrame(rows)


def summary_markdown(summary: pd.DataFrame, iqr_k: float) -> str:
    return (f"# EDA summary: numeric features by target class\n\n"
            f"Statistics per class (`{CLASS_NAMES[1]}` is the positive class) and for all customers. "
            f"`outliers` counts the class's values outside the whole column's fences "
            f"`iqr_low`/`iqr_high` = Q1 − {iqr_k}·IQR / Q3 + {iqr_k}·IQR.\n\n" + markdown_table(summary))


def check_params(params: dict) -> None:
    section(params, "eda", {"bins", "iqr_k"})
    number(params, "eda.bins", 2, 1000, integer=True)
    number(params, "eda.iqr_k", 0, 100)
