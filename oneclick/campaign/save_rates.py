"""Each offer's save rate as a Beta: the prior of params, updated by the read-outs of past campaigns.

The posterior of a save rate s given campaigns' counts (control decliners of control, treated decliners of
treated) multiplies the prior's density by each campaign's likelihood, in which the control group's decline
rate p is a nuisance integrated out under a flat prior and treated customers decline with p (1 - s). It is
computed on a grid and summarized as the Beta with the same mean and variance, so the plan reads two numbers
per offer, as it reads the prior's. An offer whose latest read-out says it harms or has no detectable effect
(with enough customers to have seen the assumed one) leaves the plan.
"""

import numpy as np

GRID = 400  # grid points per axis
DIGITS = 4
DROPPED = ("harms", "no detectable effect")


def posterior_grid(counts: list[tuple[int, int, int, int]], alpha: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """(save-rate grid, posterior weights) of Beta(alpha, beta) times, per campaign, the likelihood of
    (control decliners, control, treated decliners, treated), the control decline rate p integrated out under a
    flat prior: treated customers decline with p (1 - s)."""
    s = (np.arange(GRID) + 0.5) / GRID
    p = (np.arange(4 * GRID) + 0.5) / (4 * GRID)  # finer: the control rate is known better than s
    log_post = (alpha - 1) * np.log(s) + (beta - 1) * np.log1p(-s)
    for dc, nc, dt, nt in counts:
        treated_rate = p[None, :] * (1 - s[:, None])  # s x p
        log_lik = (dc * np.log(p) + (nc - dc) * np.log1p(-p))[None, :] \
            + dt * np.log(treated_rate) + (nt - dt) * np.log1p(-treated_rate)
        top = log_lik.max(axis=1, keepdims=True)
        log_post += (top + np.log(np.exp(log_lik - top).mean(axis=1, keepdims=True)))[:, 0]
    weights = np.exp(log_post - log_post.max())
    return s, weights / weights.sum()


def beta_of(s: np.ndarray, weights: np.ndarray) -> dict:
    """The Beta with the grid posterior's mean and variance, and the posterior's 90 % interval."""
    mean = float((s * weights).sum())
    var = float((((s - mean) ** 2) * weights).sum())
    common = mean * (1 - mean) / var - 1 if var > 0 else 1e6
    cdf = np.cumsum(weights)
    low, high = s[np.searchsorted(cdf, 0.05)], s[min(np.searchsorted(cdf, 0.95), len(s) - 1)]
    return {"alpha": round(mean * common, DIGITS), "beta": round((1 - mean) * common, DIGITS),
            "mean": round(mean, DIGITS), "low90": round(float(low), DIGITS), "high90": round(float(high), DIGITS)}


def learn(offers: dict, readouts: dict[str, dict]) -> dict:
    """metrics/save_rates.json: per offer (params `campaign.offers`) its text and cost, its prior, the campaigns
    that measured it, the posterior, and whether it stays in the plan (with the reason if not). `readouts`:
    name -> read-out, in the order they happened."""
    out = {}
    for name, offer in offers.items():
        alpha, beta = offer["save_rate"]["alpha"], offer["save_rate"]["beta"]
        measured = {campaign: r["offers"][name] for campaign, r in readouts.items()
                    if name in r["offers"] and r["offers"][name].get("control_found")
                    and r["offers"][name].get("treated_found")}
        counts = [(m["control_declined"], m["control_found"], m["treated_declined"], m["treated_found"])
                  for m in measured.values()]
        entry = {"text": offer["text"], "cost": offer["cost"],
                 "prior": {"alpha": alpha, "beta": beta, "mean": round(alpha / (alpha + beta), DIGITS)},
                 "campaigns": list(measured)}
        entry["posterior"] = beta_of(*posterior_grid(counts, alpha, beta)) if counts else \
            {**entry["prior"], "low90": None, "high90": None}
        last = list(measured.items())[-1] if measured else None
        entry["in_plan"] = not (last and last[1]["verdict"] in DROPPED)
        if not entry["in_plan"]:
            entry["reason"] = f"campaign {last[0]}: {last[1]['verdict']}"
        out[name] = entry
    return out


def plan_rates(learned: dict) -> dict:
    """What the plan reads: offer -> {alpha, beta, in_plan} (the posterior)."""
    return {name: {"alpha": e["posterior"]["alpha"], "beta": e["posterior"]["beta"], "in_plan": e["in_plan"]}
            for name, e in learned.items()}


def save_rate_rows(learned: dict, readouts: dict):
    """plots/save_rates.csv: per offer its prior's mean, each campaign's measured save rate, and the posterior's
    mean, labelled `<source> · <offer>`, so `dvc plots` shows campaigns side by side (a DataFrame)."""
    import pandas as pd

    rows = []
    for offer, entry in learned.items():
        rows.append({"bar": f"prior · {offer}", "save_rate": entry["prior"]["mean"]})
        for campaign in entry["campaigns"]:
            measured = readouts[campaign]["offers"][offer].get("save_rate")
            if measured is not None:
                rows.append({"bar": f"{campaign} · {offer}", "save_rate": measured})
        rows.append({"bar": f"used · {offer}", "save_rate": entry["posterior"]["mean"]})
    return pd.DataFrame(rows, columns=["bar", "save_rate"])
