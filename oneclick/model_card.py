"""The production model's card: what it predicts, for whom, on which data, how well, and where not to use it.

Every figure is read from a stage output or the model file's metadata; nothing is typed by hand.
"""

import hashlib
import json
from pathlib import Path

from oneclick.columns import TARGET_RAW
from oneclick.markdown import table_lines
from oneclick.paired import cv_interval


def dvc_dir_hash(folder) -> str:
    """DVC 3's md5 of a directory (the `.dir` hash dvc.lock records for it): md5 of the sorted JSON list
    of its files' md5 and relative paths."""
    folder = Path(folder)
    entries = sorted(({"md5": hashlib.md5(p.read_bytes()).hexdigest(), "relpath": p.relative_to(folder).as_posix()}
                      for p in folder.rglob("*") if p.is_file()), key=lambda e: e["relpath"])
    return hashlib.md5(json.dumps(entries, sort_keys=True).encode("utf-8")).hexdigest() + ".dir"


def render(model: dict, production: dict, test: dict, explain: dict, quality: dict, raw_dir: str,
           data_hash: str, top: int) -> str:
    """The card's Markdown. `model`: the model file's metadata (model_file.metadata)."""
    low, high = cv_interval(production["cv_roc_auc"], production["cv_roc_auc_std"], production["folds"],
                            production["repeats"])
    params = ", ".join(f"{k}={v}" for k, v in sorted(production["best_params"].items())) or "defaults"
    features = [[i + 1, f"`{f['feature']}`", f"{f['importance']:.4f}"]
                for i, f in enumerate(explain["top_features"][:top])]
    same = explain["model"] == production["model"]
    lines = [
        "# Model card: retention-model", "",
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
        f"- file: `model.skops` (skops.io, loads only trusted types), scikit-learn {model['sklearn_version']}, "
        f"package {model['package_version']}",
        "",
        "## Data", "",
        f"- raw export: `{raw_dir}`, DVC hash `{data_hash}`",
        f"- labelled customers: {quality['rows_kept']} kept of {quality['rows_read']['market_file.csv']} read "
        "(dropped: " + ", ".join(f"{n} {reason}" for reason, n in quality["rows_dropped"].items()) + ")",
    ]
    if quality.get("target_share_decreased") is not None:
        lines.append(f"- share whose activity decreased: {quality['target_share_decreased']:.1%}")
    lines += [
        "",
        "## How well", "",
        f"- CV ROC-AUC on all labelled customers: **{production['cv_roc_auc']:.3f}** (95 % interval {low:.3f} to "
        f"{high:.3f}, Nadeau-Bengio corrected; {production['folds']}-fold, repeated {production['repeats']} "
        f"times, {production['rows']} customers). The winner's CV is the best of "
        f"{len(production['ranking'])} families, so it is slightly optimistic.",
        f"- Test ROC-AUC: **{test['roc_auc']:.3f}** (95 % bootstrap interval {test['roc_auc_ci95_low']:.3f} to "
        f"{test['roc_auc_ci95_high']:.3f}, {test['n_test']} held-out customers). It measures the same procedure "
        f"run on the train part only (it chose {test['model']}); no customer is left to test the production "
        "model itself on.",
        "",
        "## What drives the prediction", "",
        f"Mean absolute SHAP value on the test part ({explain['explainer']}), of the train part's winner "
        f"({explain['model']}){'' if same else ', another family than this model: a guide, not its own values'}:",
        "",
    ]
    lines += table_lines(["#", "feature", "mean abs SHAP"], features)
    lines += [
        "",
        "## Intended use and limits", "",
        "- Intended: rank regular customers by their risk of buying less, to choose whom to offer what "
        "(reports/report.md: segments and offers); the probabilities are those of the model, not calibrated "
        "unless `segment.calibration` is set.",
        "- Customers unlike the training ones: new customers without three months of revenue, other regions "
        "or channels, or a market that changed since the export. Re-train on a new export (a new DVC version "
        "of the raw data) and compare before trusting the scores.",
        "- Not for decisions about an individual that have legal or similar effect; the features describe "
        "behaviour on the site and marketing contacts, and the target is a three-month trend, not intent.",
        "- A few hundred labelled customers: ROC-AUC moves by a few hundredths between samples (see the "
        "intervals above).",
        "",
    ]
    return "\n".join(lines)
