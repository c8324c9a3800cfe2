"""The data dictionary page names every column the code knows."""

from conftest import ROOT

from oneclick.columns import RAW_FILES, WIDE_COLUMNS


def test_data_dictionary_lists_every_column():
    page = (ROOT / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    for raw_file in RAW_FILES:
        for column in raw_file.columns:
            assert f"| {column.raw} | `{column.name}` |" in page, column.name
    for name in WIDE_COLUMNS:
        assert f"`{name}`" in page
