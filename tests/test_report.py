"""reports/report.md from fixture outputs: every model and segment, no placeholder, nothing invented."""

import re

import pytest
from segment_fixtures import PARAMS, customers_and_profit, importance, random_scores, segment_spec

from oneclick.errors import DataError
from oneclick.io import write_csv, write_json
from oneclick.report import load_inputs, render
from oneclick.segment_plots import PROFILES, PROFIT_AT_RISK, SCATTER
from oneclick.targeting import build, segment_metrics

MODELS = ["dummy", "knn", "logreg"]


def write_outputs(root, synthetic_dir):
    """The files the stages before `report` write, with made-up but consistent figures."""
    for i, name in enumerate(MODELS):
        write_json(root / f"metrics/cv/train/{name}.json", {
            "cv_roc_auc": 0.5 + 0.1 * i, "cv_roc_auc_std": 0.01 * (i + 1), "model": name, "estimator": name,
            "best_params": {"scaler": "none"} if i == 0 else {"C": 0.5, "scaler": "standard"},
            "candidates": 2, "folds": 5, "repeats": 2})
    write_json(root / "metrics/selection.json", {"cv_roc_auc": 0.7, "cv_roc_auc_std": 0.03, "model": "logreg",
                                                 "best_params": {"C": 0.5, "scaler": "standard"},
                                                 "rule": "best: the highest mean CV ROC-AUC",
                                                 "rule_reason": "logreg has the highest mean CV ROC-AUC",
                                                 "ranking": {"logreg": 0.7, "knn": 0.6, "dummy": 0.5}})
    write_json(root / "metrics/production.json", {
        "cv_roc_auc": 0.7321, "cv_roc_auc_std": 0.0211, "model": "knn", "estimator": "knn",
        "best_params": {"n_neighbors": 40}, "part": "labelled", "rows": 1296, "folds": 5, "repeats": 2,
        "rule": "best: the highest mean CV ROC-AUC", "ranking": {"knn": 0.7321, "logreg": 0.7, "dummy": 0.5},
        "ranking_std": {"knn": 0.0211, "logreg": 0.03, "dummy": 0.0}})
    write_json(root / "metrics/test.json", {
        "roc_auc": 0.8766, "roc_auc_ci95_low": 0.8123, "roc_auc_ci95_high": 0.9346, "pr_auc": 0.81,
        "brier": 0.15, "threshold": 0.5, "precision": 0.8, "recall": 0.7, "n_test": 324, "model": "logreg"})
    write_json(root / "metrics/data_quality.json", {
        "rows_read": {"market_file.csv": 1300}, "typos_fixed": {"market_file.csv": 259},
        "rows_dropped": {"no revenue in at least one of the 3 months": 4}, "rows_kept": 1296,
        "rows_repeating_all_but_id": 10, "target_share_decreased": 0.383})
    write_json(root / "metrics/explain.json", {"explainer": "KernelExplainer", "top_features": ["promo_share"]})
    write_json(root / "metrics/correlation.json", {"max_pair": {"features": ["minutes_prev", "minutes_current"],
                                                                "phik": 0.7123},
                                                   "max_vif": {"feature": "revenue_prev", "vif": 4.5678}})
    write_csv(root / "plots/importance.csv", importance())
    kept, profit = customers_and_profit(synthetic_dir)
    _, summary, profile, plan = build(random_scores(kept), kept, profit, importance(), segment_spec())
    write_json(root / "metrics/segments.json", segment_metrics(summary, plan))
    write_json(root / "metrics/segment_plan.json", plan)
    write_csv(root / "plots/segment_profiles.csv", profile)
    return summary, plan


@pytest.fixture(scope="module")
def report(tmp_path_factory, synthetic_dir):
    root = tmp_path_factory.mktemp("outputs")
    summary, plan = write_outputs(root, synthetic_dir)
    text = render(load_inputs(root), PARAMS["report"]["top_features"], PARAMS["segment"]["profile_top"])
    return text, summary, plan, root


def test_report_has_every_model_and_segment(report):
    text, summary, plan, _ = report
    for model in MODELS:
        assert re.search(rf"^\| (\*\*)?{model}(\*\*)? \| {model} \| 0\.\d{{4}} \|", text, re.M), model
    assert "Chosen: **logreg** (CV ROC-AUC 0.7000 ± 0.0300)" in text
    assert "Shipped: **knn** (CV ROC-AUC 0.7321 ± 0.0211) with n_neighbors=40" in text
    assert "every labelled customer" in text and "all 1296 of them" in text
    for row in summary.itertuples():
        line = next(line for line in text.splitlines() if line.startswith(f"| {row.segment} ")
                    or line.startswith(f"| **{row.segment}** "))
        assert f"| {row.customers} |" in line and f"| {row.profit_at_risk:.1f} |" in line
        assert f"| {plan['segments'][row.segment]['offer']} |" in line
    priority = plan["names"]["high_risk_high_profit"]
    assert f"## Recommendations for the priority segment: {priority}" in text
    assert plan["segments"][priority]["evidence"][0] in text
    assert f"needs {plan['segments'][priority]['experiment']['needed_per_arm']} customers per arm" in text


def test_report_figures_come_from_the_files(report):
    text, *_ = report
    assert "ROC-AUC **0.877** (95 % bootstrap interval 0.812 to 0.935)" in text
    assert "`minutes_prev` and `minutes_current` (phik 0.71)" in text and "`revenue_prev` (4.57)" in text
    assert "KernelExplainer" in text and "| 1 | `marketing_6m` | 1.0000 | higher values lower the risk |" in text
    assert "rule best: the highest mean CV ROC-AUC (logreg has the highest mean CV ROC-AUC)." in text


def test_report_has_no_placeholder_and_links_the_images(report):
    text, *_ = report
    for bad in (r"\bnan\b", r"\bNone\b", r"\bNaN\b", r"TODO", r"[{}]", r"\binf\b"):
        assert not re.search(bad, text), bad
    links = re.findall(r"!\[[^]]*\]\(([^)]+)\)", text)
    assert links == [f"../{path}" for path in (SCATTER, PROFIT_AT_RISK, PROFILES)]
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_a_missing_output_is_named(report, tmp_path, synthetic_dir):
    write_outputs(tmp_path, synthetic_dir)
    (tmp_path / "metrics/correlation.json").unlink()
    with pytest.raises(DataError, match="metrics/correlation.json: not found; run `dvc repro`"):
        load_inputs(tmp_path)
