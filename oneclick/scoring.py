"""Probabilities for every customer, none of them from a model that was trained on that customer.

Train customers get out-of-fold probabilities (each fold scored by a clone of the selected
pipeline fitted on the other folds); test customers get the probabilities of the pipeline
fitted on the whole train part, which never saw them.
"""

import numpy as np
import pandas as pd
from joblib import parallel_config
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.metrics import brier_score_loss
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from oneclick.columns import TARGET
from oneclick.features import subsample, xy
from oneclick.registry import split_encoder
from oneclick.search import fold_jobs


def fold_splitter(cv: dict) -> StratifiedKFold:
    """The project's folds and seed as one partition (cross_val_predict needs each customer once)."""
    return StratifiedKFold(n_splits=cv["folds"], shuffle=True, random_state=cv["seed"])


def calibrated_name(model: str, calibration: str) -> str:
    return model if calibration == "none" else f"{model}+{calibration}"


def calibrated(estimator, calibration: str, cv: dict):
    """`estimator`, or an unfitted calibrator around a clone of it."""
    if calibration == "none":
        return estimator
    return CalibratedClassifierCV(clone(estimator), method=calibration, cv=fold_splitter(cv))


def out_of_fold(pipeline, X: pd.DataFrame, y: pd.Series, cv: dict, calibration: str = "none",
                fit_rows: int | None = None) -> np.ndarray:
    """Each customer's probability from a clone of `pipeline` (calibrated if asked) fitted on the other folds,
    on at most `fit_rows` of their customers (the seeded, stratified subsample of the search).

    As in the search, the rows are encoded once (the encoder learns nothing) and the folds fit only the scaler
    and the model: scikit-learn's cross_val_predict runs them in `cv.n_jobs` threads (prediction dominates on
    many customers, and releases the GIL: ExtraTrees on a million-customer run, 25 s in one thread, 16 s in
    two), or on the Dask cluster with `cv.backend: dask`, which needs only scikit-learn to run them.
    """
    encoder, rest = split_encoder(pipeline)
    encoded = encoder.fit_transform(X)
    estimator = calibrated(rest, calibration, cv)
    # each fold fits on its subsample, in the subsample's order (train_test_split of the fold's positions)
    folds = [(subsample(fit_idx, y.iloc[fit_idx], fit_rows, cv["seed"])[0], held_idx)
             for fit_idx, held_idx in fold_splitter(cv).split(X, y)]
    with parallel_config(backend="dask" if cv.get("backend") == "dask" else "threading"):
        proba = cross_val_predict(estimator, encoded, y, cv=folds, method="predict_proba",
                                  n_jobs=fold_jobs(estimator, cv))
    return proba[:, 1]


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
    oof = out_of_fold(pipeline, X_train, y_train, cv, calibration, fit_rows)
    scorer = pipeline if calibration == "none" else \
        calibrated(pipeline, calibration, cv).fit(*subsample(X_train, y_train, fit_rows, cv["seed"]))
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
