"""Stage monitor@<name>: a monthly export scored as predict scores it (probabilities only: the plan is predict's),
with its drift against the production model's customers and, where the export carries the target, the realized
performance (metrics/monitor/<name>.json)."""

import sys

from oneclick.common.cli import run
from oneclick.common.io import write_json
from oneclick.common.paths import PRODUCTION_MODEL, monitor_metrics
from oneclick.data import prepare
from oneclick.data.prepare import check_share
from oneclick.model import calibration
from oneclick.monitor import drift
from oneclick.monitor.export import score_export
from oneclick.params import load_params


def main():
    name = sys.argv[1]
    params = load_params(drift.check_params, calibration.check_params, prepare.check_params)
    folder = params["monitor"]["exports"][name]
    result = score_export(folder, PRODUCTION_MODEL, params)
    check_share(result["export"], params["prepare"]["max_excluded_share"], "prepare.max_excluded_share")
    write_json(monitor_metrics(name), {"export": name, "folder": folder, "scored": len(result["customers"]),
                                       "excluded": int(result["excluded"]["id"].nunique()), **result["monitor"]})


if __name__ == "__main__":
    run(main)
