"""Turn an export read under the contract (oneclick/data/load.py) into one model table, one row per customer.

Revenue (3 periods) and minutes (2 periods) are pivoted wide and joined on id. Rows are only ever removed by a
named rule or set aside by the contract, and every customer removed is listed with the file, the column, the line
and the reason (`excluded_table`), so nothing vanishes silently.
"""

import pandas as pd

from oneclick.common.checks import number, section
from oneclick.common.errors import DataError
from oneclick.data.columns import (
    MARKET_FILE,
    MARKET_MONEY,
    MARKET_TIME,
    MONEY,
    MONEY_PERIODS,
    TIME_PERIODS,
    WIDE_COLUMNS,
)
from oneclick.data.load import QUARANTINE, Export

NO_REVENUE = "no revenue in at least one of the 3 months"
OUTLIER = "revenue above prepare.revenue_max"
RULES = (NO_REVENUE, OUTLIER)


def by_rule(reasons: pd.Series) -> str:
    """'3 no revenue in ..., 1 revenue above ...': how many customers each cleaning rule dropped ('' for none)."""
    return ", ".join(f"{n} {reason}" for reason, n in reasons.value_counts().sort_index().items())


def _pivot(long: pd.DataFrame, value: str, periods: dict[str, str]) -> pd.DataFrame:
    """One column per period (the contract leaves one row per customer and period)."""
    wide = long.pivot(index="id", columns="period", values=value)
    wide = wide.reindex(columns=list(periods)).rename(columns={raw: f"{value}_{p}" for raw, p in periods.items()})
    wide.columns.name = None
    return wide.astype(long[value].dtype)


def build_table(frames: dict[str, pd.DataFrame], revenue_max: float):
    """Return (kept, excluded, profit): model table, customers dropped by a rule with the reason, profit by id."""
    revenue = _pivot(frames[MARKET_MONEY.name], "revenue", MONEY_PERIODS)
    minutes = _pivot(frames[MARKET_TIME.name], "minutes", TIME_PERIODS)
    table = frames[MARKET_FILE.name].set_index("id").join(revenue, how="inner").join(minutes, how="inner")
    table = table[[c for c in table.columns if c not in WIDE_COLUMNS] + list(WIDE_COLUMNS)]

    revenue_cols = list(revenue.columns)
    reason = pd.Series(pd.NA, index=table.index, dtype="str")
    reason[(table[revenue_cols] > revenue_max).any(axis=1)] = OUTLIER
    reason[(table[revenue_cols] == 0).any(axis=1)] = NO_REVENUE  # takes precedence
    excluded = reason.dropna().rename("reason").reset_index()
    kept = table[reason.isna()].reset_index()

    profit = frames[MONEY.name] if MONEY.name in frames else None
    return kept, excluded, profit


def excluded_table(export: Export, excluded: pd.DataFrame) -> pd.DataFrame:
    """Every customer not in the model table, one row per fault or rule: QUARANTINE's columns (file, column and
    line where the contract set the customer aside; the rule and Выручка where a cleaning rule dropped them)."""
    rules = pd.DataFrame({"id": excluded["id"].astype(str), "file": MARKET_MONEY.name, "column": "Выручка",
                          "line": pd.array([pd.NA] * len(excluded), dtype="Int64"), "reason": excluded["reason"],
                          "value": ""})
    return pd.concat([export.quarantine, rules], ignore_index=True)[QUARANTINE]


def check_share(export: Export, limit: float, key: str) -> None:
    """One DataError, with the count and the reasons, when more than `limit` of the export's customers were set
    aside (`key`: the params key or option that sets the limit)."""
    share = export.excluded_share()
    if share > limit:
        raise DataError(f"{export.set_aside} of {export.customers} customers ({share:.1%}) have broken rows, more "
                        f"than {key} = {limit:g}: {export.reasons()}")


def repeated_except_id(table: pd.DataFrame) -> int:
    """Rows equal to another row in every column but id: different customers, kept."""
    return int(table.drop(columns="id").duplicated(keep=False).sum())


def quality_record(export: Export, kept, excluded) -> dict:
    return {
        "rows_read": export.rows_read,
        "typos_fixed": export.typos,
        "rows_dropped": {r: int((excluded["reason"] == r).sum()) for r in RULES},
        "quarantined": {reason: int(n) for reason, n in export.quarantined().items()},
        "extra_ids_ignored": export.extra_ids,
        "rows_kept": len(kept),
        "rows_repeating_all_but_id": repeated_except_id(export.frames[MARKET_FILE.name]),
        "target_share_decreased": round(float(kept["activity_decreased"].mean()), 4)
        if "activity_decreased" in kept else None,
        "target_decreased": int(kept["activity_decreased"].sum()) if "activity_decreased" in kept else None,
        "notes": export.notes,
    }


def check_params(params: dict) -> None:
    section(params, "prepare", {"revenue_max", "max_excluded_share", "max_excluded_share_training"})
    number(params, "prepare.revenue_max", 0, float("inf"))
    number(params, "prepare.max_excluded_share", 0, 1)
    number(params, "prepare.max_excluded_share_training", 0, 1)


