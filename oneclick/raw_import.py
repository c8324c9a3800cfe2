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
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from oneclick.cli import run
from oneclick.columns import MONEY, RAW_FILES
from oneclick.errors import DataError
from oneclick.load import read_all
from oneclick.params import NAME, NAME_RULE, load_params
from oneclick.prepare import build_table

RAW_ROOT = Path("data/raw")


def _check_name(name: str) -> None:
    if not NAME.match(name):
        raise DataError(f"name {name!r}: use {NAME_RULE} (it becomes a params key and part of a stage name)")


def _check_folder(source: Path) -> None:
    if not source.is_dir():
        raise DataError(f"{source}: not a folder")
    if source.resolve().is_relative_to(Path(RAW_ROOT).resolve()):
        raise DataError(f"{source}: already under {RAW_ROOT}/; import from the export's own folder")


def validate(source: Path, name: str, monitoring: bool = False) -> dict[Path, Path]:
    """{file: path inside the import}, after the prepare stage's checks (predict's, for a monthly export)."""
    _check_name(name)
    _check_folder(source)
    with_money = not monitoring or (source / MONEY.name).is_file()
    frames, _ = read_all(source, with_money=with_money, require_target=not monitoring)
    build_table(frames, load_params(check_estimators=False)["prepare"]["revenue_max"])
    return {source / f.name: Path(f.name) for f in RAW_FILES if (source / f.name).is_file()}


def validate_campaign(contacts: Path, outcomes: Path, name: str) -> dict[Path, Path]:
    """{file: path inside the import} of a campaign, after the read-out's checks."""
    from oneclick.readout import CONTACTS, OUTCOMES, read_contacts, read_outcomes

    _check_name(name)
    _check_folder(outcomes)
    read_outcomes(outcomes, read_contacts(contacts), load_params(check_estimators=False)["prepare"]["revenue_max"])
    files = {contacts: Path(CONTACTS)}
    files.update({outcomes / f.name: Path(OUTCOMES) / f.name for f in RAW_FILES if (outcomes / f.name).is_file()})
    return files


def dvc_add(target: Path) -> None:
    result = subprocess.run(["dvc", "add", "--quiet", str(target)], capture_output=True, text=True)
    if result.returncode != 0:
        raise DataError(f"dvc add {target} failed: {result.stderr.strip()}")


def import_files(files: dict[Path, Path], target: Path) -> Path:
    """Copy `files` into `target` and `dvc add` it; a previous version comes back if any step fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    backup = target.parent / f".{target.name}.previous"
    try:
        for source, inside in files.items():
            (staging / inside).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, staging / inside)
        if target.exists():
            target.rename(backup)
        staging.rename(target)
        try:
            dvc_add(target)
        except DataError:
            shutil.rmtree(target)
            if backup.exists():
                backup.rename(target)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(backup, ignore_errors=True)
    return target


def import_folder(source: Path, name: str, monitoring: bool = False) -> Path:
    return import_files(validate(source, name, monitoring), RAW_ROOT / name)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, nargs="?", help="an export folder: market_file.csv, market_money.csv, "
                        "market_time.csv (and money.csv)")
    parser.add_argument("--name", help="the export's name: data/raw/NAME")
    parser.add_argument("--monitoring", action="store_true", help="a monthly export to check: the target column and "
                        "money.csv may be missing")
    parser.add_argument("--campaign", help="a campaign's name: data/raw/campaigns/NAME")
    parser.add_argument("--contacts", type=Path, help="with --campaign: the contact list sent (CSV)")
    parser.add_argument("--outcomes", type=Path, help="with --campaign: the export after the campaign's horizon")
    args = parser.parse_args(argv)
    if args.campaign:
        if not (args.contacts and args.outcomes) or args.source or args.name:
            parser.error("--campaign NAME takes --contacts FILE and --outcomes DIR (and no SOURCE or --name)")
        target = import_files(validate_campaign(args.contacts, args.outcomes, args.campaign),
                              RAW_ROOT / "campaigns" / args.campaign)
        next_step = f"read it out: dvc exp run -S '+readout.campaigns.{args.campaign}={target.as_posix()}'"
    else:
        if not (args.source and args.name):
            parser.error("give SOURCE and --name NAME (or --campaign NAME --contacts FILE --outcomes DIR)")
        target = import_folder(args.source, args.name, args.monitoring)
        next_step = (f"monitor it: dvc exp run -S '+monitor.exports.{args.name}={target.as_posix()}'"
                     if args.monitoring else f"run on it: dvc exp run -S data.raw_dir={target.as_posix()}")
    print(f"imported as {target} ({target}.dvc: commit it, and `dvc push` to share the files)\n{next_step}",
          file=sys.stderr)


if __name__ == "__main__":
    run(main)
