"""Outputs that no stage of the pipeline writes any more: what a read-out or an export stage left behind after its
entry left params.yaml (an undone experiment, `make real` without the demo campaign).

    python -m tools.stale_outputs            # list them
    python -m tools.stale_outputs --remove   # and delete them

DVC never deletes the outputs of a stage that left the pipeline. In the folders of the `foreach` stages
(metrics/readout, plots/qini, data/readouts, metrics/monitor, ...) they would still count in the folder-wide
deps of `campaign` and `report`, so `dvc status` would not be clean, and `git add -A` would commit a read-out
of a campaign the pipeline no longer reads.
"""

import argparse
import shutil
import sys
from pathlib import Path

import yaml
from dvc.repo import Repo

KEPT = {"README.md", ".gitignore"}  # what the folders hold by design


def _paths(entries) -> list[str]:
    """The paths of a stage's outs, metrics or plots entries (a path, or a mapping of a path to its options)."""
    return [next(iter(e)) if isinstance(e, dict) else e for e in entries or []]


def foreach_folders(dvc_yaml: Path) -> set[Path]:
    """The folders a `foreach` stage writes one file or folder per key into: the parents of its `${key}` paths."""
    stages = yaml.safe_load(dvc_yaml.read_text(encoding="utf-8"))["stages"]
    folders = set()
    for stage in stages.values():
        do = stage.get("do") if "foreach" in stage else None
        for path in _paths((do or {}).get("outs")) + _paths((do or {}).get("metrics")) + \
                _paths((do or {}).get("plots")):
            if "${key}" in Path(path).name:
                folders.add(Path(path).parent)
    return folders


def stale_outputs(root: Path = Path(".")) -> list[Path]:
    """Files and folders in the foreach stages' folders that no stage of the pipeline, as params.yaml now
    resolves it, declares as an output."""
    root = root.resolve()
    with Repo(str(root)) as repo:
        declared = {Path(out.fs_path).resolve() for stage in repo.index.stages for out in stage.outs}
    found = []
    for folder in sorted(foreach_folders(root / "dvc.yaml")):
        if (root / folder).is_dir():
            found += [path for path in sorted((root / folder).iterdir())
                      if path.name not in KEPT and path.resolve() not in declared]
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
