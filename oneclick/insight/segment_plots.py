"""Images of the segments: probability vs profit, and how each segment differs from the rest."""

import math

import matplotlib.pyplot as plt
import pandas as pd

from oneclick.insight.segments import direction_words
from oneclick.plots import save_figure

COLOURS = ("#d62728", "#ff7f0e", "#2ca02c", "#7f7f7f")  # in segments.CELLS order: priority red


def shown_customers(table: pd.DataFrame, points: int) -> pd.DataFrame:
    """The customers the scatter plots show: all of them up to `points`, else every k-th in id order.

    A store of a million customers would put a million points into the `dvc plots` page and the image;
    a systematic sample needs no seed and keeps each segment's share.
    """
    step = max(1, math.ceil(len(table) / points))
    return table.sort_values("id", kind="stable").iloc[::step]


def scatter(shown: pd.DataFrame, summary: pd.DataFrame, thresholds: dict, path) -> None:
    """`shown` (shown_customers) as points; the legend counts every customer of a segment (`summary`)."""
    fig, ax = plt.subplots(figsize=(8, 5.5))
    for colour, name, customers in zip(COLOURS, summary["segment"], summary["customers"], strict=True):
        part = shown[shown["segment"] == name]
        ax.scatter(part["probability"], part["profit"], s=10, alpha=0.7, color=colour, label=f"{name} ({customers})")
    ax.axvline(thresholds["risk"], color="black", linestyle="--", linewidth=1)
    ax.axhline(thresholds["profit"], color="black", linestyle=":", linewidth=1)
    ax.set_xlabel(f"probability of buying less (high risk: >= {thresholds['risk']:g})")
    ax.set_ylabel(f"profit, thousand roubles (high profit: >= {thresholds['profit']:.2f})")
    total = int(summary["customers"].sum())
    sampled = f"\n({len(shown)} of {total} customers shown: every k-th by id)" if len(shown) < total else ""
    ax.set_title("Customers by risk and profit" + sampled)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    save_figure(fig, path)


def profile_bars(profile: pd.DataFrame, summary: pd.DataFrame, top: int, path) -> None:
    """Top features per segment by effect size; bar colour says how SHAP says the feature moves risk."""
    names = [n for n in summary["segment"] if (profile["segment"] == n).any()]
    fig, axes = plt.subplots(len(names), 1, figsize=(8, 2.2 * max(len(names), 1)), squeeze=False)
    palette = {1: "#d62728", -1: "#1f77b4", 0: "#7f7f7f"}
    for ax, name in zip(axes[:, 0], names, strict=True):
        rows = profile[(profile["segment"] == name) & (profile["rank"] <= top)].iloc[::-1]
        ax.barh(rows["feature"], rows["effect"], color=[palette[int(d)] for d in rows["shap_direction"]])
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(f"{name}: how it differs from the rest (effect size)", fontsize=10)
        ax.tick_params(labelsize=8)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in palette.values()]
    fig.legend(handles, [f"SHAP: {direction_words(d)}" for d in palette], loc="lower center", ncol=3,
               fontsize=8, frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    save_figure(fig, path)
