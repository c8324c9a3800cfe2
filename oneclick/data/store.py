"""Data from elsewhere under DVC, validated first; on any error nothing changes.

An export (or a campaign's files) is checked with the same checks and messages as the stages that read it,
copied into data/raw/<name>/ (a campaign into data/raw/campaigns/<name>/) and tracked with `dvc add`: the .dvc
pointer goes in git, the files in DVC's cache. A new version under the same name is a new version of the same
.dvc file. The command is `python -m oneclick.raw_import`.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from oneclick.common.checks import NAME, NAME_RULE
from oneclick.common.errors import DataError
from oneclick.common.paths import RAW_ROOT
from oneclick.data.columns import MONEY, RAW_FILES
from oneclick.data.load import read_export
from oneclick.data.prepare import build_table, check_share


def check_name(name: str) -> None:
    if not NAME.match(name):
        raise DataError(f"name {name!r}: use {NAME_RULE} (it becomes a params key and part of a stage name)")


def check_folder(source: Path) -> None:
    if not source.is_dir():
        raise DataError(f"{source}: not a folder")
    if source.resolve().is_relative_to(Path(RAW_ROOT).resolve()):
        raise DataError(f"{source}: already under {RAW_ROOT}/; import from the export's own folder")


def validate_export(source: Path, name: str, prepare: dict, monitoring: bool = False):
    """({file: path inside the import}, the export as read), after the checks of the stage that will read it:
    prepare's (and its share of broken customers) for training data, predict's for a monthly export."""
    check_name(name)
    check_folder(source)
    with_money = not monitoring or (source / MONEY.name).is_file()
    export = read_export(source, with_money=with_money, require_target=not monitoring)
    key = "max_excluded_share" if monitoring else "max_excluded_share_training"
    check_share(export, prepare[key], f"prepare.{key}")
    build_table(export.frames, prepare["revenue_max"])
    return {source / f.name: Path(f.name) for f in RAW_FILES if (source / f.name).is_file()}, export


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
