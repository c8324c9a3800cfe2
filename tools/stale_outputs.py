"""Outputs that no stage of the pipeline writes any more: what a read-out, an export or a model's search left behind
after its entry left params.yaml (an undone experiment, `make real` without the demo campaign).

    python -m tools.stale_outputs            # list them
    python -m tools.stale_outputs --remove   # and delete them

DVC never deletes the outputs of a stage that left the pipeline. In the folders of the `foreach` and `matrix`
stages (metrics/readout, plots/qini, data/readouts, metrics/monitor, metrics/cv/<part>, ...) they would still count
in the folder-wide deps of `select`, `campaign` and `report`, so `dvc status` would not be clean, and `git add -A`
would commit the record of a read-out or a model the pipeline no longer has.
"""

import argparse
import re
import shutil
import sys
from pathlib import Path

import yaml
from dvc.repo import Repo

KEPT = {"README.md", ".gitignore"}  # what the folders hold by design


def _paths(entries) -> list[str]:
    """The paths of a stage's outs, metrics or plots entries (a path, or a mapping of a path to its options)."""
    return [next(iter(e)) if isinstance(e, dict) else e for e in entries or []]


def templated_folders(root: Path) -> list[Path]:
    """The folders a `foreach` or `matrix` stage writes one file or folder per key into: the parents of its outputs
    whose name is templated (`metrics/readout/${key}.json`, `metrics/cv/${item.part}/${item.model}.json`), a
    templated parent matched against the folders there are."""
    stages = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    patterns = set()
    for stage in stages.values():
        body = stage.get("do", {}) if "foreach" in stage else stage
        for path in _paths(body.get("outs")) + _paths(body.get("metrics")) + _paths(body.get("plots")):
            parent = Path(path).parent
            if "${" in Path(path).name and parent != Path("."):
                patterns.add(re.sub(r"\$\{[^}]*\}", "*", parent.as_posix()))
    return sorted({folder for pattern in patterns for folder in root.glob(pattern) if folder.is_dir()})


def stale_outputs(root: Path = Path(".")) -> list[Path]:
    """Files and folders in the foreach stages' folders that no stage of the pipeline, as params.yaml now
    resolves it, declares as an output."""
    root = root.resolve()
    with Repo(str(root)) as repo:
        declared = {Path(out.fs_path).resolve() for stage in repo.index.stages for out in stage.outs}
    found = []
    for folder in templated_folders(root):
        found += [path for path in sorted(folder.iterdir()) if path.name not in KEPT and path.resolve() not in declared]
    return [path.relative_to(root) for path in found]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.stale_outputs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--remove", action="store_true", help="delete them")
    args = parser.parse_args(argv)
    stale = stale_outputs()
    for path in stale:
        if args.remove:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    verb = "removed" if args.remove else "found"
    print(f"{verb} {len(stale)} output(s) no stage writes: {', '.join(map(str, stale)) or 'none'}", file=sys.stderr)


if __name__ == "__main__":
    main()
