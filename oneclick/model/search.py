"""Hyperparameter search for one model: the scaler and the estimator's grid, by CV ROC-AUC."""

import hashlib
import sys

import numpy as np
from joblib import parallel_config
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.model_selection import (
    GridSearchCV,
    ParameterGrid,
    RandomizedSearchCV,
    RepeatedStratifiedKFold,
)

from oneclick.common.checks import SEED, get, number, require, section
from oneclick.model.features import subsample
from oneclick.model.pipeline import chosen_pipeline, encoder, param_grid, readable_params, scaled_model

SCORING = "roc_auc"


def cv_splitter(cv: dict) -> RepeatedStratifiedKFold:
    return RepeatedStratifiedKFold(n_splits=cv["folds"], n_repeats=cv["repeats"], random_state=cv["seed"])


def thread_safe(pipeline) -> bool:
    """False when a liblinear solver is inside (logreg, or a voting member): liblinear draws from the C library's
    global random generator, which threads would share, so its CV scores would differ from run to run."""
    return "liblinear" not in {v for k, v in pipeline.get_params().items() if k.endswith("solver")}


def fold_jobs(pipeline, cv: dict) -> int:
    """joblib's n_jobs for a pipeline's folds: all of a cluster's workers (each fit in a worker process, where
    liblinear's generator is not shared), else `cv.n_jobs` threads, one for liblinear (see thread_safe)."""
    return -1 if cv.get("backend") == "dask" else cv["n_jobs"] if thread_safe(pipeline) else 1


def backend(pipeline, cv: dict | None = None) -> str:
    """joblib backend for the folds: processes for forests, threads for the rest.

    A forest on a thousand rows spends most of each tree's time in Python that holds the GIL, so
    threads run its folds slower than one thread (ExtraTrees, 300 trees, 60 fits: 18 s in 2 threads,
    10 s in 2 processes, start-up included). libsvm, the k-NN code and the single trees release the
    GIL, and threads spare them the 1-2 s of starting worker processes. Scores do not depend on it.
    With `cv.backend: dask` every search goes to the cluster.
    """
    if (cv or {}).get("backend") == "dask":
        return "dask"  # the client of oneclick.model.cluster
    forests = (ExtraTreesClassifier, RandomForestClassifier)
    return "loky" if any(isinstance(v, forests) for v in pipeline.get_params().values()) else "threading"


def make_search(spec: dict, features: dict, cv: dict):
    """A search over scaled_model: it expects rows already through encoder(features)."""
    pipeline = scaled_model(spec, features)
    space = param_grid(spec.get("grid") or {}, spec["scalers"])
    common = dict(scoring=SCORING, cv=cv_splitter(cv), n_jobs=fold_jobs(pipeline, cv), refit=False,
                  error_score="raise")
    size = len(ParameterGrid(space))
    if spec["search"]["method"] == "random" and spec["search"]["n_iter"] < size:
        return RandomizedSearchCV(pipeline, space, n_iter=spec["search"]["n_iter"], random_state=cv["seed"],
                                  **common)
    return GridSearchCV(pipeline, space, **common)


def run_search(stage: str, spec: dict, features: dict, cv: dict, X, y):
    """Search; return the record of the best candidate (its params and CV), its fold scores, and timings.

    The best candidate is not refitted here: the selection refits only the winner (fit_best), so that a search
    writes no model file.

    `y`'s index holds the customer ids: the fold scores name the customers they were computed on (as a
    digest), so that a review pairs them only with scores of the same folds.

    `stage` names the search in progress lines and timings (`train-svc`).

    `search.subsample` caps the rows used for kernel and neighbour models on
    large data (their cost grows with the square of the rows).
    """
    X, y = subsample(X, y, spec["search"].get("subsample"), cv["seed"])
    search = make_search(spec, features, cv)
    n_candidates = (search.n_iter if isinstance(search, RandomizedSearchCV)
                    else len(ParameterGrid(search.param_grid)))
    n_splits = search.cv.get_n_splits()
    print(f"search@{stage}: {n_candidates} candidates x {n_splits} folds = {n_candidates * n_splits} fits "
          f"on {len(y)} customers", file=sys.stderr, flush=True)
    encoded = encoder(features).fit_transform(X)
    # liblinear searches get one thread (see thread_safe). joblib's "Done 120 out of 240 | elapsed" lines go
    # to stderr.
    with parallel_config(backend=backend(search.estimator, cv), verbose=2 if search.n_jobs != 1 else 0):
        search.fit(encoded, y)
    best = search.best_index_
    results = search.cv_results_
    record = {
        "cv_roc_auc": round(float(results["mean_test_score"][best]), 6),
        "cv_roc_auc_std": round(float(results["std_test_score"][best]), 6),
        "estimator": spec["estimator"],
        "best_params": readable_params(search.best_params_),
        "candidates": int(n_candidates),
        "folds": cv["folds"],
        "repeats": cv["repeats"],
        "train_rows": int(len(y)),
    }
    fold_scores = {
        "folds": cv["folds"], "repeats": cv["repeats"], "seed": cv["seed"],
        "train_rows": int(len(y)), "customers": customers_digest(y.index, y),
        "roc_auc": [round(float(results[f"split{i}_test_score"][best]), 6) for i in range(n_splits)],
    }
    timing = {"stage": stage, "fit_seconds_mean": float(np.mean(results["mean_fit_time"])),
              "search_seconds": float(np.sum(results["mean_fit_time"] + results["mean_score_time"]) * n_splits)}
    return record, fold_scores, timing


def fit_best(spec: dict, features: dict, best_params: dict, X, y, seed: int):
    """The candidate a search chose (its record's `best_params`), fitted on the rows the search used: all of X, or
    its seeded, stratified `search.subsample`; an SVC with its probabilities (with_probabilities)."""
    X, y = subsample(X, y, spec["search"].get("subsample"), seed)
    return chosen_pipeline(spec, features, best_params).fit(X, y)


def customers_digest(ids, labels) -> str:
    """A short fingerprint of which customers, in which order, with which labels: equal digests mean the
    same CV folds (stratified splits depend only on the labels' order and the seed)."""
    text = "".join(f"{i},{int(v)}\n" for i, v in zip(ids, labels, strict=True))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_cv(params: dict) -> None:
    section(params, "cv", {"folds", "repeats", "seed", "n_jobs", "backend", "scheduler"})
    number(params, "cv.folds", 2, 50, integer=True)
    number(params, "cv.repeats", 1, 100, integer=True)
    number(params, "cv.seed", 0, SEED, integer=True)
    number(params, "cv.n_jobs", 1, 64, integer=True)
    require(get(params, "cv.backend") in ("threads", "dask"), "cv.backend", "must be 'threads' or 'dask'")
    scheduler = params["cv"].get("scheduler")
    require(scheduler is None or isinstance(scheduler, str), "cv.scheduler", "must be an address or null")
