"""Put data from elsewhere under DVC, validated first; on any error nothing changes.

    python -m oneclick.raw_import SOURCE --name NAME [--monitoring]
        an export of the store's four files -> data/raw/NAME/: the training data (`data.raw_dir`), or with
        --monitoring a monthly export to check (`monitor.exports`), whose target column and money.csv are optional
    python -m oneclick.raw_import --campaign NAME --contacts FILE --outcomes DIR
        a campaign: the contact list sent and the export after it -> data/raw/campaigns/NAME/ (`readout.campaigns`)

The files are checked with the same checks and messages as the stages that read them, copied, and tracked with
`dvc add` (data/raw/NAME.dvc goes in git, the files in DVC's cache and, after `dvc push`, the remote). A new
version under the same name is a new version of the same .dvc file, so `git log` and `dvc diff` show when the
data changed. Params then name a relative path, so no machine's path enters params or dvc.lock.

The last line says what to run next; `--no-next-step` leaves it out, for a caller that runs a command of its own
and says which (`make real`).
"""

import argparse
import sys
from pathlib import Path

from oneclick.campaign.readout import campaign_files, drawn_for_another
from oneclick.common.cli import run
from oneclick.common.paths import CAMPAIGNS_ROOT, RAW_ROOT
from oneclick.data import prepare
from oneclick.data.store import import_files, validate_export
from oneclick.params import load_params


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m oneclick.raw_import", description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, nargs="?", help="an export folder: market_file.csv, market_money.csv, "
                        "market_time.csv (and money.csv)")
    parser.add_argument("--name", help="the export's name: data/raw/NAME")
    parser.add_argument("--monitoring", action="store_true", help="a monthly export to check: the target column and "
                        "money.csv may be missing")
    parser.add_argument("--campaign", help="a campaign's name: data/raw/campaigns/NAME")
    parser.add_argument("--contacts", type=Path, help="with --campaign: the contact list sent (CSV)")
    parser.add_argument("--outcomes", type=Path, help="with --campaign: the export after the campaign's horizon")
    parser.add_argument("--no-next-step", action="store_true", help="do not suggest the command to run next (for a "
                        "caller that runs its own and says so)")
    args = parser.parse_args(argv)
    if args.campaign and (not (args.contacts and args.outcomes) or args.source or args.name):
        parser.error("--campaign NAME takes --contacts FILE and --outcomes DIR (and no SOURCE or --name)")
    if not args.campaign and not (args.source and args.name):
        parser.error("give SOURCE and --name NAME (or --campaign NAME --contacts FILE --outcomes DIR)")
    spec = load_params(prepare.check_params)["prepare"]
    if args.campaign:
        target = import_files(campaign_files(args.contacts, args.outcomes, args.campaign, spec["revenue_max"]),
                              Path(CAMPAIGNS_ROOT) / args.campaign)
        warning = drawn_for_another(args.contacts, args.campaign)
        if warning:
            print(f"warning: {warning}", file=sys.stderr)
        next_step = f"read it out: dvc exp run -S '+readout.campaigns.{args.campaign}={target.as_posix()}'"
    else:
        files, export = validate_export(args.source, args.name, spec, args.monitoring)
        for note in export.notes:
            print(f"note: {note}", file=sys.stderr)
        if len(export.quarantine):
            print(f"note: {export.set_aside} of {export.customers} customers have broken rows and will be set "
                  f"aside: {export.reasons()}", file=sys.stderr)
        target = import_files(files, Path(RAW_ROOT) / args.name)
        next_step = (f"monitor it: dvc exp run -S '+monitor.exports.{args.name}={target.as_posix()}'"
                     if args.monitoring else f"run on it: dvc exp run -S data.raw_dir={target.as_posix()}")
    print(f"imported as {target} ({target}.dvc: commit it, and `dvc push` to share the files)", file=sys.stderr)
    if not args.no_next_step:
        print(next_step, file=sys.stderr)


if __name__ == "__main__":
    run(main)
