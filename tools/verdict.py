"""Better, worse or no detectable difference: the selected models of two revisions, paired on the same customers.

A side is a git revision (a commit, a branch, an experiment's sha) or the workspace (rev None). Three lines:
the train pass's winner by CV and on the test part, and the production model (every labelled customer) by CV.
Pairing needs the same folds (cv.* and the same customers) or the same test customers; otherwise the line
says what changed instead of giving a number.
"""

import io
import json
import subprocess
from pathlib import Path

import pandas as pd

from oneclick.paired import corrected_t_difference, delong_difference, verdict
from oneclick.selection import TEST_PREDICTIONS, fold_scores_path

PASSES = {"train": "metrics/selection.json", "labelled": "metrics/production.json"}
FOLD_KEYS = {"folds": "cv.folds", "repeats": "cv.repeats", "seed": "cv.seed"}


def read(rev: str | None, path: str, root: Path = Path(".")) -> bytes | None:
    """A file at a revision (None: the workspace), or None if it is not there."""
    if rev is None:
        file = root / path
        return file.read_bytes() if file.is_file() else None
    result = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=root, capture_output=True)
    return result.stdout if result.returncode == 0 else None


def _json(rev, path, root):
    data = read(rev, path, root)
    return None if data is None else json.loads(data)


def _label(rev: str | None) -> str:
    return "workspace" if rev is None else f"`{rev}`"


def _fold_change(base: dict, head: dict) -> str | None:
    """Why two models' fold scores cannot be paired, or None if they can."""
    for key, param in FOLD_KEYS.items():
        if base[key] != head[key]:
            return f"{param} changed ({base[key]} → {head[key]})"
    if base["customers"] != head["customers"]:
        return (f"the folds hold other customers ({base['train_rows']} → {head['train_rows']} rows; "
                "the data, prepare, split or a subsample changed)")
    return None


def cv_line(base_rev, head_rev, part: str, root: Path = Path(".")) -> dict:
    """The paired CV comparison of the two sides' winners of one pass."""
    what = ("CV ROC-AUC of the selected model, train part" if part == "train"
            else "CV ROC-AUC of the production model, every labelled customer")
    base_sel, head_sel = _json(base_rev, PASSES[part], root), _json(head_rev, PASSES[part], root)
    line = {"what": what}
    if base_sel is None or head_sel is None:
        return {**line, "reason": f"{PASSES[part]} is missing on one side"}
    line.update(base=f"{base_sel['model']} {base_sel['cv_roc_auc']:.4f}",
                head=f"{head_sel['model']} {head_sel['cv_roc_auc']:.4f}")
    base = _json(base_rev, fold_scores_path(part, base_sel["model"]), root)
    head = _json(head_rev, fold_scores_path(part, head_sel["model"]), root)
    if base is None or head is None:
        return {**line, "reason": "per-fold scores are missing on one side (made before they were kept)"}
    reason = _fold_change(base, head)
    if reason:
        return {**line, "reason": reason}
    delta, low, high = corrected_t_difference(base["roc_auc"], head["roc_auc"], head["folds"])
    return {**line, "delta": delta, "low": low, "high": high, "verdict": verdict(low, high),
            "method": f"corrected resampled t, paired on the same {len(head['roc_auc'])} folds of "
                      f"{head['train_rows']} customers"}


def holdout_line(base_rev, head_rev, root: Path = Path(".")) -> dict:
    """The paired test-part comparison of the two sides' train-pass winners."""
    line = {"what": "test ROC-AUC of the selected model"}
    base_csv, head_csv = read(base_rev, TEST_PREDICTIONS, root), read(head_rev, TEST_PREDICTIONS, root)
    base_sel, head_sel = _json(base_rev, PASSES["train"], root), _json(head_rev, PASSES["train"], root)
    base_test, head_test = _json(base_rev, "metrics/test.json", root), _json(head_rev, "metrics/test.json", root)
    if None in (base_csv, head_csv, base_sel, head_sel, base_test, head_test):
        return {**line, "reason": f"{TEST_PREDICTIONS} is missing on one side (made before it was kept)"}
    line.update(base=f"{base_sel['model']} {base_test['roc_auc']:.4f}",
                head=f"{head_sel['model']} {head_test['roc_auc']:.4f}")
    base, head = pd.read_csv(io.BytesIO(base_csv)), pd.read_csv(io.BytesIO(head_csv))
    if not (base["id"].equals(head["id"]) and base["actual"].equals(head["actual"])):
        return {**line, "reason": f"other test customers ({len(base)} → {len(head)}; split.* or the data changed)"}
    delta, low, high = delong_difference(head["actual"], base["probability"], head["probability"])
    return {**line, "delta": delta, "low": low, "high": high, "verdict": verdict(low, high),
            "method": f"DeLong, paired on the same {len(head)} test customers"}


def compare(base_rev, head_rev, root: Path = Path(".")) -> list[dict]:
    return [cv_line(base_rev, head_rev, "train", root), holdout_line(base_rev, head_rev, root),
            cv_line(base_rev, head_rev, "labelled", root)]


def markdown_lines(lines: list[dict]) -> list[str]:
    """One bullet per comparison, the verdict first."""
    out = []
    for line in lines:
        sides = f"{line['base']} → {line['head']}" if "base" in line else ""
        if "reason" in line:
            out.append(f"- **not comparable: {line['reason']}**. {line['what']}" + (f": {sides}" if sides else ""))
            continue
        out.append(f"- **{line['verdict']}**. {line['what']}: {sides}, Δ {line['delta']:+.4f}, "
                   f"95 % interval [{line['low']:+.4f}, {line['high']:+.4f}] ({line['method']})")
    return out


def verdict_section(base_rev, head_rev, root: Path = Path(".")) -> list[str]:
    return [f"## Verdict: {_label(head_rev)} against {_label(base_rev)}", "",
            *markdown_lines(compare(base_rev, head_rev, root)), "",
            "An interval is the 95 % range of the difference head − base that the noise of these customers "
            "allows; **better** or **worse** only when it excludes 0 (README: \"Is the change real?\").", ""]
