"""The pivot, join and filter rules of the model table."""

import pandas as pd
import pytest
from conftest import edit_file

from oneclick.common.errors import DataError
from oneclick.data.columns import FEATURES
from oneclick.data.load import read_all
from oneclick.data.prepare import NO_REVENUE, OUTLIER, build_table, quality_record

PERIODS3 = ["препредыдущий_месяц", "предыдущий_месяц", "текущий_месяц"]
PERIODS2 = ["предыдущий_месяц", "текущий_месяц"]


def frames_for(revenues: dict[int, list[float]]):
    """Minimal validated frames for customers id -> revenue of the 3 months."""
    ids = list(revenues)
    market = pd.DataFrame({"id": ids, "activity_decreased": [i % 2 for i in ids], "service_type": "стандарт"})
    money = pd.DataFrame([(i, p, r) for i, rs in revenues.items() for p, r in zip(PERIODS3, rs, strict=True)],
                         columns=["id", "period", "revenue"])
    time = pd.DataFrame([(i, p, 10 + k) for i in ids for k, p in enumerate(PERIODS2)],
                        columns=["id", "period", "minutes"])
    profit = pd.DataFrame({"id": ids, "profit": 4.0})
    return {"market_file.csv": market, "market_money.csv": money, "market_time.csv": time, "money.csv": profit}


def test_pivot_join_and_drop_reasons():
    frames = frames_for({1: [100, 200, 300], 2: [0, 200, 300], 3: [100, 50_000, 300], 4: [0, 90_000, 1]})
    kept, excluded, profit = build_table(frames, revenue_max=20_000)
    assert kept["id"].tolist() == [1]
    row = kept.iloc[0]
    assert (row["revenue_prev2"], row["revenue_prev"], row["revenue_current"]) == (100, 200, 300)
    assert (row["minutes_prev"], row["minutes_current"]) == (10, 11)
    reasons = dict(zip(excluded["id"], excluded["reason"], strict=True))
    assert reasons == {2: NO_REVENUE, 3: OUTLIER, 4: NO_REVENUE}
    quality = quality_record(frames, {}, kept, excluded)
    assert quality["rows_dropped"] == {NO_REVENUE: 2, OUTLIER: 1}
    assert quality["rows_kept"] + sum(quality["rows_dropped"].values()) == len(frames["market_file.csv"])


def test_outlier_threshold_comes_from_the_argument():
    frames = frames_for({1: [100, 200, 300], 2: [100, 200, 5000]})
    kept, excluded, _ = build_table(frames, revenue_max=1000)
    assert kept["id"].tolist() == [1] and excluded["reason"].tolist() == [OUTLIER]


def test_missing_period_row_is_an_error():
    frames = frames_for({1: [100, 200, 300], 2: [100, 200, 300]})
    frames["market_money.csv"] = frames["market_money.csv"].iloc[:-1]
    with pytest.raises(DataError, match=r"market_money.csv.*every period.*\[2\]"):
        build_table(frames, revenue_max=20_000)


def test_repeated_period_row_is_an_error():
    frames = frames_for({1: [100, 200, 300]})
    money = frames["market_money.csv"]
    frames["market_money.csv"] = pd.concat([money, money.iloc[[0]]])
    with pytest.raises(DataError, match="repeated"):
        build_table(frames, revenue_max=20_000)


def test_id_missing_from_another_table(raw_copy):
    edit_file(raw_copy / "money.csv", "\r\n215349;", "\r\n999999;")
    frames, _ = read_all(raw_copy)
    with pytest.raises(DataError) as err:
        build_table(frames, revenue_max=20_000)
    message = str(err.value)
    assert "money.csv" in message and "999999" in message and "215349" in message


def test_real_table(real_dir):
    frames, typos = read_all(real_dir)
    kept, excluded, profit = build_table(frames, revenue_max=20_000)
    quality = quality_record(frames, typos, kept, excluded)
    assert quality["rows_dropped"] == {NO_REVENUE: 3, OUTLIER: 1}
    assert quality["rows_kept"] == 1036
    assert quality["rows_repeating_all_but_id"] > 0
    assert not kept[FEATURES].isna().any().any()
    assert kept["id"].is_unique and set(kept["id"]) <= set(profit["id"])
