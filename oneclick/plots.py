"""Matplotlib images that are byte-identical run to run (no dates, fixed fonts/hash salt)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from oneclick.io import atomic_path  # noqa: E402

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
