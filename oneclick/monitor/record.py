"""Does the model still fit an export? Its drift against the training customers and, where the export carries
the target, how the model really did there, against the estimate of its model card.

No command of its own: predict writes this record beside every score file
(<output>_monitor.json), and the monitor@<export> stage writes it per monthly export (metrics/monitor/).
"""

import numpy as np
import pandas as pd

from oneclick.common.checks import real
from oneclick.common.errors import DataError
from oneclick.data.columns import TARGET
from oneclick.model import calibration
from oneclick.monitor.drift import check, new_categories
from oneclick.monitor.in_sample import out_of_sample
from oneclick.stats import delong_interval, unpaired_difference, verdict

DIGITS = 4
WORDS = {"better": "better than the estimate", "worse": "worse than the estimate",
         "no detectable difference": "as expected"}
IN_SAMPLE = "cannot judge: the model was fitted on every customer of the export with the target (in-sample)"


def check_expected(expected, path) -> dict:
    """The expected performance read from a model's folder: the test ROC-AUC and its interval, or one error naming
    the file."""
    keys = ("roc_auc", "roc_auc_ci95_low", "roc_auc_ci95_high")
    if not isinstance(expected, dict) or not all(real(expected.get(k), 0, 1) for k in keys):
        raise DataError(f"{path}: needs {list(keys)} as numbers in [0, 1]; run `dvc repro` (or fetch the whole "
                        "artifact folder)")
    return expected


def realized(y, probability, expected: dict, bins: int, min_rows: int) -> dict:
    """ROC-AUC with its 95 % interval, Brier score, reliability curve, and the verdict against `expected` (the
    model card's test ROC-AUC and its interval). Below `min_rows` customers (the drift check's minimum) no
    verdict: on a handful of customers a perfect ranking is likely and DeLong's interval then has no width, so
    "better than the estimate" would fire far more often than its 2.5 %."""
    y = np.asarray(y).astype(int)
    out = {"customers": int(len(y)), "observed_rate": round(float(y.mean()), DIGITS),
           "brier": round(calibration.brier(y, probability), DIGITS),
           "reliability": calibration.reliability(y, probability, bins)}
    if y.min() == y.max():
        return {**out, "roc_auc": None, "verdict": "one class only: no ROC-AUC"}
    if len(y) < min_rows:
        return {**out, "roc_auc": None, "verdict": f"too few customers to judge ({len(y)} < monitor.min_rows "
                                                   f"{min_rows})"}
    decreased = int(y.sum())
    if min(decreased, len(y) - decreased) < 2:  # DeLong's variance needs two customers of each class
        return {**out, "roc_auc": None, "verdict": f"too few customers to judge: {decreased} whose activity "
                                                   f"decreased, {len(y) - decreased} whose did not"}
    auc, low, high = delong_interval(y, probability)
    diff, d_low, d_high = unpaired_difference(auc, low, high, expected["roc_auc"], expected["roc_auc_ci95_low"],
                                              expected["roc_auc_ci95_high"])
    out.update({"roc_auc": round(auc, 6), "roc_auc_ci95_low": round(low, 6), "roc_auc_ci95_high": round(high, 6),
                "expected_roc_auc": expected["roc_auc"], "expected_brier": expected.get("brier_calibrated"),
                "difference": round(diff, DIGITS), "difference_low": round(d_low, DIGITS),
                "difference_high": round(d_high, DIGITS), "verdict": WORDS[verdict(d_low, d_high)]})
    return out


def monitor_record(customers: pd.DataFrame, probability, reference: dict, sample: pd.DataFrame, expected: dict,
                   spec: dict, bins: int, quarantine: pd.DataFrame | None = None, seen=None) -> dict:
    """Drift (new categories among the customers the export contract set aside included), and realized
    performance where `customers` (the export's model table) has the target, both on the customers the model did
    not learn from (`seen`: in-sample per row, or None when the model's reference cannot tell)."""
    fresh = out_of_sample(seen, len(customers))  # training rows would look like the reference and hide drift
    record = {"drift": check(reference, sample, customers[fresh].reset_index(drop=True), spec,
                             new_categories(quarantine)),
              "in_sample": None if seen is None else int(np.sum(seen))}
    record["drift"]["in_sample_left_out"] = int((~fresh).sum())
    if TARGET in customers.columns:
        if fresh.any():
            record["realized"] = realized(customers[TARGET][fresh], np.asarray(probability)[fresh], expected, bins,
                                          spec["min_rows"])
        else:
            record["realized"] = {"customers": 0, "roc_auc": None, "verdict": IN_SAMPLE}
        record["realized"]["in_sample_left_out"] = int((~fresh).sum())
    return record


def summary_line(record: dict) -> str:
    """The check in a few words, for predict's stderr line and the report."""
    text = f"drift: {record['drift']['verdict']}"
    performance = record.get("realized")
    if record.get("in_sample"):
        text += f"; {record['in_sample']} customers in-sample (the model was fitted on them)"
    if performance and performance.get("roc_auc") is None and performance.get("verdict") == IN_SAMPLE:
        text += "; realized performance: cannot judge in-sample"
    if performance and performance.get("roc_auc") is not None:
        text += (f"; realized ROC-AUC {performance['roc_auc']:.3f} [{performance['roc_auc_ci95_low']:.3f}, "
                 f"{performance['roc_auc_ci95_high']:.3f}]: {performance['verdict']}")
    return text
