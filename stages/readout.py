"""Stage readout@<name>: a past campaign's read-out (contacted against control, per offer) as
metrics/readout/<name>.json; the campaign stage learns the save rates from it."""

import sys
from pathlib import Path

from oneclick.campaign import offers, readout
from oneclick.common.cli import run
from oneclick.common.errors import DataError
from oneclick.common.io import write_json
from oneclick.common.paths import CONTACTS, OUTCOMES, readout_metrics
from oneclick.data import prepare
from oneclick.params import load_params


def main():
    name = sys.argv[1]
    params = load_params(readout.check_params, offers.check_params, prepare.check_params)
    folder = Path(params["readout"]["campaigns"][name])
    result = readout.readout_file(folder / CONTACTS, folder / OUTCOMES, params)
    if result["export"]["broken_share"] > params["prepare"]["max_excluded_share"]:
        raise DataError(f"{folder / OUTCOMES}: {result['export']['broken_share']:.1%} of the campaign's customers "
                        f"have broken rows, more than prepare.max_excluded_share = "
                        f"{params['prepare']['max_excluded_share']:g}")
    write_json(readout_metrics(name), {**result, "folder": folder.as_posix()})


if __name__ == "__main__":
    run(main)
