"""Probabilities for every customer, none of them from a model that was trained on that customer.

Train customers get out-of-fold probabilities (each fold scored by a clone of the selected
pipeline fitted on the other folds); test customers get the probabilities of the pipeline
fitted on the whole train part, which never saw them.
"""

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, parallel_config
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.metrics import brier_score_loss
from sklearn.model_selection import StratifiedKFold

from oneclick.columns import TARGET
from oneclick.features import subsample, xy
from oneclick.search import fold_jobs


def fold_splitter(cv: dict) -> StratifiedKFold:
    """The project's folds and seed as one partition (cross_val_predict needs each customer once)."""
    return StratifiedKFold(n_splits=cv["folds"], shuffle=True, random_state=cv["seed"])


def calibrated_name(model: str, calibration: str) -> str:
    return model if calibration == "none" else f"{model}+{calibration}"


def scoring_estimator(pipeline, calibration: str, cv: dict):
    """An unfitted clone of the pipeline, wrapped in a calibrator if asked."""
    if calibration == "none":
        return clone(pipeline)
    return CalibratedClassifierCV(clone(pipeline), method=calibration, cv=fold_splitter(cv))


def _held_out(estimator, X: pd.DataFrame, y: pd.Series, fit_idx, held_idx, fit_rows, seed) -> np.ndarray:
    X_fit, y_fit = subsample(X.iloc[fit_idx], y.iloc[fit_idx], fit_rows, seed)
    return clone(estimator).fit(X_fit, y_fit).predict_proba(X.iloc[held_idx])[:, 1]


def out_of_fold(estimator, X: pd.DataFrame, y: pd.Series, cv: dict, fit_rows: int | None = None) -> np.ndarray:
    """Each customer's probability from a clone fitted on the other folds (on at most `fit_rows` of them).

    The folds run in `cv.n_jobs` threads (prediction dominates on many customers, and it releases the GIL:
    a million-customer run's ExtraTrees took 16 s instead of 25 s), or on the Dask cluster with
    `cv.backend: dask`. Each fold's fit is seeded, so the result does not depend on where it ran.
    """
    folds = list(fold_splitter(cv).split(X, y))
    with parallel_config(backend="dask" if cv.get("backend") == "dask" else "threading"):
        parts = Parallel(n_jobs=fold_jobs(estimator, cv))(
            delayed(_held_out)(estimator, X, y, fit_idx, held_idx, fit_rows, cv["seed"]) for fit_idx, held_idx in folds)
    proba = np.empty(len(y))
    for (_, held_idx), part in zip(folds, parts, strict=True):
        proba[held_idx] = part
    return proba


def score_customers(pipeline, train: pd.DataFrame, test: pd.DataFrame, cv: dict, calibration: str = "none",
                    fit_rows: int | None = None):
    """Return (scores, scorer): id, part, probability for every customer, and the model that scored `test`.

    `pipeline` is the selected model fitted on the whole train part. Without calibration it scores
    the test part as it is; with calibration a calibrated clone is fitted on the train part.
    `fit_rows` is the selected model's `search.subsample`: models too costly to fit on every row
    are fitted on that many, as in the search.
    """
    X_train, y_train = xy(train)
    X_test = xy(test)[0]
    estimator = scoring_estimator(pipeline, calibration, cv)
    oof = out_of_fold(estimator, X_train, y_train, cv, fit_rows)
    scorer = pipeline if calibration == "none" else estimator.fit(*subsample(X_train, y_train, fit_rows, cv["seed"]))
    scores = pd.concat([
        pd.DataFrame({"id": train["id"].to_numpy(), "part": "train", "probability": oof}),
        pd.DataFrame({"id": test["id"].to_numpy(), "part": "test",
                      "probability": scorer.predict_proba(X_test)[:, 1]}),
    ], ignore_index=True)
    scores["probability"] = np.clip(scores["probability"].astype(float), 0.0, 1.0)
    return scores.sort_values("id", ignore_index=True), scorer


def brier_by_part(scores: pd.DataFrame, customers: pd.DataFrame) -> dict:
    """Brier score of the probabilities per part (train: out of fold; test): how well calibrated they are."""
    joined = scores.merge(customers[["id", TARGET]], on="id", validate="one_to_one")
    return {part: round(float(brier_score_loss(g[TARGET], g["probability"])), 6)
            for part, g in joined.groupby("part", sort=True)}
