"""The second half of the selection procedure: rank every family's CV record and pick the winner.

The procedure (each family's search by CV, then this) runs on two parts of the labelled customers,
dvc.yaml's `passes`: the train part, whose winner the test part then scores (the honest estimate of
the procedure), and every labelled customer, whose winner, refitted on all of them, is what ships.
"""

RULE = "best: the highest mean CV ROC-AUC, ties broken by model name"
# each pass's winner (dvc.yaml `passes` names the same files for its outs)
SELECTED_MODEL = "models/model.skops"  # train pass: what evaluate, explain and segment use
PRODUCTION_MODEL = "models/production/model.skops"  # every labelled customer: what ships and predict uses


def data_path(part: str) -> str:
    return f"data/processed/{part}.csv"


def candidate_path(part: str, model: str) -> str:
    return f"models/candidates/{part}/{model}.skops"


def cv_record_path(part: str, model: str) -> str:
    return f"metrics/cv/{part}/{model}.json"


def select(records: list[dict], part: str) -> dict:
    """The selection record: the winner, its CV (mean, std, folds x repeats, rows), every family's CV, the rule."""
    ranked = sorted(records, key=lambda r: (-r["cv_roc_auc"], r["model"]))
    best = ranked[0]
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
        "rule": RULE,
        "ranking": {r["model"]: r["cv_roc_auc"] for r in ranked},
        "ranking_std": {r["model"]: r["cv_roc_auc_std"] for r in ranked},
    }
