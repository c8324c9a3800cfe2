"""Stage readout@<name>: a past campaign's read-out (contacted against control, per offer) as
metrics/readout/<name>.json; the campaign stage learns the save rates from it."""

import sys
from pathlib import Path

from oneclick.campaign import offers, readout
from oneclick.common.cli import run
from oneclick.common.io import write_json
from oneclick.common.paths import CONTACTS, OUTCOMES, readout_metrics
from oneclick.data import prepare
from oneclick.params import load_params


def main():
    name = sys.argv[1]
    params = load_params(readout.check_params, offers.check_params, prepare.check_params)
    folder = Path(params["readout"]["campaigns"][name])
    write_json(readout_metrics(name), {**readout.readout_file(folder / CONTACTS, folder / OUTCOMES, params),
                                       "folder": folder.as_posix()})


if __name__ == "__main__":
    run(main)
