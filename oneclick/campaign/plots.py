"""Images of the campaign: the profit curve of the plan, and what each offer's save rate is believed to be."""

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import betaincinv

from oneclick.plots import save_figure


def profit_curve_image(curve: list[dict], summary: dict, path) -> None:
    """Cumulative expected profit in the plan's order, the band of the save-rate priors, and where it stops."""
    x = [p["customers"] for p in curve]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.fill_between(x, [p["low"] for p in curve], [p["high"] for p in curve], color="#1f77b4", alpha=0.2,
                    label="5-95 % over the save-rate priors")
    ax.plot(x, [p["expected_profit"] for p in curve], color="#1f77b4", label="expected profit")
    ax.axvline(summary["contacts"], color="black", linestyle="--", linewidth=1,
               label=f"the plan: {summary['contacts']} customers")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("customers contacted, highest expected profit first")
    ax.set_ylabel("cumulative expected profit, thousand roubles")
    ax.set_title("What contacting more customers earns (control group counted as treated)")
    ax.legend(loc="lower left", frameon=False, fontsize=8)
    save_figure(fig, path)


def save_rates_image(learned: dict, readouts: dict, path) -> None:
    """Per offer: the prior's 90 % interval, each read-out's measured save rate with its 95 % interval, and the
    posterior's 90 % interval the plan uses."""
    names = list(learned)
    fig, ax = plt.subplots(figsize=(8, 0.8 + 0.9 * len(names)))
    labelled = set()

    def label(text):  # each kind of line named once in the legend
        if text in labelled:
            return None
        labelled.add(text)
        return text

    for row, name in enumerate(names):
        entry = learned[name]
        prior = entry["prior"]
        low, high = betaincinv(prior["alpha"], prior["beta"], np.array([0.05, 0.95]))
        ax.plot([low, high], [row - 0.3] * 2, color="#7f7f7f", linewidth=3, label=label("prior, 90 %"))
        ax.plot(prior["mean"], row - 0.3, "o", color="#7f7f7f")
        for k, campaign in enumerate(entry["campaigns"]):
            m = readouts[campaign]["offers"][name]
            if m.get("save_rate") is None:
                continue
            lo = -0.5 if m["save_rate_low"] is None else max(m["save_rate_low"], -0.5)
            ax.plot([lo, m["save_rate_high"]], [row - 0.1 + 0.1 * k] * 2, color="#ff7f0e", linewidth=2,
                    label=label("measured, 95 %"))
            ax.plot(m["save_rate"], row - 0.1 + 0.1 * k, "o", color="#ff7f0e")
        post = entry["posterior"]
        if entry["campaigns"]:
            low, high = post["low90"], post["high90"]
            ax.plot([low, high], [row + 0.3] * 2, color="#1f77b4" if entry["in_plan"] else "#d62728", linewidth=3,
                    label=label("posterior, 90 %"))
            ax.plot(post["mean"], row + 0.3, "o", color="#1f77b4" if entry["in_plan"] else "#d62728")
    ax.set_yticks(range(len(names)), [n if learned[n]["in_plan"] else f"{n} (out of the plan)" for n in names])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("save rate: share of would-be decliners the offer keeps")
    ax.set_xlim(-0.5, 1)
    ax.invert_yaxis()
    ax.set_title("Save rate per offer: assumed, measured, now used")
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    save_figure(fig, path)
