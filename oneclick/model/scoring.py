"""Out-of-fold scores: each customer scored by a clone of the model fitted on the other folds, never on them.

They are what a calibrator may learn from (oneclick/model/calibration.py) and the probabilities the segment and
campaign stages give the customers the model was trained on.
"""

import numpy as np
import pandas as pd
from joblib import parallel_config
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from oneclick.model.features import subsample
from oneclick.model.pipeline import split_encoder
from oneclick.model.search import fold_jobs


def fold_splitter(cv: dict) -> StratifiedKFold:
    """The project's folds and seed as one partition (each customer held out once)."""
    return StratifiedKFold(n_splits=cv["folds"], shuffle=True, random_state=cv["seed"])


def folds(X, y, cv: dict) -> list[tuple[np.ndarray, np.ndarray]]:
    """(fit positions, held-out positions) of the partition."""
    return list(fold_splitter(cv).split(X, y))


def out_of_fold(pipeline, X: pd.DataFrame, y: pd.Series, cv: dict, fit_rows: int | None = None) -> np.ndarray:
    """Each customer's score from a clone of `pipeline` fitted on the other folds, on at most `fit_rows` of their
    customers (the seeded, stratified subsample of the search).

    As in the search, the rows are encoded once (the encoder learns nothing) and the folds fit only the scaler
    and the model: scikit-learn's cross_val_predict runs them in `cv.n_jobs` threads (prediction dominates on
    many customers, and releases the GIL: ExtraTrees on a million-customer run, 25 s in one thread, 16 s in
    two), or on the Dask cluster with `cv.backend: dask`, which needs only scikit-learn to run them.
    """
    encoder, rest = split_encoder(pipeline)
    encoded = encoder.fit_transform(X)
    # each fold fits on its subsample, in the subsample's order (train_test_split of the fold's positions)
    parts = [(subsample(fit_idx, y.iloc[fit_idx], fit_rows, cv["seed"])[0], held_idx)
             for fit_idx, held_idx in folds(X, y, cv)]
    with parallel_config(backend="dask" if cv.get("backend") == "dask" else "threading"):
        proba = cross_val_predict(rest, encoded, y, cv=parts, method="predict_proba", n_jobs=fold_jobs(rest, cv))
    return np.clip(proba[:, 1], 0.0, 1.0)
