"""The pivot, join and filter rules of the model table."""

import pandas as pd
import pytest
from conftest import edit_file

from oneclick.common.errors import DataError
from oneclick.data.columns import FEATURES
from oneclick.data.load import read_export
from oneclick.data.prepare import NO_REVENUE, OUTLIER, build_table, check_share, excluded_table, quality_record

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


def test_outlier_threshold_comes_from_the_argument():
    frames = frames_for({1: [100, 200, 300], 2: [100, 200, 5000]})
    kept, excluded, _ = build_table(frames, revenue_max=1000)
    assert kept["id"].tolist() == [1] and excluded["reason"].tolist() == [OUTLIER]


def test_every_customer_left_out_is_listed_once_with_file_line_and_reason(raw_copy):
    edit_file(raw_copy / "money.csv", "\r\n215349;", "\r\n999999;")  # 215349 has no profit, 999999 left
    edit_file(raw_copy / "market_file.csv", "\r\n215350,", "\r\n215350,,")  # a row of 14 fields
    export = read_export(raw_copy)
    kept, excluded, _ = build_table(export.frames, revenue_max=20_000)
    table = excluded_table(export, excluded)
    assert list(table.columns) == ["id", "file", "column", "line", "reason", "value"]
    by_id = table.set_index("id")
    assert by_id.loc["215349", "reason"] == "not in money.csv"
    assert by_id.loc["215350", "file"] == "market_file.csv" and by_id.loc["215350", "line"] == 4
    assert export.extra_ids["money.csv"] == 1 and "999999" not in by_id.index
    assert set(table["id"]) | set(kept["id"].astype(str)) == {str(i) for i in range(215348, 215348 + 400)}
    quality = quality_record(export, kept, excluded)
    assert quality["quarantined"] == {"a row of another number of fields than the header's 13": 1,
                                      "not in money.csv": 1}
    assert quality["target_decreased"] == int(kept["activity_decreased"].sum()) and quality["rows_kept"] == len(kept)


def test_a_training_export_mostly_broken_stops(raw_copy):
    path = raw_copy / "money.csv"
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(lines[:301]) + b"\r\n")  # the header and 300 customers: 100 without profit
    export = read_export(raw_copy)
    with pytest.raises(DataError, match=r"100 of 400 customers \(25.0%\) have broken rows, more than k = 0.2: "
                                        r"100 not in money.csv"):
        check_share(export, 0.2, "k")
    check_share(export, 0.25, "k")


def test_real_table(real_dir):
    export = read_export(real_dir)
    kept, excluded, profit = build_table(export.frames, revenue_max=20_000)
    quality = quality_record(export, kept, excluded)
    assert quality["rows_dropped"] == {NO_REVENUE: 3, OUTLIER: 1} and quality["quarantined"] == {}
    assert quality["rows_kept"] == 1036
    assert quality["rows_repeating_all_but_id"] > 0
    assert not kept[FEATURES].isna().any().any()
    assert kept["id"].is_unique and set(kept["id"]) <= set(profit["id"])
