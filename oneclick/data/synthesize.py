"""A seeded synthetic data set in exactly the format of the store's four files.

Values are drawn per target class from rounded summary statistics of the real
files (class means, spreads, category shares, value ranges), with one shared
"engagement" factor so that behaviour features correlate as they do in the
real data. No real row is copied. The real quirks are reproduced: CRLF line
ends, `;` and `,` decimals in money.csv, the
typos, customers with no revenue in a month, one huge revenue, and rows that
repeat every column but id.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from oneclick.common.checks import NAME, NAME_RULE, SEED, Names, get, number, require, section
from oneclick.common.io import atomic_path
from oneclick.data.columns import MARKET_FILE, MARKET_MONEY, MARKET_TIME, MONEY, NEGATIVE_LABEL, POSITIVE_LABEL

FIRST_ID = 215348
DECREASED_SHARE = 0.385

# name: (mean if kept, mean if decreased, sd if kept, sd if decreased, low, high, decimals, engagement loading)
NUMERIC_STATS = {
    "marketing_6m": (4.57, 3.75, 0.86, 1.05, 0.9, 6.6, 1, 0.4),
    "marketing_current": (4.0, 4.0, 0.7, 0.7, 3, 5, 0, 0.0),
    "tenure_days": (597, 622, 256, 246, 110, 1079, 0, 0.0),
    "categories_per_visit": (3.64, 2.62, 1.28, 1.22, 1, 6, 0, 0.3),
    "unpaid_items_quarter": (2.28, 3.68, 1.52, 2.27, 0, 10, 0, -0.3),
    "service_errors": (4.32, 3.93, 1.98, 1.93, 0, 9, 0, 0.1),
    "pages_per_visit": (9.8, 5.5, 3.4, 3.4, 1, 20, 0, 0.5),
    "revenue_prev2": (4931, 4643, 321, 498, 4098, 5663, 1, 0.3),
    "minutes_prev": (14.9, 11.0, 3.4, 3.4, 5, 23, 0, 0.5),
    "minutes_current": (14.7, 11.1, 4.1, 3.3, 4, 23, 0, 0.4),
}
# promo share is bimodal: most customers near 0.2, a group of promo hunters near 0.9
PROMO_HUNTERS = (0.07, 0.32)  # share of hunters among kept / decreased
PREMIUM_SHARE = (0.25, 0.36)
ALLOW_MESSAGES_SHARE = 0.74
SERVICE_TYPE_TYPO_SHARE = 0.01
CATEGORY_WEIGHTS = {  # (kept, decreased) counts per category in the real files
    "Товары для детей": (142, 115),
    "Домашний текстиль": (118, 78),
    "Косметика и аксесуары": (101, 85),  # the published files spell it so
    "Кухонная посуда": (55, 54),
    "Мелкая бытовая техника и электроника": (121, 23),
    "Техника для красоты и здоровья": (104, 43),
}
ZERO_REVENUE_SHARE = 0.003
REPEATED_ROW_SHARE = 0.008
OUTLIER_REVENUE = 106862.2


def _class_value(y, kept, decreased, separation):
    """Per-customer parameter: the kept value moved toward the decreased one by `separation`."""
    kept, decreased = np.asarray(kept, float), np.asarray(decreased, float)
    return np.where(y == 1, kept + separation * (decreased - kept), kept)


def draw_customers(n: int, seed: int, separation: float, first_id: int = FIRST_ID) -> pd.DataFrame:
    """One row per customer with English column names (the model table's, plus profit)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < DECREASED_SHARE).astype(int)
    engagement = rng.standard_normal(n)
    df = pd.DataFrame({"id": np.arange(first_id, first_id + n), "activity_decreased": y})

    for name, (m0, m1, s0, s1, low, high, decimals, loading) in NUMERIC_STATS.items():
        mean = _class_value(y, m0, m1, separation)
        sd = np.where(y == 1, s1, s0)
        noise = loading * engagement + np.sqrt(1 - loading**2) * rng.standard_normal(n)
        values = np.clip(mean + sd * noise, low, high).round(decimals)
        df[name] = values.astype(int) if decimals == 0 else values

    hunter = rng.random(n) < _class_value(y, *PROMO_HUNTERS, separation)
    promo = np.where(hunter, rng.uniform(0.75, 0.99, n), rng.normal(0.22, 0.07, n) - 0.03 * engagement)
    df["promo_share"] = np.clip(promo, 0.0, 0.99).round(2)

    premium = rng.random(n) < _class_value(y, *PREMIUM_SHARE, separation)
    typo = rng.random(n) < SERVICE_TYPE_TYPO_SHARE
    df["service_type"] = np.where(premium, "премиум", np.where(typo, "стандартт", "стандарт"))
    df["allow_messages"] = np.where(rng.random(n) < ALLOW_MESSAGES_SHARE, "да", "нет")
    names = list(CATEGORY_WEIGHTS)
    weights = np.array(list(CATEGORY_WEIGHTS.values()), float)
    p_kept, p_dec = weights[:, 0] / weights[:, 0].sum(), weights[:, 1] / weights[:, 1].sum()
    p_dec = p_kept + separation * (p_dec - p_kept)
    df["popular_category"] = np.where(y == 1, rng.choice(names, n, p=p_dec), rng.choice(names, n, p=p_kept))

    # revenue: last month and the one before move together (r ~ 0.8 in the real data)
    common = rng.standard_normal(n)
    prev_sd, cur_sd = np.where(y == 1, 917, 629), np.where(y == 1, 895, 809)
    df["revenue_prev"] = np.clip(4915 + prev_sd * common, 2900, 6870).round(1)
    cur_noise = 0.8 * common + 0.6 * rng.standard_normal(n)
    df["revenue_current"] = np.clip(_class_value(y, 5191, 5276, separation) + cur_sd * cur_noise,
                                    2758, 7800).round(1)
    df["profit"] = np.clip(rng.normal(4.0, 1.0, n), 0.86, 7.43).round(2)
    return _add_quirks(df, rng)


def _add_quirks(df: pd.DataFrame, rng) -> pd.DataFrame:
    n = len(df)
    zero = rng.choice(n, max(1, round(n * ZERO_REVENUE_SHARE)), replace=False)
    df.loc[zero, ["revenue_prev2", "revenue_prev"]] = 0.0
    rest = np.setdiff1d(np.arange(n), zero)
    df.loc[rng.choice(rest), "revenue_current"] = OUTLIER_REVENUE
    pairs = max(1, round(n * REPEATED_ROW_SHARE / 2))
    src, dst = np.split(rng.choice(rest, 2 * pairs, replace=False), 2)
    copy = [c.name for c in MARKET_FILE.columns if c.name != "id"]
    for column in copy:
        df.loc[dst, column] = df.loc[src, column].to_numpy()
    return df


def _raw_name(raw_file):
    return {c.name: c.raw for c in raw_file.columns}


def to_raw_files(df: pd.DataFrame) -> dict[str, tuple[pd.DataFrame, dict]]:
    """The four files as (frame with raw column names, to_csv options)."""
    market = df[[c.name for c in MARKET_FILE.columns]].copy()
    market["activity_decreased"] = np.where(market["activity_decreased"] == 1, POSITIVE_LABEL, NEGATIVE_LABEL)
    money_long = _long(df, {"препредыдущий_месяц": "revenue_prev2", "текущий_месяц": "revenue_current",
                            "предыдущий_месяц": "revenue_prev"}, "revenue")
    time_long = _long(df, {"текущий_месяц": "minutes_current", "предыдцщий_месяц": "minutes_prev"}, "minutes")
    crlf = {"lineterminator": "\r\n"}
    return {
        MARKET_FILE.name: (market.rename(columns=_raw_name(MARKET_FILE)), crlf),
        MARKET_MONEY.name: (money_long.rename(columns=_raw_name(MARKET_MONEY)), crlf),
        MARKET_TIME.name: (time_long.rename(columns=_raw_name(MARKET_TIME)), crlf),
        MONEY.name: (df[["id", "profit"]].rename(columns=_raw_name(MONEY)),
                     {**crlf, "sep": ";", "decimal": ",", "float_format": "%.2f"}),
    }


def _long(df, periods: dict[str, str], value: str) -> pd.DataFrame:
    """Long format, one row per customer and period, in the real files' period order."""
    parts = [pd.DataFrame({"id": df["id"], "period": raw, value: df[col]}) for raw, col in periods.items()]
    long = pd.concat(parts, keys=range(len(parts)), names=["order", "row"]).reset_index()
    return long.sort_values(["row", "order"])[["id", "period", value]]


def write_raw_files(df: pd.DataFrame, out_dir) -> None:
    out_dir = Path(out_dir)
    for name, (frame, options) in to_raw_files(df).items():
        with atomic_path(out_dir / name) as tmp:
            frame.to_csv(tmp, index=False, encoding="utf-8", **options)


def shifted(df: pd.DataFrame, shift: dict[str, float]) -> pd.DataFrame:
    """The customers with columns multiplied (`{column: factor}`): a later month whose population moved. Whole
    numbers stay whole, other numbers keep the decimals of their generator."""
    out = df.copy()
    decimals = {name: stats[6] for name, stats in NUMERIC_STATS.items()}
    for column, factor in shift.items():
        values = out[column] * factor
        out[column] = values.round().astype(int) if decimals.get(column) == 0 else values.round(decimals.get(column, 2))
    return out


def write_months(months: dict, separation: float, out_dir) -> None:
    """Later exports of the store (params `synthesize.months`): new customers with ids of their own per month,
    shifted where the month says so, each in the four files' format."""
    for i, (name, month) in enumerate(months.items(), start=1):
        customers = draw_customers(month["n_customers"], month["seed"], separation, FIRST_ID + i * 1_000_000)
        write_raw_files(shifted(customers, month.get("shift") or {}), Path(out_dir) / name)


def check_params(params: dict) -> None:
    section(params, "synthesize", {"n_customers": None, "seed": None, "separation": None,
                                   "months": Names({"n_customers", "seed", "shift"})})
    number(params, "synthesize.n_customers", 20, 10_000_000, integer=True)
    number(params, "synthesize.seed", 0, SEED, integer=True)
    months = get(params, "synthesize.months")
    require(isinstance(months, dict), "synthesize.months", "must map month names to {n_customers, seed, shift}")
    for name in months:
        key = f"synthesize.months.{name}"
        require(NAME.match(str(name)) is not None, key, f"must be named with {NAME_RULE}")
        number(params, f"{key}.n_customers", 20, 10_000_000, integer=True)
        number(params, f"{key}.seed", 0, SEED, integer=True)
        shift = get(params, f"{key}.shift")
        require(isinstance(shift, dict) and set(shift) <= set(NUMERIC_STATS), f"{key}.shift",
                f"must map numeric columns of the generator {list(NUMERIC_STATS)} to factors")
        for column in shift:
            number(params, f"{key}.shift.{column}", 0, 100)
