"""Put a folder of the store's four export files under DVC: `python -m oneclick.raw_import SOURCE --name NAME`.

The files are validated first, with the same checks and messages as the prepare stage; on any error nothing
changes. Then they are copied to data/raw/NAME/ and tracked with `dvc add` (data/raw/NAME.dvc goes in git,
the files in DVC's cache and, after `dvc push`, the remote). A new export under the same name is a new version
of the same .dvc file, so `git log data/raw/NAME.dvc` and `dvc diff` show when the data changed. Use it with
`dvc exp run -S data.raw_dir=data/raw/NAME`: a relative path, so no machine's path enters params or dvc.lock.
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from oneclick.cli import run
from oneclick.columns import RAW_FILES
from oneclick.errors import DataError
from oneclick.load import read_all
from oneclick.params import load_params
from oneclick.prepare import build_table

RAW_ROOT = Path("data/raw")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def validate(source: Path, name: str) -> list[Path]:
    """The export files of `source`, after the prepare stage's checks; a DataError names what is wrong."""
    if not NAME.match(name):
        raise DataError(f"--name {name!r}: use letters, digits, '_', '-' or '.', starting with a letter or digit")
    if not source.is_dir():
        raise DataError(f"{source}: not a folder")
    if source.resolve().is_relative_to(Path(RAW_ROOT).resolve()):
        raise DataError(f"{source}: already under {RAW_ROOT}/; import from the export's own folder")
    build_table(read_all(source)[0], load_params(check_estimators=False)["prepare"]["revenue_max"])
    return [source / raw_file.name for raw_file in RAW_FILES]


def dvc_add(target: Path) -> None:
    result = subprocess.run(["dvc", "add", "--quiet", str(target)], capture_output=True, text=True)
    if result.returncode != 0:
        raise DataError(f"dvc add {target} failed: {result.stderr.strip()}")


def import_folder(source: Path, name: str) -> Path:
    """Validate, copy and `dvc add`; a previous version of NAME comes back if any step fails."""
    files = validate(source, name)
    target = RAW_ROOT / name
    RAW_ROOT.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=RAW_ROOT, prefix=f".{name}."))
    backup = RAW_ROOT / f".{name}.previous"
    try:
        for file in files:
            shutil.copyfile(file, staging / file.name)
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder with market_file.csv, market_money.csv, market_time.csv, "
                                                  "money.csv")
    parser.add_argument("--name", required=True, help="the data set's name: data/raw/NAME")
    args = parser.parse_args(argv)
    target = import_folder(args.source, args.name)
    print(f"imported {args.source} as {target} ({target}.dvc: commit it, and `dvc push` to share the files)\n"
          f"run on it: dvc exp run -S data.raw_dir={target.as_posix()}", file=sys.stderr)


if __name__ == "__main__":
    run(main)
