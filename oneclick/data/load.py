"""One contract for every export the project reads (prepare, predict, the monitor and read-out stages, the import).

A fault of the file refuses the export with one DataError naming the file: the file missing or empty, only its
header, a missing column, another separator, an encoding that is not UTF-8 (a cp1251 file, as 1C exports often
are, is decoded when that is unambiguous, and said so), a column written with the other decimal mark.

A fault of a row sets that customer aside, not the file: a bad value (an empty cell, not a number, a negative
count, a share above 1, a number too large, an unknown category or period), a row with the wrong number of
fields, a customer repeated, a period row repeated or missing, a customer missing from one of the files. Each
fault is a row of `Export.quarantine` with the file, the column, the file's own line number, the reason and the
value; every other customer is read exactly as without the fault. Ids of the other files that market_file.csv
lacks (finance's profit file lists customers who left) are counted and ignored. What share of customers may be
set aside before a job stops is the caller's (params `prepare.max_excluded_share*`).
"""

import csv
import gc
import io
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from oneclick.common.errors import EXAMPLES, DataError, examples
from oneclick.data.columns import (
    ID_PATTERN,
    MARKET_FILE,
    MARKET_MONEY,
    MARKET_TIME,
    MONEY,
    MONEY_PERIODS,
    TARGET,
    TARGET_RAW,
    TIME_PERIODS,
    TYPOS,
    Column,
    RawFile,
)

SHARES = {"promo_share"}  # numeric columns bounded by 1
LARGEST = 1e15  # a value beyond it is a broken cell, not a number of this store
SEPARATORS = (",", ";", "\t", "|")
PERIODS = {MARKET_MONEY.name: list(MONEY_PERIODS), MARKET_TIME.name: list(TIME_PERIODS)}
QUARANTINE = ["id", "file", "column", "line", "reason", "value"]


@dataclass
class Export:
    """An export read under the contract: the customers that passed every check, and what was set aside."""

    frames: dict[str, pd.DataFrame]  # file name -> typed rows with English column names, good customers only
    quarantine: pd.DataFrame  # one row per fault: QUARANTINE
    rows_read: dict[str, int]  # data rows per file
    typos: dict[str, int]  # known misspellings fixed per file
    extra_ids: dict[str, int]  # ids of the file that market_file.csv lacks, ignored
    notes: list[str] = field(default_factory=list)  # e.g. a file decoded as cp1251

    @property
    def customers(self) -> int:
        """Customers of market_file.csv, good or set aside."""
        return self.rows_read[MARKET_FILE.name]

    @property
    def set_aside(self) -> int:
        """Customers with at least one broken row."""
        return int(customer_keys(self.quarantine).nunique())

    def first_faults(self) -> pd.DataFrame:
        """Each customer set aside once, under their first fault (in file order)."""
        return self.quarantine[~customer_keys(self.quarantine).duplicated()]

    def quarantined(self) -> pd.Series:
        """Customers set aside, each under its first reason: reason -> customers."""
        return self.first_faults()["reason"].value_counts().sort_index()

    def excluded_share(self) -> float:
        return self.set_aside / max(self.customers, 1)

    def reasons(self) -> str:
        """The reasons customers were set aside, with where and what: '<n> <reason> (<file> <column>: [values])'
        per reason, file and column, each customer under its first reason."""
        parts, groups = [], self.first_faults().groupby(["reason", "file", "column"], sort=True, dropna=False)
        for (reason, file, column), rows in groups:
            where = f"{file} {column}" if isinstance(column, str) and column else file
            parts.append(f"{len(rows)} {reason} ({where}: {examples(rows['value'].unique())})")
        return "; ".join(parts)


def customer_keys(faults: pd.DataFrame) -> pd.Series:
    """Who each row of a quarantine (QUARANTINE columns) is about: its id, or, for a row whose id is not one
    (blank, '215348.0'), that file's line: each such row is a customer of its own, never one for all of them."""
    ids = faults["id"].astype(str)
    valid = ids.str.fullmatch(ID_PATTERN)
    return ids.where(valid, "line " + faults["line"].astype(str) + " of " + faults["file"].astype(str))


@contextmanager
def _without_cycle_collection():
    """Reading builds millions of row lists and cells, none in a reference cycle; the cyclic collector would scan
    them again and again as they pile up (half the time of reading a million customers)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _decode(path: Path, raw_file: RawFile) -> tuple[str, str | None]:
    """The file's text and a note if it was not UTF-8; an encoding that cannot be decoded unambiguously refuses."""
    data = path.read_bytes()
    if not data.strip():
        raise DataError(f"{raw_file.name}: the file is empty")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        where = f"byte {data[err.start]:#04x} at position {err.start}"
    header = [c.raw for c in raw_file.columns]
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.split("\n", 1)[0].strip().split(raw_file.sep)[0] == header[0] \
            and all(name in text.split("\n", 1)[0] for name in header[1:] if name != TARGET_RAW):
        return text, f"{raw_file.name}: decoded as cp1251 (its header reads as the expected Cyrillic names)"
    from charset_normalizer import from_bytes

    guess = from_bytes(data).best()
    likely = f"it looks like {guess.encoding}" if guess is not None else "its encoding is not recognized"
    raise DataError(f"{raw_file.name}: not UTF-8 ({where}; {likely}); save it as UTF-8")


def _rows(text: str, raw_file: RawFile) -> tuple[list[str], list[int], list[list[str]]]:
    """(header, line number in the file of each row, the rows' fields) of a CSV text; blank lines skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=raw_file.sep)
    if '"' in text:  # a quoted field may span lines: ask the reader where each row starts
        numbered = [(reader.line_num, fields) for fields in reader]
    else:  # one row per line
        numbered = list(enumerate(reader, start=1))
    numbered = [(line, fields) for line, fields in numbered if fields and fields != [""]]
    if not numbered:
        return [], [], []
    header = [f.strip() for f in numbered[0][1]]
    return header, [line for line, _ in numbered[1:]], [fields for _, fields in numbered[1:]]


def _separator_hint(header: list[str], raw_file: RawFile) -> str:
    line = raw_file.sep.join(header)
    for sep in SEPARATORS:
        if sep != raw_file.sep and len(line.split(sep)) > 1 and line.split(sep)[0].strip() == "id":
            return f" (the header splits on {sep!r}: the file looks {sep!r}-separated, expected {raw_file.sep!r})"
    if len(header) == 1:
        return f" (the file has one column: is the separator not {raw_file.sep!r}?)"
    return ""


def _number(kind: str, decimal: str, whole: str = r"\d+") -> str:
    """The regex of a cell of a number column of `kind` (id, int, float), its whole part `whole`: an id has no
    sign, a count may be written 5.0 (a column that once held an empty cell), a float has `decimal` as its mark."""
    sign = "" if kind == "id" else "-?"
    tail = {"id": "", "int": "(?:[.,]0+)?"}.get(kind, rf"(?:{re.escape(decimal)}\d+)?")
    return sign + whole + tail


def _cell_checks(raw_file: RawFile, col: Column) -> list[pa.Check]:
    """Checks of a column's text, in order; the first that fails names the cell's fault."""
    empty = pa.Check(lambda s: s.str.strip() != "", element_wise=False, error="empty cell")
    # after the number's format: at most 15 digits before the decimal mark (one regex match per cell)
    too_large = pa.Check.str_matches(r"^-?\d{0,15}(?![0-9])", error="number too large")
    if col.kind in ("id", "int"):
        return [empty, pa.Check.str_matches(f"^{_number(col.kind, raw_file.decimal)}$", error="not a whole number"),
                too_large]
    if col.kind == "float":
        mark = raw_file.decimal
        return [empty, pa.Check.str_matches(f"^{_number('float', mark)}$",
                                            error=f"not a number with '{mark}' decimal mark"), too_large]
    reason = "unknown period" if col.raw == "Период" else "unknown category"
    return [empty, pa.Check.isin(col.categories, error=f"{reason} (expected one of {list(col.categories)})")]


def _value_checks(col: Column) -> list[pa.Check]:
    if col.kind not in ("int", "float"):
        return []
    checks = [pa.Check.ge(0, error="negative")]
    if col.name in SHARES:
        checks.append(pa.Check.le(1, error="a share above 1"))
    return checks


def _failures(schema: pa.DataFrameSchema, df: pd.DataFrame) -> pd.DataFrame:
    """(index, column, reason, value) of every cell a schema rejects, the first reason per cell."""
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases.dropna(subset=["index"])
        cases = cases.assign(order=cases["check_number"].astype(float)).sort_values(["index", "column", "order"])
        cases = cases.drop_duplicates(["index", "column"])
        reason = cases["check"].astype(str).str.split(" \\(expected").str[0]
        return pd.DataFrame({"index": cases["index"].astype(int), "column": cases["column"], "reason": reason,
                             "value": cases["failure_case"].astype(str)})
    return pd.DataFrame({"index": pd.Series([], dtype="int64"), "column": pd.Series([], dtype="str"),
                         "reason": pd.Series([], dtype="str"), "value": pd.Series([], dtype="str")})


def _faults(ids, file: str, column, lines, reason, values="") -> pd.DataFrame:
    """Quarantine rows; `lines` None where the fault has no line (a customer missing from a file)."""
    ids = [str(i) for i in ids]
    n = len(ids)
    line = pd.array([pd.NA] * n if lines is None else [int(v) for v in lines], dtype="Int64")
    return pd.DataFrame({"id": pd.array(ids, dtype="str"), "file": file,
                         "column": np.broadcast_to(np.asarray(column, dtype=object), n).copy(), "line": line,
                         "reason": np.broadcast_to(np.asarray(reason, dtype=object), n).copy(),
                         "value": np.broadcast_to(np.asarray(values, dtype=object), n).astype(str)})


def _decimal_mark_error(raw_file: RawFile, df: pd.DataFrame, failures: pd.DataFrame) -> None:
    """A float column where most cells use the other decimal mark is a file fault, not many row faults."""
    other = "." if raw_file.decimal == "," else ","
    for col in (c for c in raw_file.columns if c.kind == "float" and c.raw in df.columns):
        wrong = failures[(failures["column"] == col.raw) & failures["value"].str.fullmatch(_number("float", other))]
        if len(df) and len(wrong) > len(df) / 2:
            raise DataError(f"{raw_file.name}: column '{col.raw}': numbers written with the decimal mark {other!r}, "
                            f"expected {raw_file.decimal!r}: {examples(wrong['value'].head(EXAMPLES))}")


def _plain(raw_file: RawFile, col: Column, column: pd.Series) -> np.ndarray:
    """The cells that pass every check of `_cell_checks` for sure. Only rows with another cell go through the
    schema, which names the fault: pandera takes minutes on a million clean rows."""
    if col.kind not in ("id", "int", "float"):
        return column.isin(col.categories).to_numpy()
    values = column.tolist()
    number = _number(col.kind, raw_file.decimal, r"\d{1,15}")  # within too_large's 15 digits
    text = "\n".join(values)  # the whole column at once where every cell is plain (one match, not a million)
    if text.count("\n") == len(values) - 1 and re.fullmatch(f"(?:{number}\n)*+{number}", text):
        return np.ones(len(values), dtype=bool)
    match = re.compile(number).fullmatch
    return np.fromiter((match(v) is not None for v in values), dtype=bool, count=len(values))


def _typed(values: pd.Series, col: Column, decimal: str) -> pd.Series:
    """A checked column's numbers: a whole number may end in a decimal zero (5.0), a float in either mark."""
    cells = values.tolist()
    if col.kind == "float" and decimal != ".":
        cells = [v.replace(decimal, ".") for v in cells]
    elif col.kind != "float" and ("." in (text := "".join(cells)) or "," in text):
        cells = [v.partition(".")[0].partition(",")[0] for v in cells]
    return pd.Series(np.array(cells, dtype=object).astype("float64" if col.kind == "float" else "int64"),
                     index=values.index)


def read_file(path: Path, raw_file: RawFile, optional: tuple[str, ...] = ()):
    """One file under the contract: (typed frame of its good rows with `line`, faults, typos fixed, note)."""
    if not path.is_file():
        raise DataError(f"{raw_file.name}: file not found in {path.parent}")
    text, note = _decode(path, raw_file)
    header, lines, rows = _rows(text, raw_file)
    if not header:
        raise DataError(f"{raw_file.name}: the file is empty (no header, only blank lines)")
    expected = [c.raw for c in raw_file.columns]
    missing = [c for c in expected if c not in header and c not in optional]
    if missing:
        raise DataError(f"{raw_file.name}: missing column(s) {missing}; found {header}"
                        + _separator_hint(header, raw_file))
    repeated = sorted({c for c in header if header.count(c) > 1 and c in expected})
    if repeated:
        raise DataError(f"{raw_file.name}: column(s) {repeated} appear more than once in the header")
    if not rows:
        raise DataError(f"{raw_file.name}: no rows, only the header")
    width = len(header)
    fits = np.fromiter((len(fields) == width for fields in rows), dtype=bool, count=len(rows))
    ragged = [(line, rows[i]) for i, line in enumerate(lines) if not fits[i]]
    faults = [_faults([f[0].strip() for _, f in ragged], raw_file.name, "", [line for line, _ in ragged],
                      f"a row of another number of fields than the header's {width}",
                      [str(len(f)) for _, f in ragged])]
    good = [fields for fields, fit in zip(rows, fits, strict=True) if fit]
    lines = np.array(lines, dtype="int64")[fits]
    columns = [c for c in raw_file.columns if c.raw in header]
    cells = list(zip(*good, strict=True)) or [()] * width
    df = pd.DataFrame({c.raw: pd.array([v.strip() for v in cells[header.index(c.raw)]], dtype="str")
                       for c in columns})

    fixed = 0
    for column, mapping in TYPOS.get(raw_file.name, {}).items():
        if column in df.columns:
            fixed += int(df[column].isin(list(mapping)).sum())
            df[column] = df[column].replace(mapping)

    plain = np.ones(len(df), dtype=bool)
    for col in columns:
        plain &= _plain(raw_file, col, df[col.raw])
    text_failures = _failures(pa.DataFrameSchema({c.raw: pa.Column(str, checks=_cell_checks(raw_file, c))
                                                  for c in columns}), df[~plain])
    _decimal_mark_error(raw_file, df, text_failures)
    bad = np.zeros(len(df), dtype=bool)
    bad[text_failures["index"].to_numpy()] = True
    clean = df[~bad].copy()
    for col in columns:
        if col.kind in ("id", "int", "float"):
            clean[col.raw] = _typed(clean[col.raw], col, raw_file.decimal)
    value_failures = _failures(pa.DataFrameSchema({c.raw: pa.Column(checks=_value_checks(c)) for c in columns
                                                   if _value_checks(c)}), clean.reset_index(drop=True))
    value_failures["index"] = clean.index.to_numpy()[value_failures["index"].to_numpy(dtype="int64")]
    failures = pd.concat([text_failures, value_failures], ignore_index=True).astype({"index": "int64"})
    ids = df["id"].to_numpy()
    faults.append(_faults(ids[failures["index"].to_numpy()], raw_file.name, failures["column"].to_numpy(),
                          lines[failures["index"].to_numpy()], failures["reason"].to_numpy(),
                          failures["value"].to_numpy()))
    typed = clean.drop(index=value_failures["index"].to_numpy())
    typed = typed.rename(columns={c.raw: c.name for c in columns})
    if TARGET in typed.columns:
        typed[TARGET] = (typed[TARGET] == MARKET_FILE.columns[1].categories[0]).astype("int64")
    typed.insert(len(typed.columns), "line", lines[typed.index.to_numpy()])
    return typed.reset_index(drop=True), pd.concat(faults, ignore_index=True), fixed, note


def _repeated(frame: pd.DataFrame, keys: list[str], file: str, reason: str) -> pd.DataFrame:
    rows = frame[frame.duplicated(keys, keep=False)]
    return _faults(rows["id"], file, "id" if keys == ["id"] else "Период", rows["line"], reason,
                   rows[keys[-1]].astype(str) if keys != ["id"] else "")


def _missing_periods(frame: pd.DataFrame, file: str, base: list[int]) -> pd.DataFrame:
    """Customers of market_file.csv without a row for every period of a long file."""
    periods = PERIODS[file]
    present, rows = set(frame["id"]), set(zip(frame["id"].tolist(), frame["period"].tolist(), strict=True))
    absent = [i for i in base if i not in present]
    missing = {i: [p for p in periods if (i, p) not in rows] for i in base if i in present}
    short = [i for i, lack in missing.items() if lack]
    lacking = [", ".join(missing[i]) for i in short]
    return pd.concat([_faults(absent, file, "id", None, f"not in {file}"),
                      _faults(short, file, "Период", None, "a period row missing", lacking)], ignore_index=True)


@_without_cycle_collection()
def read_export(directory, with_money: bool = True, require_target: bool = True) -> Export:
    """The export of a folder under the contract (see the module's docstring)."""
    directory = Path(directory)
    files = [MARKET_FILE, MARKET_MONEY, MARKET_TIME] + ([MONEY] if with_money else [])
    frames, faults, rows_read, typos, notes = {}, {}, {}, {}, []
    for raw_file in files:
        optional = () if require_target or raw_file is not MARKET_FILE else (TARGET_RAW,)
        name = raw_file.name
        frames[name], faults[name], typos[name], note = read_file(directory / name, raw_file, optional)
        rows_read[name] = len(frames[name]) + faults[name]["line"].nunique()
        notes += [note] if note else []
    market = MARKET_FILE.name
    named = faults[market]["id"][faults[market]["id"].str.fullmatch(ID_PATTERN)].astype("int64")
    base = sorted(set(frames[market]["id"]) | set(named))  # every customer of market_file.csv, good or not
    base_text = {str(i) for i in base}
    parts, extra = [faults[market], _repeated(frames[market], ["id"], market, "a customer repeated")], {}
    for name in [f.name for f in files if f.name != market]:
        frame, file_faults = frames[name], faults[name]
        outside = set(frame.loc[~frame["id"].isin(base), "id"].astype(str)) \
            | set(file_faults.loc[~file_faults["id"].isin(base_text), "id"])
        extra[name] = len(outside)
        frame = frame[frame["id"].isin(base)]
        parts.append(file_faults[file_faults["id"].isin(base_text)])
        faulty = {int(i) for i in file_faults["id"] if i in base_text}  # a broken row is not also a missing one
        rest = [i for i in base if i not in faulty]
        if name in PERIODS:
            parts += [_repeated(frame, ["id", "period"], name, "a period row repeated"),
                      _missing_periods(frame, name, rest)]
        else:
            present = set(frame["id"])
            absent = [i for i in rest if i not in present]
            parts += [_repeated(frame, ["id"], name, "a customer repeated"),
                      _faults(absent, name, "id", None, f"not in {name}")]
        frames[name] = frame
    quarantine = pd.concat(parts, ignore_index=True)[QUARANTINE].reset_index(drop=True)
    gone = set(quarantine["id"])
    frames = {name: f[~f["id"].astype(str).isin(gone)].drop(columns="line").reset_index(drop=True)
              for name, f in frames.items()}
    return Export(frames, quarantine, rows_read, typos, extra, notes)
