"""Read out a campaign: `python -m oneclick.readout --campaign FILE --outcomes DIR --output FILE.json`.

FILE is the contact list sent (data/campaign.csv or predict's output), DIR the export after the campaign's
horizon; the read-out (per offer and overall: control against treated, save rate, incremental profit, verdict)
goes to FILE.json, as stage readout@<name> writes it (oneclick/campaign/readout.py; docs/campaign.md).
"""

import argparse
import sys
from pathlib import Path

from oneclick.campaign import offers, readout
from oneclick.common.cli import run
from oneclick.common.io import write_json
from oneclick.common.paths import CHECKOUT
from oneclick.data import prepare
from oneclick.params import load_params


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m oneclick.readout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaign", required=True, help="the contact list sent (CSV)")
    parser.add_argument("--outcomes", required=True, help="the export after the campaign's horizon (folder)")
    parser.add_argument("--output", required=True, help="the read-out (JSON)")
    parser.add_argument("--params", default=CHECKOUT / "params.yaml", type=Path,
                        help="params file (default: this checkout's, %(default)s)")
    parser.add_argument("--max-excluded-share", type=float, help="exit with code 4 when more of the campaign's "
                        "customers have broken rows in the export (default: params prepare.max_excluded_share; the "
                        "read-out is written first)")
    args = parser.parse_args(argv)
    params = load_params(readout.check_params, offers.check_params, prepare.check_params, path=args.params)
    result, _ = readout.readout_file(args.campaign, args.outcomes, params)
    if result["contact_list"]["provenance"] is None:
        print(f"warning: {result['contact_list']['says']}", file=sys.stderr)
    write_json(args.output, result)
    limit, key = (params["prepare"]["max_excluded_share"], "prepare.max_excluded_share") \
        if args.max_excluded_share is None else (args.max_excluded_share, "--max-excluded-share")
    too_broken = readout.broken_beyond(result, args.outcomes, limit, key)
    if too_broken:
        print(f"error: {too_broken}; the read-out is written", file=sys.stderr)
        sys.exit(4)


if __name__ == "__main__":
    run(main)
