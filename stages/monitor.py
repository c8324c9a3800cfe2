"""Stage monitor@<name>: a monthly export scored as predict scores it (probabilities only: the plan is predict's),
with its drift against the production model's customers and, where the export carries the target, the realized
performance (metrics/monitor/<name>.json)."""

import sys

from oneclick.cli import run
from oneclick.io import write_json
from oneclick.params import load_params
from oneclick.predict import score


def main():
    name = sys.argv[1]
    folder = load_params(check_estimators=False)["monitor"]["exports"][name]
    result = score(folder, repo=".", plan=False)
    write_json(f"metrics/monitor/{name}.json", {"export": name, "folder": folder, "scored": len(result["scores"]),
                                                "excluded": len(result["excluded"]), **result["monitor"]})


if __name__ == "__main__":
    run(main)
