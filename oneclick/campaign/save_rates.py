"""Each offer's save rate, learned from every read-out: per offer, and per customer where the data show it differs.

A save rate is the chance that an offer keeps a customer who would otherwise buy less. Before any campaign it is
the Beta prior of params `campaign.offers`. Each read-out adds its randomized customers (planned and explored,
treated and control: oneclick/campaign/readout.py); from all of them the model of oneclick/campaign/uplift.py
learns s_o(x), a rate per offer and customer group, shrunk toward the offer's pooled rate where the groups are
thin; the plan uses each customer's own rate.

A customer treated in an earlier campaign of `readout.campaigns` (in its order) is left out of the later ones'
data (carry-over: their later outcome is not that of an untreated customer); the count is reported.

An offer leaves the plan only when all campaigns together show it harms (the difference of the decline rates,
control minus treated, pooled over the campaigns, has its whole interval below 0); it keeps its share of the
exploration, so it is measured again.
"""

import numpy as np
import pandas as pd
from scipy.special import betaincinv

from oneclick.campaign import uplift
from oneclick.common.checks import real
from oneclick.common.errors import DataError
from oneclick.stats import newcombe_difference

DIGITS = 4
SPLIT_COLUMNS_EXTRA = ["probability", "profit"]  # beside the model table's columns, what a rate may differ by


def learning_data(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, int]]:
    """The read-outs' customer tables as one, each campaign without the customers treated in an earlier one
    (listed order); and how many each campaign lost so."""
    parts, carried, treated_before = [], {}, set()
    for name, table in tables.items():
        before = table["id"].isin(treated_before)
        carried[name] = int(before.sum())
        parts.append(table[~before].assign(campaign=name))
        treated_before |= set(table.loc[table["treated"], "id"])
    return (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()), carried


def check_folders(campaigns: dict[str, str]) -> None:
    """The same campaign listed under two names would be counted twice."""
    seen = {}
    for name, folder in campaigns.items():
        key = str(folder).rstrip("/")
        if key in seen:
            raise DataError(f"params.yaml: 'readout.campaigns': {name} and {seen[key]} name the same folder {folder}; "
                            "a campaign is read out once")
        seen[key] = name


def _pooled_difference(measured: dict) -> tuple[float, float, float] | None:
    """Control minus treated decline rate, all campaigns' counts pooled, with Newcombe's interval."""
    dc = sum(m["control_declined"] for m in measured.values())
    nc = sum(m["control_found"] for m in measured.values())
    dt = sum(m["treated_declined"] for m in measured.values())
    nt = sum(m["treated_found"] for m in measured.values())
    return newcombe_difference(dc, nc, dt, nt) if nc and nt else None


def _posterior(pooled: dict) -> dict:
    """The pooled posterior as the plan uses it: the Beta matched to the grid posterior's mean and variance, with
    that Beta's 90 % interval (the one every range, break-even chance and what-if draws from, so the interval the
    report shows beside a save rate is the one they rest on)."""
    alpha, beta = round(pooled["alpha"], DIGITS), round(pooled["beta"], DIGITS)
    low, high = betaincinv(alpha, beta, [0.05, 0.95])
    return {"alpha": alpha, "beta": beta, "mean": round(pooled["mean"], DIGITS), "low90": round(float(low), DIGITS),
            "high90": round(float(high), DIGITS)}


def learn(offers: dict, readouts: dict[str, dict], tables: dict[str, pd.DataFrame], seed: int) -> dict:
    """metrics/save_rates.json: the model of each customer's rate (or none before any read-out), per offer its
    text, cost, prior, the campaigns that measured it, the pooled posterior, whether its rate differs across
    customers, and whether it stays in the plan (with the reason if not). `readouts`, `tables`: per campaign, in
    the order they happened, the read-out and its customer table."""
    names = list(offers)
    priors = {name: offers[name]["save_rate"] for name in names}
    data, carried = learning_data(tables)
    model = None
    if len(data) and data["treated"].any():
        model = uplift.fit(data, priors, uplift_columns(data), seed=seed)
    described = uplift.to_json(model) if model else None
    out = {"campaigns": list(tables), "carried_over": carried, "offers": {}, "model": described}
    for name, offer in offers.items():
        alpha, beta = offer["save_rate"]["alpha"], offer["save_rate"]["beta"]
        measured = {campaign: r["offers"][name] for campaign, r in readouts.items()
                    if name in r["offers"] and r["offers"][name].get("control_found")
                    and r["offers"][name].get("treated_found")}
        low, high = betaincinv(alpha, beta, [0.05, 0.95])
        entry = {"text": offer["text"], "cost": offer["cost"],
                 "prior": {"alpha": alpha, "beta": beta, "mean": round(alpha / (alpha + beta), DIGITS),
                           "low90": round(float(low), DIGITS), "high90": round(float(high), DIGITS)},
                 "campaigns": list(measured)}
        pooled = model["pooled"][name] if model else None
        entry["posterior"] = _posterior(pooled) if pooled and measured else dict(entry["prior"])
        groups = described["offers"][name]["leaves"] if described else []
        entry["differs"] = len(groups) > 1
        entry["groups"] = {g["where"]: g["mean"] for g in groups} if len(groups) > 1 else {}
        difference = _pooled_difference(measured) if measured else None
        entry["in_plan"] = not (difference and difference[2] < 0)
        if not entry["in_plan"]:
            entry["reason"] = (f"harms, all campaigns pooled ({', '.join(measured)}): control minus treated decline "
                               f"rate {difference[0]:+.3f} [{difference[1]:+.3f}, {difference[2]:+.3f}]")
        out["offers"][name] = entry
    return out


def uplift_columns(data: pd.DataFrame) -> list[str]:
    """The columns a save rate may differ by: the model table's features, the probability and the profit."""
    from oneclick.data.columns import FEATURES

    return [c for c in FEATURES + SPLIT_COLUMNS_EXTRA if c in data.columns]


def check_learned(learned, offers: dict, path) -> dict:
    """metrics/save_rates.json as read back (data made elsewhere), or one error naming the file: its form
    (_form_problem), and the priors of params.yaml's `offers` (else new customers would be planned with other save
    rates than the report)."""
    why = _form_problem(learned)
    if why:
        raise DataError(f"{path}: {why}; run `dvc repro` (stage campaign)")
    priors = {name: dict(o["save_rate"]) for name, o in offers.items()}
    if {name: {k: e["prior"][k] for k in ("alpha", "beta")} for name, e in learned["offers"].items()} != priors:
        raise DataError(f"{path}: made with other `campaign.offers` than params.yaml; run `dvc repro`")
    return learned


def _form_problem(learned) -> str | None:
    """What keeps the record from giving the plan its rates, or None: per offer its prior and pooled posterior
    (positive alpha and beta) and whether it is in the plan, and the model of each customer's rate
    (uplift.json_problem) or null."""
    from oneclick.data.columns import NOMINAL, NUMERIC, ORDINAL

    offers = learned.get("offers") if isinstance(learned, dict) else None
    if not isinstance(offers, dict):
        return "must be an object with the learned 'offers'"
    for name, entry in offers.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("in_plan"), bool)
                and all(isinstance(entry.get(part), dict) and real(entry[part].get(k), 1e-12)
                        for part in ("prior", "posterior") for k in ("alpha", "beta"))):
            return (f"'offers.{name}' must hold a 'prior' and a 'posterior' with positive 'alpha' and 'beta' and a "
                    "true or false 'in_plan'")
    if learned.get("model") is None:
        return None
    return uplift.json_problem(learned["model"], list(offers), NUMERIC + SPLIT_COLUMNS_EXTRA, list(ORDINAL) + NOMINAL)


def plan_rates(learned: dict) -> dict:
    """What the offer catalogue reads: offer -> {alpha, beta, in_plan} (the pooled posterior)."""
    return {name: {"alpha": e["posterior"]["alpha"], "beta": e["posterior"]["beta"], "in_plan": e["in_plan"]}
            for name, e in learned["offers"].items()}


def customer_rates(learned: dict, customers: pd.DataFrame, catalogue: pd.DataFrame) -> np.ndarray:
    """customers x offers (catalogue order): each customer's save rate: the learned model's where there is one,
    else every customer gets the offer's mean."""
    names = catalogue["offer"].tolist()
    if learned.get("model"):
        return uplift.predict_json(learned["model"], customers, names)
    return np.broadcast_to(catalogue["save_rate"].to_numpy(float), (len(customers), len(names))).copy()


def save_rate_rows(learned: dict, readouts: dict):
    """plots/save_rates.csv: per offer its prior's mean, each campaign's measured save rate, the pooled posterior's
    mean, and each customer group's rate where it differs, labelled `<source> · <offer>`, so that `dvc plots` shows
    them side by side."""
    rows = []
    for offer, entry in learned["offers"].items():
        rows.append({"bar": f"prior · {offer}", "save_rate": entry["prior"]["mean"]})
        for campaign in entry["campaigns"]:
            measured = readouts[campaign]["offers"][offer].get("save_rate")
            if measured is not None:
                rows.append({"bar": f"{campaign} · {offer}", "save_rate": measured})
        rows.append({"bar": f"pooled · {offer}", "save_rate": entry["posterior"]["mean"]})
        for where, rate in entry["groups"].items():
            rows.append({"bar": f"{where} · {offer}", "save_rate": rate})
    return pd.DataFrame(rows, columns=["bar", "save_rate"])
