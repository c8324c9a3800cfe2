"""A DataFrame as a GitHub Markdown table, without an extra dependency (pandas needs `tabulate` for that)."""

import pandas as pd


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def table_lines(header, rows) -> list[str]:
    """Header, rule and one line per row; floats with 4 significant digits, `|` escaped."""
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]


def markdown_table(df: pd.DataFrame) -> str:
    return "\n".join(table_lines(list(df.columns), df.itertuples(index=False))) + "\n"
