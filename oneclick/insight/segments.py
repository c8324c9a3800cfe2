"""Risk × profit segments: thresholds, assignment, per-segment figures and profiles.

Edges: a customer is high risk when probability >= the risk threshold and high profit
when profit >= the profit threshold (both inclusive), so a customer exactly at a
threshold is in the "high" cell.
"""

import numpy as np
import pandas as pd
from scipy.special import ndtri

from oneclick.common.checks import get, number, real, require, section, text
from oneclick.common.errors import DataError
from oneclick.data.columns import MARKET_FILE, NOMINAL, NUMERIC, ORDINAL
from oneclick.labels import one_hot_name
from oneclick.stats import wilson

# the four risk × profit cells, the priority (keep them) first
CELLS = ("high_risk_high_profit", "high_risk_low_profit", "low_risk_high_profit", "low_risk_low_profit")
PRIORITY = CELLS[0]
DIGITS = 4


def _one_hot_columns() -> dict[str, tuple[str, str]]:
    """Model-space indicator name -> (column, category), as the pipeline's OneHotEncoder names them."""
    out = {}
    for column in MARKET_FILE.columns:
        if column.name in NOMINAL:
            kept = column.categories[1:] if len(column.categories) == 2 else column.categories  # drop="if_binary"
            out.update({one_hot_name(column.name, c): (column.name, c) for c in kept})
    return out


ONE_HOT = _one_hot_columns()
# features in the pipeline's transformed space, the names SHAP importance uses
FEATURE_NAMES = NUMERIC + list(ORDINAL) + list(ONE_HOT)
SHARE_FEATURES = set(ONE_HOT) | {c for c, cats in ORDINAL.items() if len(cats) == 2}


def resolve_thresholds(spec: dict, profit: pd.Series) -> dict:
    """Numeric thresholds from params `segment`: the profit one is a number or {quantile: q} of `profit`."""
    rule = spec["profit_threshold"]
    value = float(np.quantile(profit.to_numpy(float), rule["quantile"])) if isinstance(rule, dict) else float(rule)
    return {"risk": float(spec["risk_threshold"]), "profit": round(value, 6), "profit_rule": profit_rule(spec)}


def profit_rule(spec: dict) -> str:
    rule = spec["profit_threshold"]
    return f"quantile {rule['quantile']} of profit" if isinstance(rule, dict) else "fixed"


def cell_of(probability, profit, thresholds: dict) -> np.ndarray:
    """The risk × profit cell of each customer (>= is high on both axes)."""
    high_risk = np.asarray(probability, float) >= thresholds["risk"]
    high_profit = np.asarray(profit, float) >= thresholds["profit"]
    risk = np.where(high_risk, "high_risk", "low_risk")
    money = np.where(high_profit, "high_profit", "low_profit")
    return np.char.add(np.char.add(risk.astype(str), "_"), money.astype(str))


def assign_segments(scores: pd.DataFrame, thresholds: dict, names: dict[str, str]) -> pd.Series:
    """Segment name per row of `scores` (columns probability, profit); NA where profit is unknown."""
    known = scores["profit"].notna()
    out = pd.Series(pd.NA, index=scores.index, dtype="str", name="segment")
    if known.any():
        cells = cell_of(scores.loc[known, "probability"], scores.loc[known, "profit"], thresholds)
        out[known] = [names[c] for c in cells]
    return out


def join_profit(scores: pd.DataFrame, profit: pd.DataFrame) -> pd.DataFrame:
    """Scores with each customer's profit; every scored customer must have one."""
    out = scores.merge(profit[["id", "profit"]], on="id", how="left", validate="one_to_one")
    missing = out.loc[out["profit"].isna(), "id"].tolist()
    if missing:
        raise DataError(f"profit.csv: no profit for scored customers {missing[:5]}")
    return out


def _decline(part: pd.DataFrame) -> dict:
    """The segment's observed decline rate with its 95 % Wilson interval (None without labelled customers)."""
    labels = part["activity_decreased"].dropna() if "activity_decreased" in part else []
    if not len(labels):
        return {"decline_rate": None, "decline_low": None, "decline_high": None}
    declined = int(labels.sum())
    low, high = wilson(declined, len(labels))
    return {"decline_rate": round(declined / len(labels), DIGITS), "decline_low": round(low, DIGITS),
            "decline_high": round(high, DIGITS)}


def summarize(table: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """One row per segment: size, mean probability and profit, observed decline rate (labelled customers)."""
    rows = []
    for cell in CELLS:
        part = table[table["segment"] == names[cell]]
        rows.append({
            "segment": names[cell],
            "cell": cell,
            "customers": len(part),
            "share": round(len(part) / len(table), DIGITS) if len(table) else 0.0,
            "mean_probability": round(float(part["probability"].mean()), DIGITS) if len(part) else 0.0,
            "mean_profit": round(float(part["profit"].mean()), DIGITS) if len(part) else 0.0,
            **_decline(part),
        })
    return pd.DataFrame(rows)


def effect_size(inside: pd.Series, outside: pd.Series, share: bool) -> float:
    """Cohen's h for a share, standardized mean difference (pooled SD) otherwise: both on one scale."""
    if share:
        p1, p2 = float(inside.mean()), float(outside.mean())
        return 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2))
    n1, n2 = len(inside), len(outside)
    pooled = np.sqrt(((n1 - 1) * inside.var() + (n2 - 1) * outside.var()) / max(n1 + n2 - 2, 1))
    return float((inside.mean() - outside.mean()) / pooled) if pooled > 0 else 0.0


def effect_interval(effect: float, n1: int, n2: int, share: bool, level: float = 0.95) -> tuple[float, float]:
    """The effect's normal interval: Cohen's h has variance 1/n1 + 1/n2 (the arcsine makes a share's variance
    1/4n); a standardized mean difference d adds d² / 2(n1 + n2) for its estimated SD (Hedges and Olkin, 1985)."""
    if min(n1, n2) == 0:
        return effect, effect
    variance = 1 / n1 + 1 / n2 + (0.0 if share else effect ** 2 / (2 * (n1 + n2)))
    half = float(ndtri(1 - (1 - level) / 2)) * float(np.sqrt(variance))
    return effect - half, effect + half


def profiles(features: pd.DataFrame, segment: pd.Series, importance: pd.DataFrame) -> pd.DataFrame:
    """Per segment, every feature ranked by |effect| against the rest, with the effect's 95 % interval
    (effect_interval) and its SHAP direction.

    `importance` has feature, importance, direction (plots/importance.csv); a feature it
    does not list gets direction 0 and no rank.
    """
    shap = importance.set_index("feature")
    shap_rank = {f: i + 1 for i, f in enumerate(shap.index)}
    rows = []
    for name in segment.dropna().unique():
        inside = segment.eq(name).fillna(False).to_numpy()
        if inside.all() or not inside.any():
            continue
        for feature in FEATURE_NAMES:
            column = features[feature]
            share = feature in SHARE_FEATURES
            effect = effect_size(column[inside], column[~inside], share)
            low, high = effect_interval(effect, int(inside.sum()), int((~inside).sum()), share)
            rows.append({
                "segment": name,
                "feature": feature,
                "kind": "share" if share else "mean",
                "segment_value": round(float(column[inside].mean()), DIGITS),
                "rest_value": round(float(column[~inside].mean()), DIGITS),
                "effect": round(effect, DIGITS),
                "effect_low": round(low, DIGITS),
                "effect_high": round(high, DIGITS),
                "shap_direction": int(shap["direction"].get(feature, 0)),
                "shap_rank": shap_rank.get(feature, 0),
            })
    out = pd.DataFrame(rows, columns=["segment", "feature", "kind", "segment_value", "rest_value", "effect",
                                      "effect_low", "effect_high", "shap_direction", "shap_rank"])
    out["_size"] = out["effect"].abs()
    out = out.sort_values(["segment", "_size", "feature"], ascending=[True, False, True], kind="mergesort")
    out["rank"] = out.groupby("segment").cumcount() + 1
    return out.drop(columns="_size").reset_index(drop=True)


def direction_words(direction: int) -> str:
    """A SHAP direction (+1, -1, 0) in plain words."""
    return {1: "higher values raise the risk", -1: "higher values lower the risk"}.get(int(direction),
                                                                                        "no clear direction")


def read_importance(path) -> pd.DataFrame:
    """plots/importance.csv of the explain stage: feature, importance, direction."""
    try:
        importance = pd.read_csv(path)
    except FileNotFoundError:
        raise DataError(f"{path}: not found; run `dvc repro` (stage explain)") from None
    missing = sorted({"feature", "importance", "direction"} - set(importance.columns))
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; found {list(importance.columns)}")
    return importance


def build(scores: pd.DataFrame, customers: pd.DataFrame, profit: pd.DataFrame, importance: pd.DataFrame,
          spec: dict, encode):
    """(table, summary, profile, thresholds) for scored customers (id, part, probability) and the model table of
    the same ids (features, target). `encode` turns model-table rows into the features the model sees
    (oneclick.model.pipeline.encoded_features), so that profiles use the names SHAP explains."""
    names = dict(spec["names"])
    table = join_profit(scores, profit)
    customers = customers.set_index("id").loc[table["id"]].reset_index()
    table["activity_decreased"] = customers["activity_decreased"].to_numpy()
    thresholds = resolve_thresholds(spec, table["profit"])
    table["segment"] = assign_segments(table, thresholds, names)
    summary = summarize(table, names)
    profile = profiles(encode(customers), table["segment"], importance)
    return table[["id", "part", "probability", "profit", "segment"]], summary, profile, thresholds


def segment_metrics(summary: pd.DataFrame, thresholds: dict) -> dict:
    """metrics/segments.json: the thresholds, and per segment its size, means and observed decline rate."""
    return {
        "thresholds": thresholds,
        "customers": int(summary["customers"].sum()),
        "segments": {row["segment"]: {k: v for k, v in row.items() if k != "segment"}
                     for row in summary.to_dict("records")},
    }


def check_thresholds(thresholds, spec: dict, path) -> None:
    """Thresholds written by the segment stage (read back: data) must be its record, with the numbers `risk` and
    `profit` and the text `profit_rule`, and must come from params.yaml's `segment`, or new customers would be
    segmented differently from the report."""
    if not (isinstance(thresholds, dict) and real(thresholds.get("risk"), 0, 1) and real(thresholds.get("profit"))
            and isinstance(thresholds.get("profit_rule"), str)):
        raise DataError(f"{path}: must hold 'thresholds' with the numbers 'risk' (in [0, 1]) and 'profit' and the "
                        "text 'profit_rule'; run `dvc repro` (stage segment)")
    same = (thresholds["risk"] == float(spec["risk_threshold"]) and thresholds["profit_rule"] == profit_rule(spec)
            and (isinstance(spec["profit_threshold"], dict) or thresholds["profit"] == float(spec["profit_threshold"])))
    if not same:
        raise DataError(f"{path}: made with other `segment` params than params.yaml; run `dvc repro`")


def check_params(params: dict) -> None:
    section(params, "segment", {"risk_threshold", "profit_threshold", "names", "profile_top", "plot_points"})
    number(params, "segment.risk_threshold", 0, 1)
    rule = get(params, "segment.profit_threshold")
    if isinstance(rule, dict):
        require(set(rule) == {"quantile"}, "segment.profit_threshold", "as a mapping must be {quantile: q}")
        number(params, "segment.profit_threshold.quantile", 0, 1)
    else:
        require(real(rule), "segment.profit_threshold",  # inf would be written to segments.json as null
                f"must be a finite number (thousand roubles a month) or {{quantile: q}}, got {rule!r}")
    names = get(params, "segment.names")
    require(isinstance(names, dict) and set(names) == set(CELLS), "segment.names",
            f"must name exactly the cells {list(CELLS)}")
    for cell in CELLS:
        text(params, f"segment.names.{cell}")
    require(len(set(names.values())) == len(CELLS), "segment.names", "must give each cell a different name")
    number(params, "segment.profile_top", 1, len(FEATURE_NAMES), integer=True)
    number(params, "segment.plot_points", 10, 10_000_000, integer=True)
