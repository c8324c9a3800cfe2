"""Loading the raw files: the real quirks, the synthetic copy of them, and every bad-input class."""

import pandas as pd
import pytest
from conftest import edit_file

from oneclick.common.errors import DataError
from oneclick.data.columns import FEATURES, MARKET_FILE, MARKET_TIME, MONEY
from oneclick.data.load import read_all, read_raw


def test_real_files_load_with_typos_fixed(real_dir):
    frames, typos = read_all(real_dir)
    market = frames["market_file.csv"]
    assert len(market) == 1040
    assert "стандартт" not in set(market["service_type"])
    assert "Косметика и аксессуары" in set(market["popular_category"])
    assert set(frames["market_time.csv"]["period"]) == {"предыдущий_месяц", "текущий_месяц"}
    assert typos["market_file.csv"] > 0 and typos["market_time.csv"] == 1040  # every "previous month" row
    assert frames["money.csv"]["profit"].between(0.5, 10).all()  # read with ',' decimals, not as text
    assert set(market["activity_decreased"]) == {0, 1}


def test_synthetic_files_have_the_real_format(real_dir, synthetic_dir):
    for raw_file in (MARKET_FILE, MONEY):
        real = (real_dir / raw_file.name).read_bytes().split(b"\r\n")[0]
        synthetic = (synthetic_dir / raw_file.name).read_bytes().split(b"\r\n")[0]
        assert real == synthetic  # same header, same separator, CRLF line ends
    for name in ("market_file.csv", "market_money.csv", "market_time.csv", "money.csv"):
        data = (synthetic_dir / name).read_bytes()
        assert data.count(b"\r\n") == data.count(b"\n")
    market = (synthetic_dir / "market_file.csv").read_text(encoding="utf-8")
    assert "стандартт" in market and "Косметика и аксесуары" in market
    assert "предыдцщий_месяц" in (synthetic_dir / "market_time.csv").read_text(encoding="utf-8")
    assert ";" in (synthetic_dir / "money.csv").read_text().splitlines()[1]


def test_synthetic_quirks_survive_loading(synthetic_dir):
    frames, typos = read_all(synthetic_dir)
    assert typos["market_file.csv"] > 0
    money = frames["market_money.csv"]
    assert (money["revenue"] == 0).any() and money["revenue"].max() > 100_000
    market = frames["market_file.csv"]
    assert market.drop(columns="id").duplicated().any()


def _error(directory) -> str:
    with pytest.raises(DataError) as err:
        read_all(directory)
    return str(err.value)


def test_missing_file(raw_copy):
    (raw_copy / "market_time.csv").unlink()
    assert "market_time.csv: file not found" in _error(raw_copy)


def test_renamed_column(raw_copy):
    edit_file(raw_copy / "market_file.csv", "Страниц_за_визит", "Страниц")
    message = _error(raw_copy)
    assert "market_file.csv" in message and "missing column(s) ['Страниц_за_визит']" in message


def test_wrong_separator(raw_copy):
    path = raw_copy / "market_time.csv"
    path.write_bytes(path.read_bytes().replace(b",", b";"))
    message = _error(raw_copy)
    assert "market_time.csv" in message and "separator" in message


def test_wrong_decimal_mark(raw_copy):
    path = raw_copy / "money.csv"
    path.write_bytes(path.read_bytes().replace(b",", b"."))
    message = _error(raw_copy)
    assert "money.csv" in message and "'Прибыль'" in message and "decimal mark" in message


def test_non_numeric_cell(raw_copy):
    edit_file(raw_copy / "market_money.csv", ",4", ",abc", count=1)
    message = _error(raw_copy)
    assert "market_money.csv" in message and "'Выручка'" in message and "abc" in message and "line" in message


def test_duplicate_id(raw_copy):
    edit_file(raw_copy / "money.csv", "\r\n215349;", "\r\n215348;")
    message = _error(raw_copy)
    assert "money.csv" in message and "duplicate id" in message and "215348" in message


def test_unknown_category(raw_copy):
    edit_file(raw_copy / "market_file.csv", "Домашний текстиль", "Садовый инвентарь")
    message = _error(raw_copy)
    assert "'Популярная_категория'" in message and "Садовый инвентарь" in message


def test_unknown_period(raw_copy):
    edit_file(raw_copy / "market_time.csv", "текущий_месяц", "позапрошлый_месяц")
    message = _error(raw_copy)
    assert "market_time.csv" in message and "'Период'" in message and "позапрошлый_месяц" in message


def test_empty_cell(raw_copy):
    path = raw_copy / "market_time.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[1] = lines[1].rsplit(b",", 1)[0] + b","
    path.write_bytes(b"\r\n".join(lines))
    assert "'минут'" in _error(raw_copy)


def test_negative_value(raw_copy):
    edit_file(raw_copy / "market_time.csv", "текущий_месяц,", "текущий_месяц,-")
    message = _error(raw_copy)
    assert "'минут'" in message and "negative" in message


def test_target_may_be_absent_when_scoring(raw_copy):
    market = pd.read_csv(raw_copy / "market_file.csv").drop(columns="Покупательская активность")
    market.to_csv(raw_copy / "market_file.csv", index=False, lineterminator="\r\n")
    frames, _ = read_all(raw_copy, require_target=False)
    assert set(FEATURES) - set(frames["market_file.csv"].columns) <= {
        "revenue_prev2", "revenue_prev", "revenue_current", "minutes_prev", "minutes_current"}
    with pytest.raises(DataError, match="Покупательская активность"):
        read_all(raw_copy)


def test_periods_are_validated_per_file(raw_copy):
    # "препредыдущий_месяц" is a revenue period, not a minutes period
    edit_file(raw_copy / "market_time.csv", "текущий_месяц", "препредыдущий_месяц")
    with pytest.raises(DataError, match="market_time.csv"):
        read_raw(raw_copy, MARKET_TIME)
