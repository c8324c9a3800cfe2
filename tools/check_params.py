"""Check every section of params.yaml at once: `python -m tools.check_params [PATH]` (make repro runs it first).

Each stage checks the sections it reads before its own work; this runs every section's checks before a whole
run, so that a wrong value anywhere stops `make repro` before the first stage.
"""

import argparse
import sys

from oneclick.campaign import offers, readout, simulation
from oneclick.common.errors import ParamsError
from oneclick.data import prepare, source, synthesize
from oneclick.insight import correlate, eda, explain, segments
from oneclick.model import calibration, evaluate, selection
from oneclick.model.features import check_split
from oneclick.model.pipeline import check_features, check_models
from oneclick.model.search import check_cv
from oneclick.monitor import drift
from oneclick.params import check_sections, load_params
from oneclick.report import report

CHECKS = (source.check_params, synthesize.check_params, prepare.check_params, check_split, check_features,
          check_cv, check_models, selection.check_params, evaluate.check_params, segments.check_params,
          calibration.check_params, offers.check_params, readout.check_params, simulation.check_params,
          drift.check_params, report.check_params, explain.check_params, eda.check_params, correlate.check_params)


def validate(params: dict) -> None:
    """Every section's checks, in params.yaml's order."""
    check_sections(params)
    for check in CHECKS:
        check(params)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="params.yaml")
    args = parser.parse_args(argv)
    try:
        load_params(*CHECKS, path=args.path)
    except ParamsError as err:
        sys.exit(f"error: {err}")


if __name__ == "__main__":
    main()
