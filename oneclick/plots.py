"""Matplotlib images that are byte-identical run to run (no dates, fixed fonts/hash salt)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from oneclick.common.io import atomic_path  # noqa: E402

matplotlib.rcParams["svg.hashsalt"] = "oneclick"
matplotlib.rcParams["figure.dpi"] = 100

# no creation date or software version in the files, so DVC never sees a change for nothing
METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}


def save_figure(fig, path) -> None:
    """Write `fig` to `path` (PNG or SVG by suffix) atomically and close it."""
    kind = str(path).rsplit(".", 1)[-1].lower()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=kind, metadata=METADATA[kind], bbox_inches="tight")
    plt.close(fig)


# +1 / -1 / 0 of an importance table's `direction`: raises the risk of "decreased", lowers it, no clear sign
DIRECTION_COLORS = {1: "#c0392b", -1: "#2e6da4", 0: "#999999"}
DIRECTION_NAMES = {1: "higher value → more likely decreased", -1: "higher value → less likely decreased",
                   0: "no clear direction"}


def horizontal_bars(ax, labels, values, colors, errors=None) -> None:
    """Bars top-down in the given order (the first label on top), values printed at the bar ends."""
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, xerr=errors, color=colors, capsize=3 if errors is not None else 0)
    ax.set_yticks(positions, labels)
    for y, value in zip(positions, values, strict=True):
        ax.annotate(f"{value:.3g}", (value, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.margins(x=0.15)
