"""Read out a campaign: `python -m oneclick.readout --campaign FILE --outcomes DIR --output FILE.json`.

FILE is the contact list sent (data/campaign.csv or predict's output), DIR the export after the campaign's
horizon; the read-out (per offer and overall: control against treated, save rate, incremental profit, verdict)
goes to FILE.json, as stage readout@<name> writes it (oneclick/campaign/readout.py; docs/campaign.md).
"""

import argparse

from oneclick.campaign import offers, readout
from oneclick.common.cli import run
from oneclick.common.io import write_json
from oneclick.data import prepare
from oneclick.params import load_params


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m oneclick.readout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaign", required=True, help="the contact list sent (CSV)")
    parser.add_argument("--outcomes", required=True, help="the export after the campaign's horizon (folder)")
    parser.add_argument("--output", required=True, help="the read-out (JSON)")
    parser.add_argument("--params", default="params.yaml", help="params file (default: %(default)s)")
    args = parser.parse_args(argv)
    params = load_params(readout.check_params, offers.check_params, prepare.check_params, path=args.params)
    write_json(args.output, readout.readout_file(args.campaign, args.outcomes, params))


if __name__ == "__main__":
    run(main)
