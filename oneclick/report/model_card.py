"""The production model's card: what it predicts, for whom, on which data, how well, and where not to use it.

Every figure is read from a stage output or the model file's metadata; nothing is typed by hand.
"""

from oneclick.common.paths import SYNTHETIC
from oneclick.data.columns import TARGET_RAW
from oneclick.data.source import is_synthetic
from oneclick.markdown import table_lines
from oneclick.stats import cv_interval, wilson


def _paired(quality: dict) -> str:
    """A calibration's log loss minus the chosen one's, paired over the customers, with its 95 % interval."""
    difference, low, high = quality["log_loss_minus_chosen"]
    return f"{difference:+.4f} (95 % interval {low:+.4f} to {high:+.4f})"


def monitoring_line(monitors: dict) -> str:
    """The last check of params `monitor.exports` (the last one listed), in a sentence."""
    if not monitors:
        return "No export has been checked yet (`monitor.exports`)."
    name, record = list(monitors.items())[-1]
    text = f"Last checked on export `{name}` ({record['scored']} customers, stage monitor@{name}): " \
           f"{record['drift']['verdict']}"
    realized = record.get("realized")
    if realized and realized.get("roc_auc") is not None:
        text += (f"; realized ROC-AUC {realized['roc_auc']:.3f} [{realized['roc_auc_ci95_low']:.3f}, "
                 f"{realized['roc_auc_ci95_high']:.3f}], {realized['verdict']}")
    return text + "."


def render(model: dict, production: dict, test: dict, explain: dict, quality: dict, raw_dir: str,
           data_hash: str, top: int, calibration: dict, monitors: dict) -> str:
    """The card's Markdown. `model`: the model file's metadata (model_file.metadata); `calibration`: the production
    pass's (metrics/calibration/labelled.json); `monitors`: export name -> its monitor record."""
    cv_low, cv_high = cv_interval(production["cv_roc_auc"], production["cv_roc_auc_std"], production["folds"],
                                  production["repeats"])
    params = ", ".join(f"{k}={v}" for k, v in sorted(production["best_params"].items())) or "defaults"
    shipped = explain["production"]
    features = [[i + 1, f"`{f['feature']}`", f"{f['importance']:.4f}", f"[{f['low']:.4f}, {f['high']:.4f}]"]
                for i, f in enumerate(shipped["top_features"][:top])]
    method = calibration["method"]
    oof = calibration["out_of_fold"]
    lines = ["# Model card: retention-model", ""]
    if is_synthetic(raw_dir):
        lines += ["> **Synthetic data.** This model was fitted on the synthetic store the pipeline generates "
                  f"(`{SYNTHETIC}`), not on the store's customers: a demonstration. Train on a real export: "
                  "`make real` (README).", ""]
    lines += [
        "Written by the `report` stage of `dvc repro` next to the model file; edit the code, not this file.", "",
        "## What it predicts", "",
        f"The probability that a regular customer of the online store \"В один клик\" buys less in the next "
        f"three months: class 1 is `{TARGET_RAW}` = \"Снизилась\" (decreased), class 0 \"Прежний уровень\" "
        "(kept the level). Input: one row per customer in the format of the store's exports (market_file.csv, "
        "market_money.csv, market_time.csv), cleaned as in training; score with "
        "`python -m oneclick.predict --input DIR --output scores.csv`.", "",
        "## The model", "",
        f"- family: **{production['model']}** ({production['estimator']}), {params}",
        f"- chosen by: the selection procedure on every labelled customer ({production['rule']}), refitted on "
        f"all {model['rows']} of them",
        f"- probabilities: calibrated by **{method}** (chosen by {calibration['chosen_by'].replace('_', ' ')}; on "
        f"every labelled customer out of fold, Brier {oof['none']['brier']:.4f} uncalibrated, "
        f"{oof[method]['brier']:.4f} calibrated; log loss {oof['none']['log_loss']:.4f} and "
        f"{oof[method]['log_loss']:.4f}, uncalibrated minus calibrated {_paired(oof['none'])}; "
        "`calibration.json`)" if "none" in oof else
        f"- probabilities: calibrated by **{method}** (`calibration.json`)",
        f"- file: `model.skops` (skops.io, loads only trusted types), scikit-learn {model['sklearn_version']}, "
        f"package {model['package_version']}; beside it `reference.json` and `reference_sample.csv` for the drift "
        "check, `expected.json` for the realized-performance check",
        "",
        "## Data", "",
        f"- raw export: `{raw_dir}`, DVC hash `{data_hash}`",
        f"- labelled customers: {quality['rows_kept']} kept of {quality['rows_read']['market_file.csv']} read "
        "(dropped: " + ", ".join(f"{n} {reason}" for reason, n in quality["rows_dropped"].items()) + ")",
    ]
    if quality.get("target_share_decreased") is not None:
        share_low, share_high = wilson(quality["target_decreased"], quality["rows_kept"])
        lines.append(f"- share whose activity decreased: {quality['target_share_decreased']:.1%} (95 % interval "
                     f"{share_low:.1%} to {share_high:.1%})")
    lines += [
        "",
        "## How well", "",
        f"- CV ROC-AUC on all labelled customers: **{production['cv_roc_auc']:.3f}** (95 % interval {cv_low:.3f} "
        f"to {cv_high:.3f}, Nadeau-Bengio corrected; {production['folds']}-fold, repeated {production['repeats']} "
        f"times, {production['rows']} customers). The winner's CV is the best of "
        f"{len(production['ranking'])} families, so it is slightly optimistic.",
        f"- Test ROC-AUC: **{test['roc_auc']:.3f}** (95 % bootstrap interval {test['roc_auc_ci95_low']:.3f} to "
        f"{test['roc_auc_ci95_high']:.3f}, {test['n_test']} held-out customers), Brier score "
        f"{test['brier_calibrated']:.3f} calibrated (95 % interval {test['brier_calibrated_ci95_low']:.3f} to "
        f"{test['brier_calibrated_ci95_high']:.3f}). It measures the same procedure run on the train part only "
        f"(it chose {test['model']}); no customer is left to test the production model itself on. This is the "
        "estimate a monitored export's realized ROC-AUC is compared with.",
        f"- {monitoring_line(monitors)}",
        "",
        "## What drives the prediction", "",
        f"Mean absolute SHAP value of this model ({shipped['explainer']}, {shipped['output']}) on "
        f"{shipped['rows_explained']} of the customers it was fitted on, with its 95 % bootstrap interval over "
        "those customers:",
        "",
    ]
    lines += table_lines(["#", "feature", "mean abs SHAP", "[95 %]"], features)
    lines += [
        "",
        "## Intended use and limits", "",
        "- Intended: rank regular customers by their risk of buying less and, with the campaign's economics, "
        "choose whom to offer what (reports/report.md: the campaign). The probabilities are calibrated out of "
        "fold; the plan multiplies them by money.",
        "- Customers unlike the training ones: new customers without three months of revenue, other regions "
        "or channels, or a market that changed since the export. predict checks every export against the "
        "training customers (`<output>_monitor.json`); re-train on a new export and compare before trusting the "
        "scores of one that drifted.",
        "- Not for decisions about an individual that have legal or similar effect; the features describe "
        "behaviour on the site and marketing contacts, and the target is a three-month trend, not intent.",
        f"- {quality['rows_kept']} labelled customers: ROC-AUC moves by a few hundredths between samples (see the "
        "intervals above).",
        "",
    ]
    return "\n".join(lines)
