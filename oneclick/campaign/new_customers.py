"""The plan for the customers of a new export (predict): the economics of params.yaml, the save rates the campaign
stage learned and the segment thresholds the segment stage set, both checked against params.yaml."""

from pathlib import Path

import pandas as pd

from oneclick.campaign.emp import on_known_outcomes
from oneclick.campaign.offers import catalogue, save_rate_draws
from oneclick.campaign.plan import COLUMNS, make_plan
from oneclick.campaign.save_rates import check_learned, customer_rates, plan_rates
from oneclick.common.errors import DataError
from oneclick.common.io import read_json_file
from oneclick.common.paths import SAVE_RATES_METRICS, SEGMENTS_METRICS
from oneclick.data.columns import TARGET
from oneclick.insight.segments import PRIORITY, assign_segments, check_thresholds
from oneclick.monitor.in_sample import out_of_sample

OUTPUT_COLUMNS = COLUMNS[:4] + ["segment"] + COLUMNS[4:]


def learned_rates(repo: Path, spec: dict) -> dict:
    """The save rates the campaign stage wrote, checked against params.yaml's offers."""
    path = Path(repo) / SAVE_RATES_METRICS
    if not path.is_file():
        raise DataError(f"{path}: not found; run `dvc repro` (stage campaign)")
    return check_learned(read_json_file(path, "run `dvc repro` (stage campaign)"), spec["offers"], path)


def thresholds_of(repo: Path, spec: dict) -> dict:
    path = Path(repo) / SEGMENTS_METRICS
    if not path.is_file():
        raise DataError(f"{path}: not found; run `dvc repro` (stage segment)")
    thresholds = read_json_file(path, "run `dvc repro` (stage segment)")
    thresholds = thresholds.get("thresholds") if isinstance(thresholds, dict) else None
    check_thresholds(thresholds, spec, path)
    return thresholds


def plan_export(customers: pd.DataFrame, profit: pd.DataFrame | None, params: dict, repo: Path,
                campaign: str | None = None, seen=None) -> tuple:
    """(the plan's columns and the segment for every scored customer, the plan on known outcomes or None).

    The arms are drawn for `campaign` (default params `campaign.name`), each customer's save rates are those the
    campaign stage learned (metrics/save_rates.json).

    `customers`: the model table with `probability` (oneclick/monitor/export.py); `profit`: money.csv's rows, or
    None without money.csv (then every customer gets a probability and no decision). Where the export has the
    target and money, the plan is also checked on the known outcomes of the customers the model did not learn from
    (`seen`: in-sample per customer, or None): the campaign's decision metric."""
    customers = customers.merge(profit[["id", "profit"]], on="id", how="left") if profit is not None \
        else customers.assign(profit=float("nan"))
    spec = params["campaign"]
    learned = learned_rates(repo, spec)
    offers = catalogue(spec, plan_rates(learned))
    scores = make_plan(customers, spec, offers, customer_rates(learned, customers, offers), campaign)
    names = params["segment"]["names"]
    scores["segment"] = assign_segments(scores, thresholds_of(repo, params["segment"]), names)
    known = None
    fresh = out_of_sample(seen, len(scores))
    if TARGET in customers.columns and profit is not None and fresh.any():
        draws = save_rate_draws(offers, spec["draws"], spec["seed"])
        mine = scores[fresh].reset_index(drop=True)
        known = on_known_outcomes(mine, customers[TARGET][fresh].reset_index(drop=True),
                                  mine["segment"] == names[PRIORITY], draws, offers["offer"].tolist(),
                                  spec["contact_cost"], spec["seed"])
    return scores[OUTPUT_COLUMNS], known
