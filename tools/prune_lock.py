"""Drop dvc.lock entries of stages that dvc.yaml no longer has (DVC keeps them when a stage is removed).

    python -m tools.prune_lock

Written with DVC's own YAML writer, so a later `dvc repro` leaves the file as it is.
"""

import json
import sys

from dvc.repo import Repo
from dvc.utils.serialize import modify_yaml


def main() -> None:
    with Repo(".") as repo:
        names = {stage.addressing for stage in repo.index.stages}
    with modify_yaml("dvc.lock") as lock:
        stale = [name for name in lock["stages"] if name not in names]
        for name in stale:
            del lock["stages"][name]
    print(f"removed {len(stale)} stale entries: {json.dumps(stale)}", file=sys.stderr)


if __name__ == "__main__":
    main()
