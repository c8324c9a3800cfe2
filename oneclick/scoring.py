"""Probabilities for every customer, none of them from a model that was trained on that customer.

Train customers get out-of-fold probabilities (each fold scored by a clone of the selected
pipeline fitted on the other folds); test customers get the probabilities of the pipeline
fitted on the whole train part, which never saw them.
"""

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from oneclick.features import xy

CALIBRATIONS = ("none", "sigmoid", "isotonic")


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


def score_customers(pipeline, train: pd.DataFrame, test: pd.DataFrame, cv: dict, calibration: str = "none"):
    """Return (scores, scorer): id, part, probability for every customer, and the model that scored `test`.

    `pipeline` is the selected model fitted on the whole train part. Without calibration it scores
    the test part as it is; with calibration a calibrated clone is fitted on the train part.
    """
    X_train, y_train = xy(train)
    X_test = xy(test)[0]
    estimator = scoring_estimator(pipeline, calibration, cv)
    oof = cross_val_predict(estimator, X_train, y_train, cv=fold_splitter(cv), method="predict_proba",
                            n_jobs=cv["n_jobs"])[:, 1]
    scorer = pipeline if calibration == "none" else estimator.fit(X_train, y_train)
    scores = pd.concat([
        pd.DataFrame({"id": train["id"].to_numpy(), "part": "train", "probability": oof}),
        pd.DataFrame({"id": test["id"].to_numpy(), "part": "test",
                      "probability": scorer.predict_proba(X_test)[:, 1]}),
    ], ignore_index=True)
    scores["probability"] = np.clip(scores["probability"].astype(float), 0.0, 1.0)
    return scores.sort_values("id", ignore_index=True), scorer
