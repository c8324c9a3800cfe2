"""Do new customers look like the ones the model learned from? A drift check against a small reference.

The reference is made from the customers a model was fitted on and saved beside the model file (JSON and
CSV: loading it runs nothing): per numeric feature the deciles and the share of customers between them, per
category the customers of each value, a seeded sample of rows (at most `reference_rows`), and a fingerprint of
each customer (oneclick/monitor/in_sample.py).

Per feature the check runs a test and measures a distance:
- numeric: the two-sample Kolmogorov-Smirnov test against the sample rows, and the population stability index
  (PSI) on the reference's deciles (below 0.1 stable, above 0.25 a major shift, as credit scorecards read it);
- categorical: the chi-square test of the category counts against the reference's, and the PSI of the shares.

Multivariate: a domain classifier (extremely randomized trees) tells reference rows from new rows; its ROC-AUC
on a held-out half gets an exact permutation p-value, and the features it leans on are named.

False alarms are the common complaint about drift checks: 16 features tested at 5 % each alarm in about 56 % of
months for nothing, and on large exports any test rejects a negligible shift. So the p-values of the features
and of the domain classifier are Holm-corrected together (at most `alpha` of unchanged months alarm), and a
feature drifts only when its PSI also reaches `psi_min`; below `min_rows` customers no test is claimed.
"""

import math

import numpy as np
import pandas as pd

from oneclick.common.checks import SEED, get, named_folders, number, real, require, section
from oneclick.common.errors import DataError
from oneclick.data.columns import FEATURES, MARKET_FILE, NOMINAL, NUMERIC, ORDINAL
from oneclick.monitor.in_sample import reference_fingerprints

CATEGORICAL = list(ORDINAL) + NOMINAL
CATEGORIES = {c.name: list(c.categories) for c in MARKET_FILE.columns if c.name in CATEGORICAL}
DIGITS = 4
FLOOR = 1e-4  # share given to an empty bin in the PSI (its log needs one)


def _bins(values: np.ndarray, edges: list[float]) -> np.ndarray:
    """Bin index per value: (-inf, e1], (e1, e2], ..., (ek, inf)."""
    return np.searchsorted(np.asarray(edges, dtype=float), values, side="left")


def make_reference(table: pd.DataFrame, rows: int, seed: int, data: dict) -> tuple[dict, pd.DataFrame]:
    """(reference record, sample rows) of the customers a model was fitted on (`table`: the model table)."""
    reference = {"customers": int(len(table)), "data": data, "numeric": {}, "categorical": {}}
    for column in NUMERIC:
        values = table[column].to_numpy(float)
        edges = sorted(set(np.round(np.quantile(values, np.arange(1, 10) / 10), 6).tolist()))
        shares = np.bincount(_bins(values, edges), minlength=len(edges) + 1) / len(values)
        reference["numeric"][column] = {"edges": edges, "shares": np.round(shares, 6).tolist(),
                                        "mean": round(float(values.mean()), 6), "std": round(float(values.std()), 6)}
    for column in CATEGORICAL:
        counts = table[column].value_counts()
        reference["categorical"][column] = {c: int(counts.get(c, 0)) for c in CATEGORIES[column]}
    take = min(rows, len(table))
    picked = np.sort(np.random.default_rng(seed).choice(len(table), size=take, replace=False))
    reference["sample_rows"] = take
    if "id" in table.columns:  # which customers a score would be in-sample for (oneclick/monitor/in_sample.py)
        reference["fingerprints"] = reference_fingerprints(table)
    return reference, table.iloc[picked][FEATURES].reset_index(drop=True)


def check_reference(reference, path) -> dict:
    """A reference read from a model's folder (data from elsewhere): the record make_reference writes, for every
    feature the drift check compares, or one error naming the file and what is off."""
    def numbers(values) -> bool:
        return isinstance(values, list) and all(map(real, values))

    def binned(ref) -> bool:
        return isinstance(ref, dict) and numbers(ref.get("edges")) and numbers(ref.get("shares")) \
            and len(ref["shares"]) == len(ref["edges"]) + 1 and numbers([ref.get("mean"), ref.get("std")])

    problems = [] if isinstance(reference, dict) else ["not a JSON object"]
    if not problems:
        data = reference.get("data")
        if not isinstance(reference.get("customers"), int) or not isinstance(data, dict) \
                or not {"raw_dir", "synthetic"} <= set(data):
            problems.append("'customers' and 'data' (raw_dir, synthetic) are needed")
        numeric, categorical = reference.get("numeric"), reference.get("categorical")
        for kind, found, expected in (("numeric", numeric, NUMERIC), ("categorical", categorical, CATEGORICAL)):
            if not isinstance(found, dict) or set(found) != set(expected):
                problems.append(f"'{kind}' must hold the features {sorted(expected)}, found "
                                f"{sorted(found) if isinstance(found, dict) else found!r}")
        if not problems:
            problems += [f"numeric '{c}' needs lists 'edges' and 'shares' (one more share than edges), 'mean' "
                         "and 'std'" for c in NUMERIC if not binned(numeric[c])]
            problems += [f"categorical '{c}' needs a count per category" for c in CATEGORICAL
                         if not isinstance(categorical[c], dict) or not numbers(list(categorical[c].values()))
                         or not sum(categorical[c].values()) > 0]
    if problems:
        raise DataError(f"{path}: not a drift reference of this project: {'; '.join(problems[:3])}; run `dvc "
                        "repro` (or fetch the whole artifact folder)")
    return reference


def psi(reference_shares, new_shares) -> float:
    """Population stability index: sum of (new - reference) x ln(new / reference) over the bins."""
    ref = np.maximum(np.asarray(reference_shares, dtype=float), FLOOR)
    new = np.maximum(np.asarray(new_shares, dtype=float), FLOOR)
    return float(((new - ref) * np.log(new / ref)).sum())


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values: reject those below alpha and the family-wise error stays at alpha."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    adjusted = np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order])
    out = np.empty(len(p))
    out[order] = np.minimum(adjusted, 1.0)
    return out


def feature_tests(reference: dict, sample: pd.DataFrame, new: pd.DataFrame) -> list[dict]:
    """Per feature: its test's p-value, the test statistic, the PSI, and (numeric) the mean shift in reference SDs."""
    from scipy.stats import chi2_contingency, ks_2samp

    out = []
    for column, ref in reference["numeric"].items():
        values = new[column].to_numpy(float)
        shares = np.bincount(_bins(values, ref["edges"]), minlength=len(ref["edges"]) + 1) / len(values)
        ks = ks_2samp(sample[column].to_numpy(float), values)
        # against a constant reference a shift has no scale: null, not 0 (the KS test and the PSI still see it)
        shift = float((values.mean() - ref["mean"]) / ref["std"]) if ref["std"] > 0 else None
        out.append({"feature": column, "test": "Kolmogorov-Smirnov", "statistic": float(ks.statistic),
                    "p_value": float(ks.pvalue), "psi": psi(ref["shares"], shares), "mean_shift_sd": shift})
    for column, counts in reference["categorical"].items():
        categories = list(counts)
        new_counts = new[column].value_counts().reindex(categories, fill_value=0).to_numpy()
        ref_counts = np.array([counts[c] for c in categories])
        seen = (ref_counts + new_counts) > 0
        if seen.sum() < 2:
            statistic, p_value = 0.0, 1.0
        else:
            result = chi2_contingency(np.vstack([ref_counts[seen], new_counts[seen]]))
            statistic, p_value = float(result.statistic), float(result.pvalue)
        out.append({"feature": column, "test": "chi-square", "statistic": statistic, "p_value": p_value,
                    "psi": psi(ref_counts / ref_counts.sum(), new_counts / max(new_counts.sum(), 1)),
                    "mean_shift_sd": None})
    return out


def _auc(y: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """ROC-AUC of one score vector against each row of labels `y` (rows x customers), by ranks."""
    from scipy.stats import rankdata

    ranks = rankdata(scores)
    positives = y.sum(axis=1)
    negatives = y.shape[1] - positives
    return ((y * ranks).sum(axis=1) - positives * (positives + 1) / 2) / (positives * negatives)


def domain_classifier(sample: pd.DataFrame, new: pd.DataFrame, spec: dict) -> dict:
    """Reference rows (label 0) against new rows (label 1): extremely randomized trees fitted on a stratified half,
    their ROC-AUC on the other half, its permutation p-value, and the features the trees split on most.

    The held-out half's labels are exchangeable under no drift whatever the trees learned, so shuffling them gives
    the exact null distribution of the AUC. Pooled out-of-fold scores would not: each fold's model scores its rows
    on its own level, and the permutation null of their pooled AUC is too narrow (measured on 60 splits of one
    population: 17 % of them beyond its 95th percentile)."""
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.model_selection import train_test_split

    from oneclick.model.pipeline import encoder

    rng = np.random.default_rng(spec["seed"])
    take = min(len(new), spec["rows"])
    new = new.iloc[np.sort(rng.choice(len(new), size=take, replace=False))] if take < len(new) else new
    rows = pd.concat([sample[FEATURES], new[FEATURES]], ignore_index=True)
    y = np.r_[np.zeros(len(sample), dtype=int), np.ones(len(new), dtype=int)]
    coder = encoder({"trends": False, "ratios": False, "log_counts": False})
    X = coder.fit_transform(rows)
    names = list(coder.get_feature_names_out())
    fit_rows, held = train_test_split(np.arange(len(y)), test_size=0.5, stratify=y, random_state=spec["seed"])
    trees = ExtraTreesClassifier(n_estimators=spec["trees"], min_samples_leaf=spec["min_leaf"], max_features="sqrt",
                                 random_state=spec["seed"], n_jobs=1).fit(X[fit_rows], y[fit_rows])
    scores = trees.predict_proba(X[held])[:, 1]
    observed = float(_auc(y[held][None, :], scores)[0])
    null = _auc(np.array([rng.permutation(y[held]) for _ in range(spec["permutations"])]), scores)
    top = [names[i] for i in np.argsort(-trees.feature_importances_, kind="stable")[:3]]
    return {"roc_auc": observed, "p_value": float((1 + (null >= observed).sum()) / (1 + len(null))),
            "permutation_auc_95": float(np.quantile(null, 0.95)), "top_features": top,
            "reference_rows": int(len(sample)), "new_rows": int(len(new))}


def new_categories(quarantine: pd.DataFrame | None) -> dict:
    """{feature: {category: customers}} of the categories no training customer had: the customers the export
    contract set aside for them (oneclick/data/load.py). A new category is the clearest drift there is."""
    if quarantine is None or quarantine.empty:
        return {}
    names = {c.raw: c.name for c in MARKET_FILE.columns if c.name in CATEGORICAL}
    rows = quarantine[(quarantine["file"] == MARKET_FILE.name) & quarantine["column"].isin(list(names))
                      & quarantine["reason"].eq("unknown category")]
    counts = rows.drop_duplicates(["id", "column"]).groupby(["column", "value"]).size()
    out = {}
    for (column, value), n in sorted(counts.items()):
        out.setdefault(names[column], {})[value] = int(n)
    return out


def check(reference: dict, sample: pd.DataFrame, new: pd.DataFrame, spec: dict, unseen: dict | None = None) -> dict:
    """The drift record of an export's customers (`new`: model table rows) against a model's reference;
    `unseen`: the new categories of the export (new_categories), which are drift by themselves."""
    n = len(new)
    unseen = unseen or {}
    out = {"customers": int(n), "reference_customers": reference["customers"], "alpha": spec["alpha"],
           "psi_min": spec["psi_min"], "new_categories": unseen}
    if n < spec["min_rows"]:
        return {**out, "dataset_drift": bool(unseen), "drifted_features": [], "features": [], "domain": None,
                "verdict": _unseen_words(unseen) + f"too few customers to tell ({n} < monitor.min_rows "
                f"{spec['min_rows']})"}
    tests = feature_tests(reference, sample, new)
    domain = domain_classifier(sample, new, spec["domain"])
    adjusted = holm([t["p_value"] for t in tests] + [domain["p_value"]])
    for t, p in zip(tests, adjusted[:-1], strict=True):
        t["p_holm"] = float(p)
        t["drift"] = bool(p < spec["alpha"] and t["psi"] >= spec["psi_min"])
    domain["p_holm"] = float(adjusted[-1])
    domain["drift"] = bool(adjusted[-1] < spec["alpha"] and domain["roc_auc"] >= spec["domain"]["auc_min"])
    drifted = [t["feature"] for t in sorted(tests, key=lambda t: -t["psi"]) if t["drift"]]
    out.update({"dataset_drift": bool(drifted) or domain["drift"] or bool(unseen), "drifted_features": drifted,
                "features": [{k: round(v, DIGITS) if isinstance(v, float) else v for k, v in t.items()}
                             for t in tests],
                "domain": {k: round(v, DIGITS) if isinstance(v, float) else v for k, v in domain.items()}})
    out["verdict"] = verdict(out, len(tests))
    return out


def _unseen_words(unseen: dict) -> str:
    if not unseen:
        return ""
    words = [f"{feature} {value!r} ({n} customer{'s' * (n > 1)}, set aside)"
             for feature, values in unseen.items() for value, n in values.items()]
    return "new categories: " + ", ".join(words) + "; "


def verdict(record: dict, features: int) -> str:
    drifted, domain = record["drifted_features"], record["domain"]
    if not record["dataset_drift"]:
        return "no drift detected"
    if not drifted and not domain["drift"]:
        return _unseen_words(record["new_categories"]).removesuffix("; ")
    parts = [f"drift in {len(drifted)} of {features} features: {', '.join(drifted)}"] if drifted else \
        [f"no single feature drifts (of {features})"]
    if domain["drift"]:
        parts.append(f"a classifier tells these customers from the training ones (ROC-AUC {domain['roc_auc']:.2f}), "
                     f"mostly by {', '.join(domain['top_features'])}")
    return _unseen_words(record["new_categories"]) + "; ".join(parts)


def check_params(params: dict) -> None:
    section(params, "monitor", {"exports": None, "alpha": None, "psi_min": None, "min_rows": None,
                                "reference_rows": None,
                                "domain": {"rows", "trees", "min_leaf", "permutations", "auc_min", "seed"}})
    named_folders(params, "monitor.exports", "export")
    number(params, "monitor.alpha", 0.0001, 0.5)
    number(params, "monitor.psi_min", 0, 100)
    number(params, "monitor.min_rows", 2, 10**9, integer=True)
    number(params, "monitor.reference_rows", 10, 100_000, integer=True)
    number(params, "monitor.domain.rows", 10, 10**7, integer=True)
    number(params, "monitor.domain.trees", 1, 10_000, integer=True)
    number(params, "monitor.domain.min_leaf", 1, 10_000, integer=True)
    number(params, "monitor.domain.permutations", 10, 100_000, integer=True)
    tests = len(FEATURES) + 1  # Holm's first step multiplies the smallest p-value by every test's count
    needed = math.floor(tests / get(params, "monitor.alpha"))  # tests / (needed + 1) < alpha, as drift asks (<)
    require(get(params, "monitor.domain.permutations") >= needed, "monitor.domain.permutations",
            f"must be at least {needed}: the classifier's smallest p-value, 1 / (permutations + 1), must fall below "
            f"monitor.alpha after Holm's correction over {tests} tests, or it could never raise an alarm")
    number(params, "monitor.domain.auc_min", 0.5, 1)
    number(params, "monitor.domain.seed", 0, SEED, integer=True)
