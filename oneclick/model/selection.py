"""The second half of the selection procedure: rank every family's CV record and pick the winner.

The procedure (each family's search by CV, then this) runs on two parts of the labelled customers,
dvc.yaml's `passes`: the train part, whose winner the test part then scores (the honest estimate of
the procedure), and every labelled customer, whose winner, refitted on all of them, is what ships.
"""

import math

from oneclick.common.checks import require, section

RULES = {
    "best": "the highest mean CV ROC-AUC, ties broken by model name",
    "one_se": "the simplest model whose mean CV ROC-AUC is within one standard error of the best",
}
# `one_se` walks the estimators in this order, fewest fitted parameters and easiest to explain first;
# an estimator not listed comes last. Ties within one estimator go to the higher mean CV.
SIMPLICITY = ("dummy", "logreg", "tree", "knn", "svc", "forest", "extra_trees", "hist_gb", "voting")


def one_se_choice(ranked: list[dict]) -> tuple[dict, str]:
    """The one-standard-error rule (Hastie, Tibshirani and Friedman, ESL 7.10): among the models whose mean CV
    is at least the best's minus its standard error (the folds' sample std / sqrt(folds x repeats)), the simplest.
    scikit-learn's std_test_score divides by the number of folds n, so the standard error is std / sqrt(n - 1)."""
    best = ranked[0]
    se = best["cv_roc_auc_std"] / math.sqrt(best["folds"] * best["repeats"] - 1)
    floor = best["cv_roc_auc"] - se
    within = [r for r in ranked if r["cv_roc_auc"] >= floor]
    order = {name: i for i, name in enumerate(SIMPLICITY)}
    chosen = min(within, key=lambda r: (order.get(r["estimator"], len(order)), -r["cv_roc_auc"], r["model"]))
    why = (f"best mean CV {best['cv_roc_auc']:.4f} ({best['model']}), one standard error {se:.4f}: "
           f"within it {', '.join(r['model'] for r in within)}; the simplest is {chosen['model']}")
    return chosen, why


def select(records: list[dict], part: str, rule: str = "best") -> dict:
    """The selection record: the winner, its CV (mean, std, folds x repeats, rows), every family's CV, the rule
    and why it chose."""
    ranked = sorted(records, key=lambda r: (-r["cv_roc_auc"], r["model"]))
    if rule == "one_se":
        best, why = one_se_choice(ranked)
    else:
        best, why = ranked[0], f"{ranked[0]['model']} has the highest mean CV ROC-AUC"
    return {
        "cv_roc_auc": best["cv_roc_auc"],
        "cv_roc_auc_std": best["cv_roc_auc_std"],
        "model": best["model"],
        "estimator": best["estimator"],
        "best_params": best["best_params"],
        "part": part,
        "rows": best["train_rows"],
        "folds": best["folds"],
        "repeats": best["repeats"],
        "rule": f"{rule}: {RULES[rule]}",
        "rule_reason": why,
        "best_cv_model": ranked[0]["model"],
        "ranking": {r["model"]: r["cv_roc_auc"] for r in ranked},
        "ranking_std": {r["model"]: r["cv_roc_auc_std"] for r in ranked},
    }


def check_params(params: dict) -> None:
    section(params, "select", {"rule"})
    require(params["select"]["rule"] in RULES, "select.rule", f"must be one of {list(RULES)}")
