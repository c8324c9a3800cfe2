"""Scores into probabilities: a one-dimensional calibrator fitted on out-of-fold scores, chosen out of fold.

A model's out-of-fold scores (each customer scored by a model fitted on the other folds) are what a calibrator
may learn from without leakage; the model refitted on every customer then scores new customers, and the
calibrator maps those scores to probabilities (scikit-learn's CalibratedClassifierCV with ensemble=False does
the same). The method is chosen by cross-fitting: each fold's scores are calibrated by a calibrator fitted on
the other folds' scores, and the method with the lowest log loss (or Brier score) of those probabilities wins;
`none` is among the choices, so a calibration that does not help is not used.

A calibrator is a small JSON record (method and numbers), stored beside the model file: reading it runs
nothing, and applying it needs numpy only. Its numbers have 12 significant digits (common/io.py `significant`),
and every probability is computed from those rounded numbers: the last bits of a fit differ from CPU to CPU, the
calibrator and what it gives do not.
"""

import numpy as np
from scipy.special import expit

from oneclick.common.checks import get, number, real, require, section
from oneclick.common.errors import DataError
from oneclick.common.io import significant
from oneclick.stats import mean_interval

METHODS = ("none", "sigmoid", "isotonic")
SCORES = ("log_loss", "brier")
EPS = float(np.finfo(float).eps)  # probabilities are clipped to [EPS, 1 - EPS] for the log loss, as scikit-learn does
DIGITS = 6


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt's sigmoid P = 1 / (1 + exp(a s + b)), fitted by maximum likelihood on his smoothed targets
    ((N+ + 1) / (N+ + 2) and 1 / (N- + 2)), as scikit-learn's _SigmoidCalibration fits it."""
    from scipy.optimize import minimize  # here: the stages that only read METHODS start without it

    positives = int(y.sum())
    negatives = len(y) - positives
    target = np.where(y == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))

    def loss(ab):
        z = ab[0] * scores + ab[1]
        # -log P = log(1 + exp(z)), -log(1 - P) = log(1 + exp(-z)): both stable with logaddexp
        value = np.sum(target * np.logaddexp(0, z) + (1 - target) * np.logaddexp(0, -z))
        residual = target - expit(-z)  # d loss / d z
        return value, np.array([np.sum(residual * scores), np.sum(residual)])

    prior = np.log((negatives + 1) / (positives + 1))
    result = minimize(loss, np.array([0.0, prior]), jac=True, method="L-BFGS-B", options={"gtol": 1e-10})
    return float(result.x[0]), float(result.x[1])


def fit(method: str, scores, y) -> dict:
    """A calibrator of `method` fitted on (out-of-fold) `scores` and labels `y`, its numbers to 12 significant
    digits."""
    scores, y = np.asarray(scores, dtype=float), np.asarray(y).astype(int)
    if method == "none":
        return {"method": "none"}
    if method == "sigmoid":
        a, b = _platt(scores, y)
        return {"method": "sigmoid", "a": significant(a), "b": significant(b)}
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, y)
        return {"method": "isotonic", "x": [significant(x) for x in iso.X_thresholds_.tolist()],
                "y": [significant(v) for v in iso.y_thresholds_.tolist()]}
    raise ValueError(f"unknown calibration method {method!r}; one of {METHODS}")


def check_calibrator(calibrator, path) -> dict:
    """A calibrator read from a model's folder (data from elsewhere): its method and numbers as `fit` writes them,
    or one error naming the file."""
    method = calibrator.get("method") if isinstance(calibrator, dict) else None
    if method not in METHODS:
        why = f"'method' must be one of {list(METHODS)}, found {method!r}"
    elif method == "sigmoid" and not all(real(calibrator.get(key)) for key in ("a", "b")):
        why = "a sigmoid calibrator needs the numbers 'a' and 'b'"
    elif method == "isotonic" and not _steps(calibrator.get("x"), calibrator.get("y")):
        why = "an isotonic calibrator needs lists 'x' (increasing numbers) and 'y' (in [0, 1]) of one length"
    else:
        return calibrator
    raise DataError(f"{path}: {why}; run `dvc repro` (or fetch the whole artifact folder)")


def _steps(x, y) -> bool:
    return (isinstance(x, list) and isinstance(y, list) and 0 < len(x) == len(y) and all(map(real, x))
            and all(a <= b for a, b in zip(x, x[1:], strict=False)) and all(real(v, 0, 1) for v in y))


def apply(calibrator: dict, scores) -> np.ndarray:
    """Probabilities from scores; an isotonic calibrator interpolates between its steps and clips outside."""
    scores = np.asarray(scores, dtype=float)
    method = calibrator["method"]
    if method == "none":
        return np.clip(scores, 0.0, 1.0)
    if method == "sigmoid":
        return expit(-(calibrator["a"] * scores + calibrator["b"]))
    if method == "isotonic":
        return np.interp(scores, calibrator["x"], calibrator["y"])
    raise ValueError(f"unknown calibration method {method!r}; one of {METHODS}")


def cross_fitted(method: str, scores, y, folds) -> np.ndarray:
    """Each customer's probability from a calibrator fitted on the other folds' scores (`folds`: a list of
    (fit indices, held-out indices) covering every customer once)."""
    scores, y = np.asarray(scores, dtype=float), np.asarray(y).astype(int)
    out = np.empty(len(scores))
    for fit_idx, held_idx in folds:
        out[held_idx] = apply(fit(method, scores[fit_idx], y[fit_idx]), scores[held_idx])
    return out


def log_losses(y, p) -> np.ndarray:
    """Each customer's log loss (p clipped to [EPS, 1 - EPS])."""
    y, p = np.asarray(y).astype(int), np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def log_loss(y, p) -> float:
    return float(np.mean(log_losses(y, p)))


def briers(y, p) -> np.ndarray:
    """Each customer's squared error."""
    return (np.asarray(p, dtype=float) - np.asarray(y).astype(int)) ** 2


def brier(y, p) -> float:
    return float(np.mean(briers(y, p)))


def quality(y, p) -> dict:
    """How well probabilities match outcomes: log loss, Brier score, and mean predicted against observed."""
    return {"log_loss": round(log_loss(y, p), DIGITS), "brier": round(brier(y, p), DIGITS),
            "mean_probability": round(float(np.mean(p)), DIGITS),
            "observed_rate": round(float(np.mean(np.asarray(y).astype(int))), DIGITS)}


def choose(scores, y, folds, choices, method: str = "auto", score: str = "log_loss") -> tuple[str, dict]:
    """The method to use and the cross-fitted quality of every choice (`method` other than auto: that one), with
    each choice's log loss minus the chosen one's, paired over the customers, and its 95 % normal interval."""
    probabilities = {m: cross_fitted(m, scores, y, folds) for m in choices}
    table = {m: quality(y, p) for m, p in probabilities.items()}
    if method == "auto":
        method = min(choices, key=lambda m: (table[m][score], choices.index(m)))  # ties: the earlier (simpler) one
    if method not in probabilities:
        return method, table
    chosen = log_losses(y, probabilities[method])
    for m, p in probabilities.items():
        difference = log_losses(y, p) - chosen
        low, high = mean_interval(difference)
        table[m]["log_loss_minus_chosen"] = [round(float(difference.mean()), DIGITS), round(low, DIGITS),
                                             round(high, DIGITS)]
    return method, table


def reliability(y, p, bins: int) -> list[dict]:
    """Mean predicted and observed rate in `bins` quantile bins of the probabilities (customers per bin too)."""
    y, p = np.asarray(y).astype(int), np.asarray(p, dtype=float)
    order = np.argsort(p, kind="stable")
    points = []
    for part in np.array_split(order, min(bins, len(p))):
        if len(part):
            points.append({"predicted": round(float(p[part].mean()), DIGITS),
                           "observed": round(float(y[part].mean()), DIGITS), "customers": int(len(part))})
    return points


def check_params(params: dict) -> None:
    section(params, "calibrate", {"method", "choices", "score", "bins"})
    choices = get(params, "calibrate.choices")
    require(isinstance(choices, list) and choices and set(choices) <= set(METHODS)
            and len(set(choices)) == len(choices), "calibrate.choices",
            f"must be a list of different methods from {list(METHODS)}")
    method = get(params, "calibrate.method")
    require(method == "auto" or method in choices, "calibrate.method", f"must be auto or one of {choices}")
    require(get(params, "calibrate.score") in SCORES, "calibrate.score", f"must be one of {list(SCORES)}")
    number(params, "calibrate.bins", 2, 1000, integer=True)
