"""The data dictionary: raw file formats, Russian → English names, known typos.

Everything that knows what the store's files look like lives here, once: the
loader validates against it, the synthetic generator writes it, the docs
describe it (docs/data_dictionary.md is checked against it by a test).
"""

from dataclasses import dataclass

TARGET_RAW = "Покупательская активность"
TARGET = "activity_decreased"
POSITIVE_LABEL = "Снизилась"
NEGATIVE_LABEL = "Прежний уровень"


@dataclass(frozen=True)
class Column:
    raw: str
    name: str
    meaning: str
    unit: str
    kind: str  # "id", "target", "nominal", "ordinal", "int", "float"
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class RawFile:
    name: str
    sep: str
    decimal: str
    columns: tuple[Column, ...]


ID = Column("id", "id", "customer id", "", "id")
ID_PATTERN = r"\d{1,15}"  # an id cell as the contract reads it: a whole number of at most 15 digits

MARKET_FILE = RawFile(
    "market_file.csv",
    sep=",",
    decimal=".",
    columns=(
        ID,
        Column(TARGET_RAW, TARGET, "purchase activity fell in the next 3 months (1) or stayed (0)", "",
               "target", (POSITIVE_LABEL, NEGATIVE_LABEL)),
        Column("Тип сервиса", "service_type", "service level", "", "ordinal", ("стандарт", "премиум")),
        Column("Разрешить сообщать", "allow_messages", "consent to marketing messages", "", "nominal",
               ("да", "нет")),
        Column("Маркет_актив_6_мес", "marketing_6m", "marketing contacts per month, last 6 months",
               "contacts/month", "float"),
        Column("Маркет_актив_тек_мес", "marketing_current", "marketing contacts this month",
               "contacts", "int"),
        Column("Длительность", "tenure_days", "days since registration", "days", "int"),
        Column("Акционные_покупки", "promo_share", "share of purchases on promotion, last 6 months",
               "share 0-1", "float"),
        Column("Популярная_категория", "popular_category", "most bought category, last 6 months", "",
               "nominal", ("Товары для детей", "Домашний текстиль", "Косметика и аксессуары",
                           "Техника для красоты и здоровья", "Мелкая бытовая техника и электроника",
                           "Кухонная посуда")),
        Column("Средний_просмотр_категорий_за_визит", "categories_per_visit",
               "categories viewed per visit, last month", "categories", "int"),
        Column("Неоплаченные_продукты_штук_квартал", "unpaid_items_quarter",
               "items left unpaid in the cart, last 3 months", "items", "int"),
        Column("Ошибка_сервиса", "service_errors", "service errors the customer hit", "errors", "int"),
        Column("Страниц_за_визит", "pages_per_visit", "pages viewed per visit, last 3 months", "pages",
               "int"),
    ),
)

PERIOD_RAW = "Период"
MONEY_PERIODS = {"препредыдущий_месяц": "prev2", "предыдущий_месяц": "prev", "текущий_месяц": "current"}
TIME_PERIODS = {"предыдущий_месяц": "prev", "текущий_месяц": "current"}

MARKET_MONEY = RawFile(
    "market_money.csv",
    sep=",",
    decimal=".",
    columns=(
        ID,
        Column(PERIOD_RAW, "period", "month", "", "nominal", tuple(MONEY_PERIODS)),
        Column("Выручка", "revenue", "revenue from the customer in the month", "roubles", "float"),
    ),
)

MARKET_TIME = RawFile(
    "market_time.csv",
    sep=",",
    decimal=".",
    columns=(
        ID,
        Column(PERIOD_RAW, "period", "month", "", "nominal", tuple(TIME_PERIODS)),
        Column("минут", "minutes", "minutes on the site in the month", "minutes", "int"),
    ),
)

MONEY = RawFile(
    "money.csv",
    sep=";",
    decimal=",",
    columns=(
        ID,
        Column("Прибыль", "profit", "mean monthly profit from the customer, last 3 months",
               "thousand roubles", "float"),
    ),
)

RAW_FILES = (MARKET_FILE, MARKET_MONEY, MARKET_TIME, MONEY)

# Known misspellings in the published files, fixed on load: file -> column -> {typo: fix}.
TYPOS = {
    "market_file.csv": {
        "Тип сервиса": {"стандартт": "стандарт"},
        "Популярная_категория": {"Косметика и аксесуары": "Косметика и аксессуары"},
    },
    "market_time.csv": {PERIOD_RAW: {"предыдцщий_месяц": "предыдущий_месяц"}},
}

# Wide columns made from the long revenue/minutes tables, with their meaning.
WIDE_COLUMNS = {
    **{f"revenue_{p}": ("Выручка", f"revenue, {raw}", "roubles") for raw, p in MONEY_PERIODS.items()},
    **{f"minutes_{p}": ("минут", f"minutes on the site, {raw}", "minutes") for raw, p in TIME_PERIODS.items()},
}


def by_kind(*kinds: str) -> list[str]:
    """Model-table columns of market_file.csv of the given kinds, in file order."""
    return [c.name for c in MARKET_FILE.columns if c.kind in kinds]


NOMINAL = by_kind("nominal")
ORDINAL = {c.name: list(c.categories) for c in MARKET_FILE.columns if c.kind == "ordinal"}
NUMERIC = by_kind("int", "float") + list(WIDE_COLUMNS)
FEATURES = NUMERIC + list(ORDINAL) + NOMINAL
