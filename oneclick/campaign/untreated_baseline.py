"""The untreated baseline of the save-rate learner (uplift.py): each customer's decline probability without an offer,
the model's p refitted on a round's untreated customers where they show it off, with its own uncertainty."""

import numpy as np
import pandas as pd
from scipy import special


def _baseline_pipeline(frame: pd.DataFrame, columns: list[str]):
    """Logistic regression of the untreated outcome on logit p and the customer's columns (numbers standardized,
    categories one-hot): the model's p refitted where round-1 outcomes show it off."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    def logit(x):
        return special.logit(np.clip(np.asarray(x, dtype=float), 1e-6, 1 - 1e-6))

    numeric = [c for c in columns if c != "probability" and pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])]
    nominal = [c for c in columns if c != "probability" and c not in numeric]
    parts = [("logit_p", FunctionTransformer(logit), ["probability"]), ("num", StandardScaler(), numeric)]
    if nominal:
        parts.append(("cat", OneHotEncoder(handle_unknown="ignore"), nominal))
    return make_pipeline(ColumnTransformer(parts), LogisticRegression(C=1.0, max_iter=2000))


def refit_baseline(table: pd.DataFrame, columns: list[str], opts: dict, seed: int) -> tuple[np.ndarray, dict]:
    """Each customer's untreated decline probability from the round's untreated customers (control arms and the
    customers not contacted): their outcomes are the model's p put to the test on thousands of customers, where an
    offer's control arm alone holds a few hundred. Refitted (logit p plus the columns, _baseline_pipeline) and used
    only when its cross-validated log-loss beats p's at `calibration_alpha` (paired over the customers); otherwise
    p. An untreated customer gets its out-of-fold value, so a check against the untreated is not in-sample."""
    from scipy.stats import norm
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    p = table["probability"].to_numpy(float)
    untreated = ~table["treated"].astype(bool).to_numpy()
    y = table["declined"].to_numpy(int)[untreated]
    info = {"applied": False, "untreated": int(untreated.sum()), "declined": int(y.sum())}
    folds = opts["baseline_folds"]
    if not folds or min(y.sum(), len(y) - y.sum()) < max(opts["baseline_min"], folds):
        return p, info
    frame = table.loc[untreated, columns + ["probability"] * ("probability" not in columns)]
    oof = cross_val_predict(_baseline_pipeline(frame, columns), frame, y, method="predict_proba",
                            cv=StratifiedKFold(folds, shuffle=True, random_state=seed))[:, 1]

    def loss(q):
        q = np.clip(q, 1e-6, 1 - 1e-6)
        return -(y * np.log(q) + (1 - y) * np.log1p(-q))

    gain = loss(p[untreated]) - loss(oof)
    z = float(gain.mean() / max(gain.std(ddof=1), 1e-12) * np.sqrt(len(gain)))
    info.update({"log_loss_gain": float(gain.mean()), "z": z})
    if z <= norm.ppf(1 - opts["calibration_alpha"]):
        return p, info
    info["applied"] = True
    model = _baseline_pipeline(frame, columns).fit(frame, y)
    design = _design(model, table[frame.columns])
    fitted = model.predict_proba(table[frame.columns])[:, 1]
    q = fitted[untreated]  # the fit's information on its own rows, plus the L2 penalty (1/C, intercept free)
    hessian = design[untreated].T @ (design[untreated] * (q * (1 - q))[:, None])
    hessian[1:, 1:] += np.eye(len(hessian) - 1) / model[-1].C
    refitted = np.where(untreated, 0.0, fitted)
    refitted[untreated] = oof
    info["sensitivity"] = design * (fitted * (1 - fitted))[:, None]  # d p~_i / d coefficients
    info["covariance"] = np.linalg.pinv(hessian)
    return refitted, info


def _design(model, frame: pd.DataFrame) -> np.ndarray:
    """The refitted baseline's design matrix on `frame`, with the intercept's column first."""
    x = model[0].transform(frame)
    x = x.toarray() if hasattr(x, "toarray") else np.asarray(x, dtype=float)
    return np.column_stack([np.ones(len(x)), x])


def baseline_sd(refit: dict, rows: np.ndarray, weights: np.ndarray, p: np.ndarray) -> float:
    """The refitted baseline's relative standard error on the weighted sum of p over `rows` (table positions): the
    delta method on the coefficients' covariance. 0 when p is the model's own."""
    if not refit.get("applied") or not len(rows):
        return 0.0
    gradient = (refit["sensitivity"][rows] * weights[:, None]).sum(0)
    total = float((weights * p).sum())
    return float(np.sqrt(max(gradient @ refit["covariance"] @ gradient, 0.0))) / total if total > 0 else 0.0


def check_calibration(table: pd.DataFrame, level: float) -> dict:
    """The control arm's decliners against sum p: factor c = declined / expected, its z, and whether p is
    rescaled (only when the arm rejects c = 1 at `level`, two-sided)."""
    ctrl = table[table["control"].astype(bool)]
    p, y = ctrl["probability"].to_numpy(float), ctrl["declined"].to_numpy(float)
    if len(ctrl) == 0 or p.sum() == 0:
        return {"factor": 1.0, "z": 0.0, "applied": False, "control": 0}
    z = float((y.sum() - p.sum()) / np.sqrt((p * (1 - p)).sum()))
    from scipy.stats import norm

    return {"factor": float(y.sum() / p.sum()), "z": z, "applied": bool(abs(z) > norm.ppf(1 - level / 2)),
            "control": int(len(ctrl))}
