"""Every file and folder the pipeline reads or writes, relative to the repository root, named once.

dvc.yaml names the same paths for DVC (tests/test_dvc_yaml.py holds the two together); the stages, the
commands and the tests use these names. The kind of file is part of the name: a `_PNG` is an image, a
`_METRICS` a metrics file for `dvc metrics diff`, a `_PLOT` plot data for `dvc plots`.
"""

from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]  # the checkout this package belongs to: the commands' default repo

# data: the exports and what the stages make of them (DVC outputs, git-ignored)
RAW_ROOT = "data/raw"  # imported exports (python -m oneclick.raw_import): data/raw/<name>/
CAMPAIGNS_ROOT = "data/raw/campaigns"  # imported campaigns: data/raw/campaigns/<name>/
SYNTHETIC = "data/synthetic"  # the synthetic store of stage synthesize
SIMULATED_MONTHS = "data/simulated/months"  # its later monthly exports: data/simulated/months/<name>/
SIMULATED_CAMPAIGNS = "data/simulated/campaigns"  # the demo campaign of stage simulate
LABELLED = "data/processed/labelled.csv"  # the model table: one row per labelled customer
EXCLUDED = "data/processed/excluded.csv"  # customers prepare dropped, with the reason
PROFIT = "data/processed/profit.csv"
TRAIN = "data/processed/train.csv"
TEST = "data/processed/test.csv"
READOUTS = "data/readouts"  # per campaign read out: its customers, their design record and outcome
SEGMENTS = "data/segments.csv"  # every labelled customer's leak-free probability, profit and segment
CAMPAIGN = "data/campaign.csv"  # the contact list of the labelled customers
CONTACTS = "contacts.csv"  # in a campaign folder: the contact list sent ...
OUTCOMES = "outcomes"  # ... and the export after it


def part_data(part: str) -> str:
    """The customers of one pass: train, or labelled (every labelled customer)."""
    return f"data/processed/{part}.csv"


def part_scores(part: str) -> str:
    """Out-of-fold scores and calibrated probabilities of a pass's customers (select@<pass>)."""
    return f"data/scores/{part}.csv"


# models: each pass's winner, with what travels with it in its folder (oneclick/model/artifact.py)
SELECTED_MODEL = "models/model.skops"  # train pass: what evaluate, explain and segment use
PRODUCTION_MODEL = "models/production/model.skops"  # every labelled customer: what ships and predict uses
PASS_MODEL = {"train": SELECTED_MODEL, "labelled": PRODUCTION_MODEL}
MODEL_CARD = "models/production/MODEL_CARD.md"

# metrics: small JSON, committed, for `dvc metrics diff`
DATA_QUALITY_METRICS = "metrics/data_quality.json"
CORRELATION_METRICS = "metrics/correlation.json"
SELECTION_METRICS = "metrics/selection.json"  # the train pass's winner
PRODUCTION_METRICS = "metrics/production.json"  # the production pass's winner
PASS_METRICS = {"train": SELECTION_METRICS, "labelled": PRODUCTION_METRICS}
TEST_METRICS = "metrics/test.json"
TEST_BY_MODEL_METRICS = "metrics/test_by_model.json"
EXPLAIN_METRICS = "metrics/explain.json"
SEGMENTS_METRICS = "metrics/segments.json"
CAMPAIGN_METRICS = "metrics/campaign.json"
SAVE_RATES_METRICS = "metrics/save_rates.json"


def cv_metrics(part: str, model: str) -> str:
    """A model's CV record (best params, mean and std of its CV ROC-AUC) on one pass."""
    return f"metrics/cv/{part}/{model}.json"


def calibration_metrics(part: str) -> str:
    return f"metrics/calibration/{part}.json"


def readout_metrics(campaign: str) -> str:
    return f"metrics/readout/{campaign}.json"


def readout_table(campaign: str) -> str:
    """A read-out's customers: what the campaign did to each, its design record, the outcome, the features."""
    return f"{READOUTS}/{campaign}.csv"


def qini_curves(campaign: str) -> str:
    return f"plots/qini/{campaign}.csv"


def qini_plot(campaign: str) -> str:
    return f"plots/qini/{campaign}.png"


def monitor_metrics(export: str) -> str:
    return f"metrics/monitor/{export}.json"


# plots: data for `dvc plots` and images, committed
EDA_PNG_DIR = "plots/eda"
CORRELATE_PNG_DIR = "plots/correlate"
PHIK_PNG = f"{CORRELATE_PNG_DIR}/phik.png"
ROC_PLOT = "plots/roc.json"
PR_PLOT = "plots/pr.json"
CONFUSION_PLOT = "plots/confusion.csv"
EXPLAIN_PNG_DIR = "plots/explain"
IMPORTANCE_PLOT = "plots/importance.csv"  # SHAP importance of the selected model (feature, importance, direction)
PERMUTATION_PLOT = "plots/permutation_importance.csv"
SEGMENT_PROFILES_PLOT = "plots/segment_profiles.csv"
SEGMENTS_PLOT = "plots/segments.csv"
SEGMENTS_SCATTER_PNG = "plots/segments_scatter.png"
SEGMENT_PROFILES_PNG = "plots/segment_profiles.png"
PROFIT_CURVE_PLOT = "plots/profit_curve.json"
PROFIT_CURVE_PNG = "plots/campaign_profit.png"
SAVE_RATES_PLOT = "plots/save_rates.csv"
SAVE_RATES_PNG = "plots/save_rates.png"
MONITOR_PLOT = "plots/monitor.csv"


def reliability_plot(name: str) -> str:
    """A reliability curve: test_raw, test_calibrated (the test part), oof_<part>_raw, oof_<part>_calibrated."""
    return f"plots/calibration/{name}.json"


# reports: the business report and what a paired review needs
REPORT = "reports/report.md"
EDA_SUMMARY_CSV = "reports/eda_summary.csv"
EDA_SUMMARY_MD = "reports/eda_summary.md"
PHIK_MATRIX = "reports/phik_matrix.csv"
CORRELATED_PAIRS = "reports/correlated_pairs.csv"
VIF = "reports/vif.csv"
TEST_PREDICTIONS = "reports/test_predictions.csv"  # the train pass's winner on each test customer
TEST_CAMPAIGN = "reports/test_campaign.csv"  # the plan and the outcome of each test customer
REVIEW = "reports/review.md"


def cv_folds(part: str, model: str) -> str:
    """Per-fold CV scores of a model's best candidate, for paired comparisons (oneclick/stats.py); a plain
    output, not a metric, as lists in `dvc metrics diff` are noise."""
    return f"reports/cv_folds/{part}/{model}.json"


# logs: run times, not DVC outputs (seconds differ run to run)
STAGE_TIMINGS = "logs/stages.jsonl"


def search_timing(part: str, model: str) -> str:
    return f"logs/timing/search_{part}_{model}.json"
