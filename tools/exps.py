"""Experiments of the current commit, each against its baseline (the commit it ran from), with paired 95 %
intervals (`make exps`).

First `dvc exp show`'s table cut to the headline columns (COLUMNS), then the same comparison as the review's
verdict (tools/verdict.py), once per experiment: a sweep's winner comes with its uncertainty. Queued, running
and failed experiments are listed with their state.
"""

import argparse
import json
import sys
from pathlib import Path

from oneclick.markdown import table_lines
from tools.review import dvc
from tools.verdict import OTHER_ASSUMPTIONS, compare

# `dvc exp show` names a metric by its key alone unless another metrics file has the same key; then by
# `file:key`. Both forms are matched, so the columns show whatever the other files hold.
COLUMNS = ("^(Experiment|Created"
           r"|(metrics/test\.json:)?roc_auc(_ci95_low|_ci95_high)?"
           r"|metrics/(selection|production)\.json:(cv_roc_auc|model)|metrics/cv/.*:cv_roc_auc"
           r"|(metrics/campaign\.json:)?(expected_profit|test\.emp_per_1000))$")


def table(root: Path = Path(".")) -> str:
    """`dvc exp show --md` with the COLUMNS only: CV ROC-AUC per model, the selections, the test ROC-AUC with its
    interval, the plan's expected profit and its expected maximum profit per 1000 test customers."""
    return dvc("exp", "show", "--md", "--no-pager", "--drop", ".*", "--keep", COLUMNS, cwd=root)


def experiments(root: Path = Path(".")) -> list[dict]:
    """Name, sha, baseline (the commit it ran from) and state of each experiment `dvc exp show` lists."""
    found = []
    for baseline in json.loads(dvc("exp", "show", "--json", cwd=root) or "[]"):
        for exp in baseline.get("experiments") or []:
            rev = exp["revs"][0]
            found.append({"name": exp.get("name") or rev.get("name") or rev["rev"][:7], "rev": rev["rev"],
                          "baseline": baseline["rev"], "state": (exp.get("executor") or {}).get("state") or "success"})
    return found


def _cell(line: dict) -> list[str]:
    if "reason" in line:
        return ["", f"not comparable: {line['reason']}"]
    if line["verdict"] == OTHER_ASSUMPTIONS:
        return [f"{line['delta']:+.1f} ({line['base']} → {line['head']})", f"**{OTHER_ASSUMPTIONS}**: "
                f"{line['assumptions']}"]
    return [f"{line['delta']:+.4f} [{line['low']:+.4f}, {line['high']:+.4f}]", f"**{line['verdict']}**"]


def ranking(root: Path = Path(".")) -> list[str]:
    """A Markdown table, the comparable experiments by their CV difference on the train part, best first."""
    rows = []
    for exp in experiments(root):
        if exp["state"] != "success":
            rows.append((float("inf"), [exp["name"], exp["state"], *[""] * 9]))
            continue
        cv, holdout, production, profit, *_ = compare(exp["baseline"], exp["rev"], root)
        selected = cv.get("head", "").split(" ")[0]
        rows.append((-cv.get("delta", float("-inf")),
                     [exp["name"], exp["state"], selected, *_cell(cv), *_cell(holdout), *_cell(production),
                      *_cell(profit)]))
    header = ["experiment", "state", "selected", "Δ CV (train) [95 %]", "verdict", "Δ test [95 %]", "verdict",
              "Δ CV (production) [95 %]", "verdict", "Δ EMP per 1000 [95 %]", "verdict"]
    rows.sort(key=lambda r: (r[0], r[1][0]))
    return ["Each experiment against its baseline, the commit it ran from (experiment − baseline), paired on the "
            "same folds and test customers; docs/experiments.md: \"Is the change real?\"", "",
            *table_lines(header, [r[1] for r in rows])] if rows else ["No experiments for this commit."]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    print("\n".join([table(), "", *ranking()]))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
