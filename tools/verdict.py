"""Better, worse or no detectable difference: the selected models of two revisions, paired on the same customers.

A side is a git revision (a commit, a branch, an experiment's sha) or the workspace (rev None). Four lines:
the train pass's winner by CV and on the test part, the production model (every labelled customer) by CV, and the
plan's expected maximum profit on the test part; then, per past campaign, the head plan's off-policy value there
against the plan that ran.
Pairing needs the same folds (cv.* and the same customers) or the same test customers; otherwise the line
says what changed instead of giving a number. The profit line also needs the same assumptions (the campaign's
params, the values at stake, the offers' costs and save rates): when they differ it gives each side's figure and
the difference under "other assumptions", naming the params that changed, never better or worse.
"""

import io
import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

from oneclick.campaign.emp import profit_curves
from oneclick.campaign.offers import save_rate_draws
from oneclick.common import paths
from oneclick.common.paths import PASS_METRICS, TEST_CAMPAIGN, TEST_METRICS, TEST_PREDICTIONS, cv_folds
from oneclick.stats import corrected_t_difference, delong_difference, unpaired_folds, verdict


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


def cv_line(base_rev, head_rev, part: str, root: Path = Path(".")) -> dict:
    """The paired CV comparison of the two sides' winners of one pass."""
    what = ("CV ROC-AUC of the selected model, train part" if part == "train"
            else "CV ROC-AUC of the production model, every labelled customer")
    base_sel, head_sel = _json(base_rev, PASS_METRICS[part], root), _json(head_rev, PASS_METRICS[part], root)
    line = {"what": what}
    if base_sel is None or head_sel is None:
        return {**line, "reason": f"{PASS_METRICS[part]} is missing on one side"}
    line.update(base=f"{base_sel['model']} {base_sel['cv_roc_auc']:.4f}",
                head=f"{head_sel['model']} {head_sel['cv_roc_auc']:.4f}")
    base = _json(base_rev, cv_folds(part, base_sel["model"]), root)
    head = _json(head_rev, cv_folds(part, head_sel["model"]), root)
    if base is None or head is None:
        return {**line, "reason": "per-fold scores are missing on one side (made before they were kept)"}
    reason = unpaired_folds(base, head)
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
    base_sel, head_sel = _json(base_rev, PASS_METRICS["train"], root), _json(head_rev, PASS_METRICS["train"], root)
    base_test, head_test = _json(base_rev, TEST_METRICS, root), _json(head_rev, TEST_METRICS, root)
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


# params sections of the plan's assumptions: its economics (campaign.*) and the campaigns its save rates learn from
ASSUMPTIONS = ("campaign", "readout")
OTHER_ASSUMPTIONS = "other assumptions"


def _offers(table: pd.DataFrame) -> dict:
    """offer -> (its cost with the contact's, alpha, beta of its save-rate Beta), for the offers a plan gives."""
    given = table.dropna(subset=["offer"]).drop_duplicates("offer")
    return {row.offer: (row.total_cost, row.alpha, row.beta) for row in given.itertuples(index=False)}


def _draws(offers: dict, names: list[str]) -> np.ndarray:
    """The save-rate draws (200 x offers, seeded) of the offers `names`, in that order."""
    return save_rate_draws(pd.DataFrame([offers[n][1:] for n in names], columns=["alpha", "beta"]), 200, 0)


def _emp_per_1000(table: pd.DataFrame, names: list[str], draws, rows) -> np.ndarray:
    """Expected maximum profit per 1000 customers of each resample (`rows`: resamples x positions); `draws`
    holds a column per offer of `names`."""
    index = table["offer"].map({n: i for i, n in enumerate(names)}).fillna(0).astype(int).to_numpy()
    has = table["expected_profit"].notna().to_numpy()
    out = []
    for sample in rows:
        pick = sample[has[sample]]
        best, _ = profit_curves(table["declined"].to_numpy()[pick], table["value_at_stake"].to_numpy()[pick],
                                table["total_cost"].to_numpy()[pick], index[pick], draws,
                                table["expected_profit"].to_numpy()[pick], np.arange(len(pick)))
        out.append(best.mean() * 1000 / len(sample))
    return np.array(out)


def _own_emp_per_1000(table: pd.DataFrame) -> float:
    """Expected maximum profit per 1000 customers of a plan under its own costs and save rates."""
    offers = _offers(table)
    names = sorted(offers)
    return float(_emp_per_1000(table, names, _draws(offers, names), [np.arange(len(table))])[0])


def _flat(node, prefix: str) -> dict:
    """A params section as dotted keys and their values."""
    if not isinstance(node, dict):
        return {prefix: node}
    return {key: value for name, child in node.items() for key, value in _flat(child, f"{prefix}.{name}").items()}


def assumption_changes(base_rev, head_rev, root: Path = Path(".")) -> list[str]:
    """The params of the plan's assumptions (ASSUMPTIONS) that differ between the sides, as `key: base → head`."""
    import yaml

    sides = []
    for rev in (base_rev, head_rev):
        params = yaml.safe_load(read(rev, "params.yaml", root) or b"") or {}
        sides.append({k: v for section in ASSUMPTIONS for k, v in _flat(params.get(section) or {}, section).items()})
    base, head = sides

    def shown(side: dict, key: str) -> str:
        return "unset" if key not in side else "empty" if side[key] is None else str(side[key])

    return [f"{key}: {shown(base, key)} → {shown(head, key)}" for key in sorted(set(base) | set(head))
            if shown(base, key) != shown(head, key)]


def _economics_change(base: pd.DataFrame, head: pd.DataFrame) -> list[str]:
    """What of the plan's economics differs between two test-part plans of the same customers: the values at
    stake, or the cost or save-rate prior of an offer both give (a model may leave an offer to no one)."""
    changed = [] if base["value_at_stake"].equals(head["value_at_stake"]) else ["values at stake"]
    offers = [_offers(base), _offers(head)]
    both = sorted(set(offers[0]) & set(offers[1]))
    if any(offers[0][o][0] != offers[1][o][0] for o in both):
        changed.append("offer costs")
    if any(offers[0][o][1:] != offers[1][o][1:] for o in both):
        changed.append("save-rate priors")
    return changed


def stale_stages(lock: dict) -> set[str]:
    """Stages of a dvc.lock whose recorded inputs are not the outputs recorded for the stages that make them
    (directly, or through a stale stage): what an experiment run on other targets left behind."""
    import yaml

    stages = yaml.safe_load(lock)["stages"] if isinstance(lock, (str, bytes)) else lock["stages"]
    made = {out["path"]: (name, out.get("md5")) for name, stage in stages.items() for out in stage.get("outs", [])}
    inputs = {name: [(dep["path"], dep.get("md5")) for dep in stage.get("deps", [])] for name, stage in stages.items()}
    stale = {name for name, deps in inputs.items() if any(path in made and made[path][1] != md5 for path, md5 in deps)}
    while True:
        more = {name for name, deps in inputs.items() if name not in stale
                and any(path in made and made[path][0] in stale for path, _ in deps)}
        if not more:
            return stale
        stale |= more


def emp_line(base_rev, head_rev, root: Path = Path("."), resamples: int = 400) -> dict:
    """The paired comparison of the plans' expected maximum profit on the test part: the same customers resampled
    for both sides (bootstrap), the same draws of the save rates. When the plan's assumptions differ (its params,
    or the values, costs and save rates of its table), each side's figure under its own assumptions and the
    difference, with the assumptions that changed: not better or worse, another question."""
    line = {"what": "expected maximum profit of the plan per 1000 test customers"}
    base_csv, head_csv = read(base_rev, TEST_CAMPAIGN, root), read(head_rev, TEST_CAMPAIGN, root)
    if base_csv is None or head_csv is None:
        return {**line, "reason": f"{TEST_CAMPAIGN} is missing on one side (made before it was kept)"}
    for rev in (base_rev, head_rev):
        lock = read(rev, "dvc.lock", root)
        if lock is not None and "campaign" in stale_stages(lock):
            return {**line, "reason": f"the campaign stage did not run for {_label(rev)} after its inputs changed"}
    base, head = pd.read_csv(io.BytesIO(base_csv)), pd.read_csv(io.BytesIO(head_csv))
    if not (base["id"].equals(head["id"]) and base["declined"].equals(head["declined"])):
        return {**line, "reason": f"other test customers ({len(base)} → {len(head)}; split.* or the data changed)"}
    economics = _economics_change(base, head)
    changes = assumption_changes(base_rev, head_rev, root)
    if economics or any(change.startswith("campaign.") for change in changes):
        emp = [_own_emp_per_1000(table) for table in (base, head)]
        return {**line, "base": f"{emp[0]:.1f}", "head": f"{emp[1]:.1f}", "delta": emp[1] - emp[0],
                "verdict": OTHER_ASSUMPTIONS,
                "assumptions": "; ".join(changes) or f"the same params, other {' and '.join(economics)}",
                "method": "each side under its own assumptions, thousand roubles"}
    offers = {**_offers(base), **_offers(head)}  # the same costs and priors where both give an offer
    names = sorted(offers)
    draws = _draws(offers, names)
    rng = np.random.default_rng(0)
    rows = [np.arange(len(head))] + [rng.integers(0, len(head), len(head)) for _ in range(resamples)]
    base_emp, head_emp = _emp_per_1000(base, names, draws, rows), _emp_per_1000(head, names, draws, rows)
    diff = head_emp[1:] - base_emp[1:]
    low, high = (float(v) for v in np.percentile(diff, [2.5, 97.5]))
    return {**line, "base": f"{base_emp[0]:.1f}", "head": f"{head_emp[0]:.1f}",
            "delta": float(head_emp[0] - base_emp[0]), "low": low, "high": high, "verdict": verdict(low, high),
            "digits": 1,
            "method": f"bootstrap of the same {len(head)} test customers, {resamples} resamples, thousand roubles"}


def off_policy_lines(head_rev, root: Path = Path(".")) -> list[dict]:
    """Per past campaign of the head's plan (metrics/campaign.json): what its plan would have earned on that
    campaign's randomized customers (inverse-propensity weighted, oneclick/campaign/off_policy.py), against the
    plan that ran there, paired on the same customers; the one-rate-per-offer plan beside it."""
    campaign = _json(head_rev, paths.CAMPAIGN_METRICS, root) or {}
    out = []
    for name, value in (campaign.get("past_campaigns") or {}).items():
        new, ran, one = value["new_plan"], value["plan_that_ran"], value["one_rate_per_offer"]
        diff = new["minus_plan_that_ran"]
        out.append({"what": f"off-policy value of the plan per 1000 customers of campaign {name}, against the plan "
                            "that ran there", "base": f"{ran['per_1000']:.1f}", "head": f"{new['per_1000']:.1f}",
                    "delta": diff["per_1000"], "low": diff["low"], "high": diff["high"],
                    "verdict": verdict(diff["low"], diff["high"]), "digits": 1,
                    "method": f"inverse-propensity weighted on its randomized customers, paired, thousand roubles; "
                              f"one save rate per offer would earn {one['per_1000']:.1f} "
                              f"[{one['low']:.1f}, {one['high']:.1f}]"})
    return out


def compare(base_rev, head_rev, root: Path = Path(".")) -> list[dict]:
    return [cv_line(base_rev, head_rev, "train", root), holdout_line(base_rev, head_rev, root),
            cv_line(base_rev, head_rev, "labelled", root), emp_line(base_rev, head_rev, root),
            *off_policy_lines(head_rev, root)]


def markdown_lines(lines: list[dict]) -> list[str]:
    """One bullet per comparison, the verdict first."""
    out = []
    for line in lines:
        sides = f"{line['base']} → {line['head']}" if "base" in line else ""
        if "reason" in line:
            out.append(f"- **not comparable: {line['reason']}**. {line['what']}" + (f": {sides}" if sides else ""))
            continue
        if line["verdict"] == OTHER_ASSUMPTIONS:
            out.append(f"- **{OTHER_ASSUMPTIONS}**: {line['assumptions']}. {line['what']}: {sides}, Δ "
                       f"{line['delta']:+.1f} ({line['method']}): the figures answer another question, not better "
                       "or worse")
            continue
        d = line.get("digits", 4)  # ROC-AUC to 4 decimals, money (thousand roubles) to 1
        out.append(f"- **{line['verdict']}**. {line['what']}: {sides}, Δ {line['delta']:+.{d}f}, "
                   f"95 % interval [{line['low']:+.{d}f}, {line['high']:+.{d}f}] ({line['method']})")
    return out


def verdict_section(base_rev, head_rev, root: Path = Path(".")) -> list[str]:
    return [f"## Verdict: {_label(head_rev)} against {_label(base_rev)}", "",
            *markdown_lines(compare(base_rev, head_rev, root)), "",
            "An interval is the 95 % range of the difference head − base that the noise of these customers "
            "allows; **better** or **worse** only when it excludes 0; **other assumptions**: the plan's economics "
            "differ, so its profit figures are not a verdict on the change (docs/experiments.md: \"Is the change "
            "real?\").",
            ""]
