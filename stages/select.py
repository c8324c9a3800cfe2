"""Stage select@<part>: the winner of that part's CV records by `select.rule` (already refitted on all of it).

`python -m stages.select PART MODEL_OUT RECORD_OUT`, with the paths of dvc.yaml's `passes`.
"""

import sys

from oneclick.cli import run
from oneclick.io import copy_file, read_json, write_json
from oneclick.params import load_params
from oneclick.selection import candidate_path, cv_record_path, select


def main():
    part, model_out, record_out = sys.argv[1:4]
    params = load_params(check_estimators=False)
    record = select([read_json(cv_record_path(part, name)) for name in params["models"]], part,
                    params["select"]["rule"])
    copy_file(candidate_path(part, record["model"]), model_out)
    write_json(record_out, record)


if __name__ == "__main__":
    run(main)
