"""EDA: every feature is drawn, the IQR outlier counts, byte-identical images."""

import pytest
from test_params import changed

from oneclick.common.errors import ParamsError
from oneclick.data.columns import NUMERIC, TARGET
from oneclick.insight.eda import NUMERIC_GROUPS, eda_figures, summary_markdown, summary_table
from oneclick.labels import CLASS_NAMES, label
from oneclick.plots import save_figure
from tools.check_params import validate


def test_every_numeric_feature_is_in_exactly_one_image():
    grouped = [c for columns in NUMERIC_GROUPS.values() for c in columns]
    assert sorted(grouped) == sorted(NUMERIC)


def test_labels_carry_the_original_name_and_unit():
    assert label("pages_per_visit") == "pages_per_visit — Страниц_за_визит, pages"
    assert label("revenue_prev2") == "revenue_prev2 — Выручка (препредыдущий_месяц), roubles"


def test_summary_counts_outliers_by_the_iqr_rule(synthetic_table):
    table = synthetic_table.copy()
    table["promo_share"] = [0.5] * (len(table) - 3) + [0.4, 0.6, 5.0]  # IQR 0: 0.4, 0.6 and 5.0 are outside
    table[TARGET] = [0] * (len(table) - 2) + [1, 1]
    summary = summary_table(table, iqr_k=1.5).set_index(["feature", "class"])
    row = summary.loc[("promo_share", "all")]
    assert (row["iqr_low"], row["iqr_high"], row["outliers"]) == (0.5, 0.5, 3)
    assert summary.loc[("promo_share", CLASS_NAMES[1]), "outliers"] == 2
    assert summary.loc[("promo_share", CLASS_NAMES[0]), "count"] == len(table) - 2
    assert set(summary.index.get_level_values("feature")) == set(NUMERIC)
    wider = summary_table(table, iqr_k=1000).set_index(["feature", "class"])
    assert wider.loc[("promo_share", "all"), "outliers"] == 3  # a zero IQR keeps the fences at the median


def test_summary_markdown_has_a_row_per_feature_and_class(synthetic_table):
    summary = summary_table(synthetic_table, iqr_k=1.5)
    text = summary_markdown(summary, 1.5)
    table_lines = [line for line in text.splitlines() if line.startswith("|")]
    assert len(table_lines) == 2 + len(NUMERIC) * 3
    assert "| pages_per_visit | decreased (Снизилась) |" in text


def test_images_are_byte_identical_across_runs(synthetic_table, tmp_path):
    runs = []
    for run in ("a", "b"):
        for name, fig in eda_figures(synthetic_table, bins=20, iqr_k=1.5).items():
            save_figure(fig, tmp_path / run / name)
        runs.append({p.name: p.read_bytes() for p in sorted((tmp_path / run).iterdir())})
    assert set(runs[0]) == {f"numeric_{g}.png" for g in NUMERIC_GROUPS} | {"categorical.png", "periods.png"}
    assert runs[0] == runs[1]


def test_figures_change_with_the_data(synthetic_table, tmp_path):
    """The byte comparison above is meaningful: other data gives other bytes."""
    shifted = synthetic_table.assign(pages_per_visit=synthetic_table["pages_per_visit"] + 3)
    for run, table in (("a", synthetic_table), ("b", shifted)):
        save_figure(eda_figures(table, 20, 1.5)["numeric_site_behaviour.png"], tmp_path / f"{run}.png")
    assert (tmp_path / "a.png").read_bytes() != (tmp_path / "b.png").read_bytes()


@pytest.mark.parametrize("key, value", [("eda.bins", 1), ("eda.iqr_k", -1)])
def test_bad_eda_params_name_the_key(key, value):
    with pytest.raises(ParamsError, match=key.replace(".", r"\.")):
        validate(changed(key, value))
