"""The export contract: the real quirks load, a broken file is refused naming it, a broken row sets aside its
customer alone (with file, column, line and reason) and leaves every other customer as it was."""

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from conftest import edit_file
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from oneclick.common.errors import DataError
from oneclick.data.columns import FEATURES, MARKET_FILE, MARKET_MONEY, MONEY
from oneclick.data.load import _cell_checks, _failures, _plain, read_export
from oneclick.data.prepare import build_table, check_share


def test_real_files_load_with_typos_fixed(real_dir):
    export = read_export(real_dir)
    market = export.frames["market_file.csv"]
    assert len(market) == 1040 and export.quarantine.empty and not any(export.extra_ids.values())
    assert "стандартт" not in set(market["service_type"])
    assert "Косметика и аксессуары" in set(market["popular_category"])
    assert set(export.frames["market_time.csv"]["period"]) == {"предыдущий_месяц", "текущий_месяц"}
    assert export.typos["market_file.csv"] > 0 and export.typos["market_time.csv"] == 1040  # every "previous month"
    assert export.frames["money.csv"]["profit"].between(0.5, 10).all()  # read with ',' decimals, not as text
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
    export = read_export(synthetic_dir)
    assert export.typos["market_file.csv"] > 0
    money = export.frames["market_money.csv"]
    assert (money["revenue"] == 0).any() and money["revenue"].max() > 100_000
    assert export.frames["market_file.csv"].drop(columns="id").duplicated().any()


# File faults: one error naming the file.

def _error(directory) -> str:
    with pytest.raises(DataError) as err:
        read_export(directory)
    return str(err.value)


def test_missing_file(raw_copy):
    (raw_copy / "market_time.csv").unlink()
    assert _error(raw_copy).startswith("market_time.csv: file not found")


def test_renamed_column(raw_copy):
    edit_file(raw_copy / "market_file.csv", "Страниц_за_визит", "Страниц")
    assert _error(raw_copy).startswith("market_file.csv: missing column(s) ['Страниц_за_визит']")


def test_another_separator_is_named(raw_copy):
    path = raw_copy / "market_file.csv"
    path.write_bytes(path.read_bytes().replace(b",", b";"))
    message = _error(raw_copy)
    assert message.startswith("market_file.csv") and "looks ';'-separated" in message


def test_the_other_decimal_mark_is_a_fault_of_the_file(raw_copy):
    path = raw_copy / "money.csv"
    path.write_bytes(path.read_bytes().replace(b",", b"."))
    message = _error(raw_copy)
    assert message.startswith("money.csv") and "'Прибыль'" in message and "decimal mark '.'" in message


@pytest.mark.parametrize("content, expected", [(b"", "the file is empty"),
                                               (None, "no rows, only the header")])
def test_an_empty_or_header_only_file(raw_copy, content, expected):
    path = raw_copy / "market_file.csv"
    path.write_bytes(path.read_bytes().split(b"\r\n")[0] + b"\r\n" if content is None else content)
    assert _error(raw_copy) == f"market_file.csv: {expected}"


def test_a_column_named_twice_is_refused(raw_copy):
    path = raw_copy / "money.csv"
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([lines[0] + b";id"] + [line + b";1" for line in lines[1:] if line] + [b""]))
    assert _error(raw_copy) == "money.csv: column(s) ['id'] appear more than once in the header"


def test_a_quoted_cell_over_two_lines_keeps_the_line_numbers(raw_copy):
    path = raw_copy / "market_money.csv"
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    customer, period, revenue = lines[2].split(",")
    lines[2] = f'{customer},"\r\n{period}",{revenue}'  # one row over lines 3 and 4, read as before
    lines[9] = lines[9].rsplit(",", 1)[0] + ",abc"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    faults = read_export(raw_copy).quarantine
    assert faults[["file", "line", "reason"]].values.tolist() == [
        ["market_money.csv", 11, "not a number with '.' decimal mark"]]
    assert path.read_bytes().decode().split("\r\n")[10].startswith(faults["id"].iloc[0])


CELLS = st.one_of(st.text(alphabet="0123456789-+.,e ٣\t\n", max_size=20),
                  st.from_regex(r"-?[0-9]{14,17}([.,][0-9]{0,2})?", fullmatch=True))  # about the 15-digit limit


@settings(max_examples=40, deadline=None, derandomize=True)
@given(cells=st.lists(CELLS, min_size=1, max_size=30))
@example(cells=["5.", "5,", ".5", "-", "-5", "1" * 16, "5.0", "5,00", "٣", " 5", "5\n", ""])
def test_a_cell_read_as_plain_passes_every_check(cells):
    """Rows of plain cells skip pandera, so `_plain` must never pass a cell that a check of the contract fails."""
    for raw_file, col in ((MARKET_FILE, MARKET_FILE.columns[0]), (MARKET_FILE, MARKET_FILE.columns[5]),
                          (MARKET_FILE, MARKET_FILE.columns[4]), (MONEY, MONEY.columns[1]),
                          (MARKET_MONEY, MARKET_MONEY.columns[1])):
        values = pd.Series(cells, dtype="str", name="cell")
        schema = pa.DataFrameSchema({values.name: pa.Column(str, checks=_cell_checks(raw_file, col))})
        passes = ~values.index.isin(_failures(schema, values.to_frame())["index"])
        plain = _plain(raw_file, col, values)
        assert not (plain & ~passes).any(), (col.raw, np.asarray(cells)[plain & ~passes])


def test_an_encoding_that_is_not_utf8_is_named(raw_copy):
    path = raw_copy / "market_time.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    message = _error(raw_copy)
    assert message.startswith("market_time.csv: not UTF-8") and "utf_16" in message


def test_a_cp1251_file_is_read_as_the_same_customers_and_said_so(raw_copy):
    clean = read_export(raw_copy)
    path = raw_copy / "market_file.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1251"))
    export = read_export(raw_copy)
    assert export.notes == ["market_file.csv: decoded as cp1251 (its header reads as the expected Cyrillic names)"]
    for name, frame in clean.frames.items():
        pd.testing.assert_frame_equal(export.frames[name], frame)


# Row faults: the customer is set aside, every other customer is read as it was.

def _set_aside(raw_copy, break_it) -> tuple[pd.DataFrame, dict]:
    """(the faults, {file: frame}) after `break_it(raw_copy)`; every customer not at fault read as before."""
    clean = read_export(raw_copy)
    break_it(raw_copy)
    export = read_export(raw_copy)
    gone = set(export.quarantine["id"])
    for name, frame in clean.frames.items():
        expected = frame[~frame["id"].astype(str).isin(gone)].reset_index(drop=True)
        pd.testing.assert_frame_equal(export.frames[name], expected)
    return export.quarantine, export


def _line(path, number: int, old: str, new: str) -> None:
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    assert old in lines[number - 1], lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_bytes("\r\n".join(lines).encode("utf-8"))


def test_an_empty_cell_sets_aside_its_customer_only(raw_copy):
    def empty(folder):
        path = folder / "market_time.csv"
        lines = path.read_bytes().split(b"\r\n")
        lines[1] = lines[1].rsplit(b",", 1)[0] + b","
        path.write_bytes(b"\r\n".join(lines))

    faults, export = _set_aside(raw_copy, empty)
    assert faults[["file", "column", "line", "reason", "value"]].values.tolist() == [
        ["market_time.csv", "минут", 2, "empty cell", ""]]
    assert export.quarantined().to_dict() == {"empty cell": 1}


def test_rows_without_an_id_are_each_a_customer_set_aside(raw_copy):
    """Three rows of market_file.csv with the id blanked and one with it written 215351.0 (as a spreadsheet
    saves it) are four customers set aside, not one: they count against the limit of broken customers, and the
    reasons say where and what."""
    path = raw_copy / "market_file.csv"
    lines = path.read_bytes().split(b"\r\n")
    for k in (1, 2, 3):
        lines[k] = lines[k][lines[k].index(b","):]
    lines[4] = lines[4].replace(b"215351,", b"215351.0,", 1)
    path.write_bytes(b"\r\n".join(lines))
    export = read_export(raw_copy)
    assert export.set_aside == 4 and export.excluded_share() == pytest.approx(4 / export.customers)
    assert export.quarantined().sum() == 4
    assert "(market_file.csv id: [''])" in export.reasons() and "'215351.0'" in export.reasons()
    with pytest.raises(DataError, match=r"^4 of \d+ customers \(.*market_file\.csv id: \[''\]"):
        check_share(export, 0.001, "k")


def test_whole_numbers_written_with_a_decimal_zero_are_whole(raw_copy):
    """A column that once held an empty cell is written 5.0, 8.0, ... by many tools: the values are whole."""
    path = raw_copy / "market_time.csv"
    text = path.read_bytes().decode("utf-8").split("\r\n")
    path.write_bytes("\r\n".join([text[0]] + [line + ".0" if line else line for line in text[1:]]).encode())
    assert read_export(raw_copy).quarantine.empty


@pytest.mark.parametrize("file, old, new, column, reason", [
    ("market_money.csv", ",4", ",abc", "Выручка", "not a number with '.' decimal mark"),
    ("market_time.csv", "текущий_месяц,", "текущий_месяц,-", "минут", "negative"),
    ("market_file.csv", "Домашний текстиль", "Садовый инвентарь", "Популярная_категория", "unknown category"),
    ("market_time.csv", "текущий_месяц", "позапрошлый_месяц", "Период", "unknown period"),
    ("market_time.csv", "текущий_месяц", "препредыдущий_месяц", "Период", "unknown period"),  # a revenue period
    ("market_time.csv", "текущий_месяц,", "текущий_месяц,99999999999999999999", "минут", "number too large"),
    ("market_money.csv", ",4", ",1234567890123456", "Выручка", "number too large"),  # 19 digits before the mark
])
def test_a_bad_value_sets_aside_its_customer(raw_copy, file, old, new, column, reason):
    faults, _ = _set_aside(raw_copy, lambda folder: edit_file(folder / file, old, new))
    assert faults["id"].nunique() == 1
    first = faults.iloc[0]
    assert (first["file"], first["column"], first["reason"]) == (file, column, reason)
    assert new.strip(",").split(",")[-1] in first["value"] or reason == "negative"
    assert (raw_copy / file).read_bytes().decode().split("\r\n")[first["line"] - 1].startswith(first["id"])


def test_rows_repeated_or_missing_set_aside_their_customer(raw_copy):
    def duplicate_and_drop(folder):
        money = folder / "money.csv"
        money.write_bytes(money.read_bytes().replace(b"\r\n215349;", b"\r\n215348;", 1))  # 215349 gone, 215348 twice
        time_ = folder / "market_time.csv"
        lines = time_.read_bytes().split(b"\r\n")
        time_.write_bytes(b"\r\n".join(lines[:5] + [lines[5]] + lines[5:]))  # 215350's period row repeated

    faults, _ = _set_aside(raw_copy, duplicate_and_drop)
    reasons = faults.groupby("id")["reason"].agg(set).to_dict()
    assert reasons["215348"] == {"a customer repeated"} and reasons["215349"] == {"not in money.csv"}
    assert reasons["215350"] == {"a period row repeated"} and len(reasons) == 3


def test_a_row_with_another_number_of_fields(raw_copy):
    faults, export = _set_aside(raw_copy, lambda folder: _line(folder / "market_file.csv", 5, ",0.", ",4,2,0."))
    assert faults["reason"].tolist() == ["a row of another number of fields than the header's 13"]
    assert faults["line"].tolist() == [5]
    assert "13 (market_file.csv: [" in export.reasons()  # a fault of a whole row names the file alone


def test_ids_that_market_file_lacks_are_counted_and_ignored(raw_copy):
    def extra(folder):
        with open(folder / "money.csv", "ab") as f:
            f.write(b"999999;1,00\r\n")
    faults, export = _set_aside(raw_copy, extra)
    assert faults.empty and export.extra_ids["money.csv"] == 1


def test_target_may_be_absent_when_scoring(raw_copy):
    market = pd.read_csv(raw_copy / "market_file.csv").drop(columns="Покупательская активность")
    market.to_csv(raw_copy / "market_file.csv", index=False, lineterminator="\r\n")
    frames = read_export(raw_copy, require_target=False).frames
    assert set(FEATURES) - set(frames["market_file.csv"].columns) <= {
        "revenue_prev2", "revenue_prev", "revenue_current", "minutes_prev", "minutes_current"}
    with pytest.raises(DataError, match="Покупательская активность"):
        read_export(raw_copy)


# One fault at a time, drawn by hypothesis: a row fault sets aside that customer alone, a file fault names its file.

ROW_FAULTS = {  # file -> (column index, replacement): a cell made bad in a data line
    "market_file.csv": [(12, ""), (5, "x"), (7, "1.5"), (8, "Книги"), (2, "vip"), (11, "-3"), (6, "1" * 20)],
    "market_money.csv": [(2, ""), (2, "n/a"), (1, "следующий_месяц"), (2, "-1.0")],
    "market_time.csv": [(2, ""), (2, "12.5"), (1, "следующий_месяц")],
    "money.csv": [(1, ""), (1, "нет")],
}


@pytest.fixture(scope="module")
def clean(synthetic_dir):
    return read_export(synthetic_dir)


@settings(max_examples=30, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_one_fault_of_any_kind_is_set_aside_or_named(synthetic_dir, clean, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fault")
    for path in synthetic_dir.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    kind = data.draw(st.sampled_from(["cell", "drop row", "repeat row", "file"]))
    name = data.draw(st.sampled_from(sorted(ROW_FAULTS)))
    path = folder / name
    sep = ";" if name == "money.csv" else ","
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    at = data.draw(st.integers(1, len(lines) - 2))  # a data line (the last element is the empty end)
    customer = lines[at].split(sep)[0] if kind != "file" else None
    if kind == "cell":
        column, value = data.draw(st.sampled_from(ROW_FAULTS[name]))
        fields = lines[at].split(sep)
        fields[column] = value
        lines[at] = sep.join(fields)
    elif kind == "drop row":
        del lines[at]
    elif kind == "repeat row":
        lines.insert(at, lines[at])
    else:
        lines = data.draw(st.sampled_from([[], lines[:1] + [""], [lines[0].replace(sep, "|")] + lines[1:]]))
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    try:
        export = read_export(folder)
    except DataError as err:
        assert kind == "file" and str(err).startswith(name), err
        return
    assert kind != "file"  # a broken file is never read
    gone = set(export.quarantine["id"])
    if kind == "drop row" and name == "market_file.csv":
        assert gone == set()  # the customer simply is not in the export: its other rows are extra ids
        assert sum(export.extra_ids.values()) >= 1
    elif kind != "file":
        assert gone == {customer}, (kind, name, export.quarantine)
        assert export.quarantine["reason"].notna().all()
    for file, frame in clean.frames.items():
        expected = frame[~frame["id"].astype(str).isin(gone | {customer})].reset_index(drop=True)
        got = export.frames[file][export.frames[file]["id"].astype(str) != customer].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected)
    kept, _, _ = build_table(export.frames, 20_000)  # and the model table builds
    assert customer is None or customer not in set(kept["id"].astype(str)) or kind == "file"


@pytest.mark.parametrize("content, expected", [
    (b'""\r\n""\r\n', "market_file.csv: the file is empty (no header, only blank lines)"),
    (b"id\xff\xfe\x98 x\r\n1\x98 2\r\n", "market_file.csv: not UTF-8 (byte 0xff at position 2; it looks like "),
    ("id Страниц\r\n1 2\r\n".encode(), "the file has one column: is the separator not ','?"),
])
def test_files_that_cannot_be_read_as_a_table_are_named(raw_copy, content, expected):
    """A file of empty lines, bytes neither UTF-8 nor cp1251, a header that no known separator splits."""
    (raw_copy / "market_file.csv").write_bytes(content)
    assert expected in _error(raw_copy)
