"""Readable names for plots and tables, taken from the data dictionary (oneclick/data/columns.py)."""

from oneclick.data.columns import MARKET_FILE, NEGATIVE_LABEL, POSITIVE_LABEL, TARGET, WIDE_COLUMNS

# the target's two values, as the plots and tables of every stage name them
CLASS_NAMES = {0: f"kept ({NEGATIVE_LABEL})", 1: f"decreased ({POSITIVE_LABEL})"}

_RAW_AND_UNIT = {
    **{c.name: (c.raw, c.unit) for c in MARKET_FILE.columns},
    **{name: (f"{raw} ({meaning.split(', ')[-1]})", unit) for name, (raw, meaning, unit) in WIDE_COLUMNS.items()},
}


def label(name: str) -> str:
    """`pages_per_visit — Страниц_за_визит, pages`: the model-table name, the original name and the unit."""
    if name == TARGET:
        return f"{TARGET} — {MARKET_FILE.columns[1].raw}"
    raw, unit = _RAW_AND_UNIT.get(name, ("", ""))
    text = f"{name} — {raw}" if raw else name
    return f"{text}, {unit}" if unit else text


def unit(name: str) -> str:
    """A model-table column's unit from the data dictionary ('' for categories and names it does not hold)."""
    return _RAW_AND_UNIT.get(name, ("", ""))[1]


def one_hot_name(feature: str, category: str) -> str:
    """`popular_category=Товары для детей`: the pipeline's name for one category's indicator (raw_column inverts it)."""
    return f"{feature}={category}"


def raw_column(feature: str) -> str:
    """The model-table column a transformed feature comes from: `popular_category=Товары для детей` → its column."""
    return feature.split("=", 1)[0]
