"""An export scored by a model file and checked against the customers it was fitted on: what predict and stage
monitor@<export> share.

The export (the store's four files; the target and money.csv are optional) is read under the contract of
oneclick/data/load.py and cleaned as in training; a customer with a broken row, or one the cleaning drops, is
returned in `excluded` with the file, column, line and reason. Every other customer gets
the model's calibrated probability of buying less, and the export gets its drift check and, with the target,
the realized performance (oneclick/monitor/record.py).
"""

from pathlib import Path

from oneclick.common.errors import DataError
from oneclick.data.columns import FEATURES, MONEY
from oneclick.data.load import read_export
from oneclick.data.prepare import build_table, by_rule, excluded_table
from oneclick.model import calibration
from oneclick.model.artifact import CALIBRATION, EXPECTED, REFERENCE, SAMPLE, read_companion
from oneclick.model.model_file import load_model
from oneclick.monitor.drift import check_reference
from oneclick.monitor.in_sample import in_sample
from oneclick.monitor.record import check_expected, monitor_record


def score_export(input_dir, model_path, params: dict) -> dict:
    """{customers: the model table of the scored customers with their `probability`, profit: money.csv's rows or
    None, seen: in-sample per customer or None, excluded: id and reason, monitor: the check, model: the model file,
    model_name, reference}."""
    model_path = Path(model_path)
    saved = load_model(model_path)
    calibrator = read_companion(model_path, CALIBRATION, calibration.check_calibrator)
    reference, sample = read_companion(model_path, REFERENCE, check_reference), read_companion(model_path, SAMPLE)
    expected = read_companion(model_path, EXPECTED, check_expected)
    with_money = (Path(input_dir) / MONEY.name).is_file()
    export = read_export(input_dir, with_money=with_money, require_target=False)
    kept, excluded, profit = build_table(export.frames, params["prepare"]["revenue_max"])
    if kept.empty:
        dropped = by_rule(excluded["reason"])
        raise DataError(f"{input_dir}: no customer left to score: {export.set_aside} of {export.customers} have "
                        f"broken rows ({export.reasons() or 'none'}), {len(excluded)} dropped by the cleaning rules"
                        f"{f' ({dropped})' if dropped else ''}; nothing written")
    probability = calibration.apply(calibrator, saved["pipeline"].predict_proba(kept[FEATURES])[:, 1])
    seen = in_sample(kept, reference)
    record = monitor_record(kept, probability, reference, sample, expected, params["monitor"],
                            params["calibrate"]["bins"], export.quarantine, seen)
    record["quarantine"] = {"customers": export.customers, "quarantined": export.set_aside,
                            "share": round(export.excluded_share(), 6),
                            "reasons": {r: int(n) for r, n in export.quarantined().items()},
                            "extra_ids_ignored": export.extra_ids, "notes": export.notes}
    return {"customers": kept.assign(probability=probability), "seen": seen,
            "profit": profit if with_money else None,
            "excluded": excluded_table(export, excluded), "export": export, "monitor": record,
            "model": model_path, "model_name": saved["model"], "reference": reference}
