"""Turn the validated raw frames into one model table, one row per customer.

Revenue (3 periods) and minutes (2 periods) are pivoted wide and joined on id.
Rows are only ever removed by a named rule, and every removal is returned
with its reason, so nothing vanishes silently.
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
from oneclick.data.load import examples

NO_REVENUE = "no revenue in at least one of the 3 months"
OUTLIER = "revenue above prepare.revenue_max"


def _pivot(long: pd.DataFrame, file_name: str, value: str, periods: dict[str, str]) -> pd.DataFrame:
    """One column per period; every customer must have exactly one row per period."""
    dup = long[long.duplicated(["id", "period"], keep=False)]
    if len(dup):
        pairs = sorted(set(zip(dup["id"], dup["period"], strict=True)))
        raise DataError(f"{file_name}: columns 'id', 'Период': repeated (id, period) pairs {examples(pairs)}")
    wide = long.pivot(index="id", columns="period", values=value)
    incomplete = wide[wide.isna().any(axis=1)]
    if len(incomplete):
        raise DataError(f"{file_name}: column 'Период': customers without a row for every period "
                        f"{list(periods)}: ids {examples(incomplete.index.tolist())}")
    wide = wide[list(periods)].rename(columns={raw: f"{value}_{p}" for raw, p in periods.items()})
    wide.columns.name = None
    return wide.astype(long[value].dtype)


def _check_ids(frames: dict[str, pd.DataFrame]) -> None:
    base = set(frames[MARKET_FILE.name]["id"])
    for name, df in frames.items():
        ids = set(df["id"])
        if ids != base:
            only_here, only_market = sorted(ids - base), sorted(base - ids)
            parts = []
            if only_here:
                parts.append(f"ids not in {MARKET_FILE.name}: {examples(only_here)}")
            if only_market:
                parts.append(f"ids of {MARKET_FILE.name} missing here: {examples(only_market)}")
            raise DataError(f"{name}: column 'id': " + "; ".join(parts))


def build_table(frames: dict[str, pd.DataFrame], revenue_max: float):
    """Return (kept, excluded, profit): model table, excluded ids with reason, profit by id."""
    _check_ids(frames)
    revenue = _pivot(frames[MARKET_MONEY.name], MARKET_MONEY.name, "revenue", MONEY_PERIODS)
    minutes = _pivot(frames[MARKET_TIME.name], MARKET_TIME.name, "minutes", TIME_PERIODS)
    table = frames[MARKET_FILE.name].set_index("id").join(revenue).join(minutes)
    table = table[[c for c in table.columns if c not in WIDE_COLUMNS] + list(WIDE_COLUMNS)]

    revenue_cols = list(revenue.columns)
    reason = pd.Series(pd.NA, index=table.index, dtype="str")
    reason[(table[revenue_cols] > revenue_max).any(axis=1)] = OUTLIER
    reason[(table[revenue_cols] == 0).any(axis=1)] = NO_REVENUE  # takes precedence
    excluded = reason.dropna().rename("reason").reset_index()
    kept = table[reason.isna()].reset_index()

    profit = frames[MONEY.name] if MONEY.name in frames else None
    return kept, excluded, profit


def repeated_except_id(table: pd.DataFrame) -> int:
    """Rows equal to another row in every column but id: different customers, kept."""
    return int(table.drop(columns="id").duplicated(keep=False).sum())


def quality_record(frames, typos, kept, excluded) -> dict:
    return {
        "rows_read": {name: len(df) for name, df in frames.items()},
        "typos_fixed": typos,
        "rows_dropped": {r: int((excluded["reason"] == r).sum()) for r in (NO_REVENUE, OUTLIER)},
        "rows_kept": len(kept),
        "rows_repeating_all_but_id": repeated_except_id(frames[MARKET_FILE.name]),
        "target_share_decreased": round(float(kept["activity_decreased"].mean()), 4)
        if "activity_decreased" in kept else None,
    }


def check_params(params: dict) -> None:
    section(params, "prepare", {"revenue_max"})
    number(params, "prepare.revenue_max", 0, float("inf"))
