"""The results table: every model's CV and test ROC-AUC and search time, from a run's outputs.

`make results REAL_DATA=/path/to/market` runs the whole pipeline on those files
in a sandbox copy of the repo (the working copy and its committed metrics stay
as they are) and prints the Markdown table of docs/results.md ("The results table").
"""

import argparse
import sys
import tempfile
from pathlib import Path

from oneclick.common import paths
from oneclick.common.io import read_json
from oneclick.model.selection import RULES, select
from tools.sandbox import make_sandbox, run


def results_table(repo: Path) -> str:
    selection = read_json(repo / paths.SELECTION_METRICS)
    production = read_json(repo / paths.PRODUCTION_METRICS)
    test = read_json(repo / paths.TEST_BY_MODEL_METRICS)
    quality = read_json(repo / paths.DATA_QUALITY_METRICS)
    rows = [
        f"Customers kept: {quality['rows_kept']} (dropped: "
        + ", ".join(f"{n} {reason}" for reason, n in quality["rows_dropped"].items()) + "). "
        + f"Selected by CV on the train part: **{selection['model']}**; on every labelled customer "
        + f"(ships): **{production['model']}**.",
        "",
        *_rules(repo, selection),
        "",
        "| model | CV ROC-AUC, train part (mean ± std) | test ROC-AUC [95 % bootstrap CI] "
        "| CV ROC-AUC, all labelled (mean ± std) | best params (train part) | search s (train + all) |",
        "|---|---|---|---|---|---|",
    ]
    for name in selection["ranking"]:  # every searched model, best CV first
        cv = read_json(repo / paths.cv_metrics("train", name))
        t = test[name]
        params = ", ".join(f"{k}={v}" for k, v in cv["best_params"].items())
        rows.append(f"| {name} | {cv['cv_roc_auc']:.3f} ± {cv['cv_roc_auc_std']:.3f} "
                    f"| {t['roc_auc']:.3f} [{t['roc_auc_ci95_low']:.3f}, {t['roc_auc_ci95_high']:.3f}] "
                    f"| {production['ranking'][name]:.3f} ± {production['ranking_std'][name]:.3f} "
                    f"| {params} | {_seconds(repo, name)} |")
    rows += ["", f"CV: {selection['folds']}-fold stratified, repeated {selection['repeats']} times, on the train "
             f"part ({selection['rows']} customers) and on all labelled customers ({production['rows']}); "
             "test: the held-out part, scored once per train-part model (selection does not use it). "
             "Search seconds: fit + score time summed over all candidates and folds of both passes (both "
             "workers counted where a search uses two)."]
    return "\n".join(rows)


def _rules(repo: Path, selection: dict) -> list[str]:
    """What each `select.rule` picks in each pass, whichever the run used."""
    out = []
    for rule in RULES:
        picks = [select([read_json(repo / paths.cv_metrics(part, m)) for m in selection["ranking"]], part, rule)
                 for part in ("train", "labelled")]
        out.append(f"- `select.rule: {rule}` picks " + " and ".join(
            f"{p['model']} (CV {p['cv_roc_auc']:.3f}) on {'the train part' if p['part'] == 'train' else 'all labelled'}"
            for p in picks) + (" (this run)" if selection["rule"].startswith(f"{rule}:") else ""))
    return out


def _seconds(repo: Path, name: str) -> str:
    timings = [repo / "logs" / "timing" / f"search_{part}_{name}.json" for part in ("train", "labelled")]
    if not all(t.is_file() for t in timings):
        return "n/a"
    return f"{sum(read_json(t)['search_seconds'] for t in timings):.1f}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", required=True, type=Path, help="folder with the four raw files")
    parser.add_argument("--output", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        repo = make_sandbox(Path(tmp) / "repo", {"data.raw_dir": str(args.raw_dir.resolve())}, git=True)
        run(["dvc", "repro"], repo)
        table = results_table(repo)
    if args.output:
        args.output.write_text(table + "\n", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    sys.exit(main())
