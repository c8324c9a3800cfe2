"""Read the four raw files, fix known typos, validate, and return typed frames.

Every problem with a file becomes one DataError naming the file, the column
and example offending values with their line numbers in the file.
"""

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandas.errors import EmptyDataError, ParserError

from oneclick.common.errors import DataError
from oneclick.data.columns import (
    MARKET_FILE,
    MARKET_MONEY,
    MARKET_TIME,
    MONEY,
    TARGET,
    TARGET_RAW,
    TYPOS,
    Column,
    RawFile,
)

EXAMPLES = 5  # offending values shown per failing check
NUMBER = {".": r"-?\d+(\.\d+)?", ",": r"-?\d+(,\d+)?"}
SHARES = {"promo_share"}  # numeric columns bounded by 1


def examples(values) -> str:
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:EXAMPLES])
    more = f" and {len(values) - EXAMPLES} more" if len(values) > EXAMPLES else ""
    return f"[{shown}{more}]"


def _raw_schema(raw_file: RawFile, columns: list[Column]) -> pa.DataFrameSchema:
    """Checks on the file's text, before any conversion: format, categories, ids."""
    checks = {}
    for col in columns:
        if col.kind == "id":
            check = [pa.Check.str_matches(r"^\d+$", error="not a whole number")]
        elif col.kind in ("int", "float"):
            pattern = NUMBER[raw_file.decimal] if col.kind == "float" else r"-?\d+"
            kind = f"number with '{raw_file.decimal}' decimal mark" if col.kind == "float" else "whole number"
            check = [pa.Check.str_matches(f"^{pattern}$", error=f"not a {kind}")]
        else:
            check = [pa.Check.isin(col.categories, error=f"unknown value (expected one of {list(col.categories)})")]
        checks[col.raw] = pa.Column(str, checks=check, nullable=False,
                                    unique=col.kind == "id" and raw_file in (MARKET_FILE, MONEY))
    return pa.DataFrameSchema(checks, strict=False)


def _value_schema(columns: list[Column]) -> pa.DataFrameSchema:
    """Checks on converted values: no negative counts or money, shares within [0, 1]."""
    checks = {}
    for col in columns:
        if col.kind in ("int", "float"):
            check = [pa.Check.ge(0, error="negative")]
            if col.name in SHARES:
                check.append(pa.Check.le(1, error="a share above 1"))
            checks[col.raw] = pa.Column(checks=check)
    return pa.DataFrameSchema(checks, strict=False)


def _validate(schema: pa.DataFrameSchema, df: pd.DataFrame, name: str) -> None:
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise DataError(_format_failures(err.failure_cases, name)) from None


def _format_failures(cases: pd.DataFrame, name: str) -> str:
    lines = [f"{name}: invalid values"]
    for (column, check), group in cases.groupby(["column", "check"], sort=False, dropna=False):
        if str(check) == "field_uniqueness":
            check = "duplicate id"
        values = group["failure_case"].drop_duplicates()
        rows = sorted({int(i) + 2 for i in group["index"].dropna()})
        where = f" at lines {examples(rows)}" if rows else ""
        lines.append(f"  column '{column}': {check}: {examples(values)}{where}")
    return "\n".join(lines)


def read_raw(directory, raw_file: RawFile, optional: tuple[str, ...] = ()):
    """Read one raw file as text, fix typos, validate, convert; return (frame, typos fixed).

    Columns are renamed to their English names. `optional` lists raw column
    names that may be absent (the target in files to score).
    """
    path = Path(directory) / raw_file.name
    if not path.is_file():
        raise DataError(f"{raw_file.name}: file not found in {directory}")
    try:
        df = pd.read_csv(path, sep=raw_file.sep, dtype=str, keep_default_na=False, encoding="utf-8")
    except (ParserError, EmptyDataError, UnicodeDecodeError) as err:
        raise DataError(f"{raw_file.name}: cannot be parsed as '{raw_file.sep}'-separated UTF-8 CSV: {err}") from None

    expected = [c.raw for c in raw_file.columns]
    missing = [c for c in expected if c not in df.columns and c not in optional]
    if missing:
        hint = ""
        if len(df.columns) == 1:
            hint = f" (the file has one column: is the separator not '{raw_file.sep}'?)"
        raise DataError(f"{raw_file.name}: missing column(s) {missing}; found {list(df.columns)}{hint}")
    columns = [c for c in raw_file.columns if c.raw in df.columns]
    df = df[[c.raw for c in columns]]

    fixed = 0
    for column, mapping in TYPOS.get(raw_file.name, {}).items():
        if column in df.columns:
            fixed += int(df[column].isin(list(mapping)).sum())
            df[column] = df[column].replace(mapping)

    _validate(_raw_schema(raw_file, columns), df, raw_file.name)
    for col in columns:
        if col.kind == "id" or col.kind == "int":
            df[col.raw] = df[col.raw].astype("int64")
        elif col.kind == "float":
            df[col.raw] = df[col.raw].str.replace(raw_file.decimal, ".", regex=False).astype("float64")
    _validate(_value_schema(columns), df, raw_file.name)

    df = df.rename(columns={c.raw: c.name for c in columns})
    if TARGET in df.columns:
        df[TARGET] = (df[TARGET] == MARKET_FILE.columns[1].categories[0]).astype("int64")
    return df, fixed


def read_all(directory, with_money: bool = True, require_target: bool = True):
    """Read the raw files of one folder: {file name: frame}, {file name: typos fixed}."""
    files = [MARKET_FILE, MARKET_MONEY, MARKET_TIME] + ([MONEY] if with_money else [])
    frames, typos = {}, {}
    for raw_file in files:
        optional = () if require_target or raw_file is not MARKET_FILE else (TARGET_RAW,)
        frames[raw_file.name], typos[raw_file.name] = read_raw(directory, raw_file, optional)
    return frames, typos
