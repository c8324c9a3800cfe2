"""Both selection rules on CV records whose answer is known, and the fold scores the searches keep."""

import numpy as np
import pytest

from oneclick.model.search import customers_digest
from oneclick.model.selection import select


def record(model, estimator, mean, std=0.02, folds=5, repeats=2):
    return {"model": model, "estimator": estimator, "cv_roc_auc": mean, "cv_roc_auc_std": std,
            "best_params": {}, "train_rows": 700, "folds": folds, "repeats": repeats}


RECORDS = [record("svc", "svc", 0.920), record("knn_trees", "voting", 0.921), record("logreg", "logreg", 0.905),
           record("knn", "knn", 0.916), record("tree", "tree", 0.880)]


def test_best_takes_the_highest_mean_and_names_ties_by_model():
    chosen = select(RECORDS, "train")
    assert (chosen["model"], chosen["best_cv_model"]) == ("knn_trees", "knn_trees")
    assert chosen["rule"].startswith("best:") and list(chosen["ranking"])[:2] == ["knn_trees", "svc"]
    tied = select([record("b", "svc", 0.9), record("a", "knn", 0.9)], "train")
    assert tied["model"] == "a"


def test_one_se_takes_the_simplest_within_one_standard_error():
    """The records' std is scikit-learn's, over 10 fold scores with divisor 10: the sample std is 0.02 sqrt(10 / 9)
    and SE = 0.02 / sqrt(9) = 0.00667: the floor is 0.9143; svc and knn are within it, logreg and the tree are not;
    knn comes before svc in the simplicity order."""
    chosen = select(RECORDS, "train", rule="one_se")
    assert chosen["model"] == "knn" and chosen["best_cv_model"] == "knn_trees"
    assert chosen["cv_roc_auc"] == 0.916 and chosen["rule"].startswith("one_se:")
    assert "one standard error 0.0067" in chosen["rule_reason"] and "logreg" not in chosen["rule_reason"]
    # a wider spread of the folds brings the logistic regression in
    wide = [{**r, "cv_roc_auc_std": 0.06} for r in RECORDS]
    assert select(wide, "train", rule="one_se")["model"] == "logreg"
    # alone within the band, the best model stays
    alone = [record("svc", "svc", 0.95, std=0.01), record("logreg", "logreg", 0.90)]
    assert select(alone, "train", rule="one_se")["model"] == "svc"


def test_search_keeps_every_fold_score_of_the_best_candidate(synthetic_table):
    from oneclick.data.columns import TARGET
    from oneclick.model.features import xy
    from oneclick.model.search import run_search

    X, y = xy(synthetic_table.set_index("id"))
    spec = {"estimator": "knn", "args": {}, "grid": {"n_neighbors": [5, 25]}, "scalers": ["standard"],
            "search": {"method": "grid"}}
    cv = {"folds": 3, "repeats": 2, "seed": 0, "n_jobs": 1}
    features = {"trends": False, "ratios": False, "log_counts": False}
    record_, folds, _ = run_search("train-knn", spec, features, cv, X, y)
    assert len(folds["roc_auc"]) == 6 and folds["train_rows"] == len(y)
    assert np.mean(folds["roc_auc"]) == pytest.approx(record_["cv_roc_auc"], abs=1e-6)
    assert np.std(folds["roc_auc"]) == pytest.approx(record_["cv_roc_auc_std"], abs=1e-6)
    _, again, _ = run_search("train-knn", spec, features, {**cv, "seed": 1}, X, y)
    assert again["customers"] == folds["customers"] and again["roc_auc"] != folds["roc_auc"]
    shuffled = synthetic_table.sample(frac=1, random_state=0).set_index("id")
    _, other, _ = run_search("train-knn", spec, features, cv, shuffled.drop(columns=TARGET), shuffled[TARGET])
    assert other["customers"] != folds["customers"]


def test_customers_digest_changes_with_ids_order_and_labels():
    digest = customers_digest([1, 2, 3], [0, 1, 0])
    assert digest == customers_digest(np.array([1, 2, 3]), np.array([0, 1, 0]))
    assert digest != customers_digest([1, 3, 2], [0, 0, 1])
    assert digest != customers_digest([1, 2, 3], [0, 1, 1])
    assert digest != customers_digest([1, 2, 4], [0, 1, 0])
