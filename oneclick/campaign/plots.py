"""Images of the campaign: the profit curve of the plan, what each offer's save rate is believed to be, and the
Qini curves of a past campaign."""

import matplotlib.pyplot as plt

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
    """Per offer: the prior's 90 % interval, each read-out's measured save rate with its 95 % interval, the pooled
    posterior's 90 % interval, and the rate of each customer group where the rate differs across customers."""
    groups_of = {name: e["groups"] for name, e in learned["offers"].items()}
    learned = learned["offers"]
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
        ax.plot([prior["low90"], prior["high90"]], [row - 0.3] * 2, color="#7f7f7f", linewidth=3,
                label=label("prior, 90 %"))
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
        for rate in groups_of[name].values():
            ax.plot(rate, row + 0.42, "v", color="#2ca02c", markersize=6, label=label("a customer group's rate"))
    ax.set_yticks(range(len(names)), [n if learned[n]["in_plan"] else f"{n} (out of the plan)" for n in names])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("save rate: share of would-be decliners the offer keeps")
    ax.set_xlim(-0.5, 1)
    ax.invert_yaxis()
    ax.set_title("Save rate per offer: assumed, measured, now used")
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    save_figure(fig, path)


def qini_image(curves, campaign: str, path) -> None:
    """One panel per offer: the Qini curve of the plan's order (response.qini) with its 5-95 % band, and the straight
    line a random order would give. An offer without control customers among its contacts has no curve."""
    offers = [o for o in dict.fromkeys(curves["offer"]) if curves.loc[curves["offer"] == o, "qini"].notna().any()]
    fig, axes = plt.subplots(1, max(len(offers), 1), figsize=(3.2 * max(len(offers), 1), 3.4), squeeze=False,
                             sharey=True)
    for ax, offer in zip(axes[0], offers, strict=False):
        c = curves[curves["offer"] == offer]
        ax.fill_between(c["fraction"], c["low"], c["high"], color="#1f77b4", alpha=0.2, label="5-95 %")
        ax.plot(c["fraction"], c["qini"], color="#1f77b4", label="the plan's order")
        ax.plot(c["fraction"], c["random"], color="grey", linestyle="--", linewidth=1, label="random order")
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_title(offer, fontsize=9)
        ax.set_xlabel("share of the offer's customers")
    axes[0][0].set_ylabel("customers kept beyond the control's rate")
    axes[0][0].legend(loc="upper left", frameon=False, fontsize=7)
    fig.suptitle(f"Qini curves of campaign {campaign}: did the plan rank first the customers the offer moves?",
                 fontsize=10, y=1.04)
    save_figure(fig, path)
