"""Stage readout@<name>: a past campaign's read-out (contacted against control, per offer; whether the save rate
differs across customers) as metrics/readout/<name>.json, its customers with the design record and outcome
(data/readouts/<name>.csv: what the campaign stage learns from), and the Qini curve of the plan's ranking per offer
(plots/qini/<name>.csv and .png)."""

import sys
from pathlib import Path

from oneclick.campaign import offers, readout, response
from oneclick.campaign.plots import qini_image
from oneclick.common.cli import run
from oneclick.common.errors import DataError
from oneclick.common.io import write_csv, write_json
from oneclick.common.paths import CONTACTS, OUTCOMES, qini_curves, qini_plot, readout_metrics, readout_table
from oneclick.data import prepare
from oneclick.params import load_params


def main():
    name = sys.argv[1]
    params = load_params(readout.check_params, offers.check_params, prepare.check_params)
    folder = Path(params["readout"]["campaigns"][name])
    result, table = readout.readout_file(folder / CONTACTS, folder / OUTCOMES, params)
    too_broken = readout.broken_beyond(result, folder / OUTCOMES, params["prepare"]["max_excluded_share"],
                                       "prepare.max_excluded_share")
    if too_broken:
        raise DataError(too_broken)
    write_csv(readout_table(name), table.round(6))
    curves = response.qini(table, seed=params["campaign"]["seed"])
    write_csv(qini_curves(name), curves)
    qini_image(curves, name, qini_plot(name))
    write_json(readout_metrics(name), {**result, "folder": folder.as_posix()})


if __name__ == "__main__":
    run(main)
