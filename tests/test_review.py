"""The review's metrics table (tools/review.py): the headline figures first, then the rest by file and metric."""

from tools.review import metrics_table


def test_headline_figures_come_first_then_file_and_metric_order():
    change = {"old": 1.0, "new": 2.0, "diff": 1.0}
    diff = {  # as `dvc metrics diff --json` gives it: files and metrics in no particular order
        "metrics/save_rates.json": {"recommendations.posterior.beta": change, "cart_reminder.posterior.alpha": change},
        "metrics/campaign.json": {"spend": change, "test.emp_per_1000": change, "expected_profit_high": change,
                                  "expected_profit": change},
        "metrics/cv/train/svc.json": {"cv_roc_auc": change},
        "metrics/test.json": {"roc_auc_ci95_low": change, "roc_auc": {"old": 0.9, "new": 0.91, "diff": 0.01}},
    }
    lines = metrics_table(diff)
    assert lines[0] == "| file | metric | base | head | change |"
    rows = [[cell.strip() for cell in line.strip("|").split("|")][:2] for line in lines[2:]]
    assert rows == [
        ["`metrics/test.json`", "**roc_auc**"],
        ["`metrics/campaign.json`", "**expected_profit**"],
        ["`metrics/campaign.json`", "**test.emp_per_1000**"],
        ["`metrics/campaign.json`", "expected_profit_high"],
        ["`metrics/campaign.json`", "spend"],
        ["`metrics/cv/train/svc.json`", "cv_roc_auc"],
        ["`metrics/save_rates.json`", "cart_reminder.posterior.alpha"],
        ["`metrics/save_rates.json`", "recommendations.posterior.beta"],
        ["`metrics/test.json`", "roc_auc_ci95_low"],
    ]
    assert lines[2].endswith("| 0.9000 | 0.9100 | +0.0100 |")


def test_a_headline_figure_that_did_not_change_is_not_listed():
    lines = metrics_table({"metrics/test.json": {"roc_auc_ci95_low": {"old": 0.8, "new": 0.81, "diff": 0.01}}})
    assert len(lines) == 3 and "roc_auc_ci95_low" in lines[2]
