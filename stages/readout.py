"""Stage readout@<name>: a past campaign's read-out (contacted against control, per offer) as
metrics/readout/<name>.json; the campaign stage learns the save rates from it."""

import sys
from pathlib import Path

from oneclick.cli import run
from oneclick.io import write_json
from oneclick.params import load_params
from oneclick.readout import CONTACTS, OUTCOMES, readout_file


def main():
    name = sys.argv[1]
    params = load_params(check_estimators=False)
    folder = Path(params["readout"]["campaigns"][name])
    write_json(f"metrics/readout/{name}.json", {**readout_file(folder / CONTACTS, folder / OUTCOMES, params),
                                                "folder": folder.as_posix()})


if __name__ == "__main__":
    run(main)
