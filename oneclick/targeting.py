"""Who gets which offer: the segment stage builds the plan, predict applies it to new customers.

The plan (metrics/segment_plan.json) holds the resolved thresholds, the segment names and each
segment's offer, so new customers are segmented exactly as the stage segmented the known ones.
"""

import pandas as pd

from oneclick.errors import DataError
from oneclick.offers import control_flags, segment_plan
from oneclick.registry import encoded_features
from oneclick.segments import (
    assign_segments,
    join_profit,
    profiles,
    profit_rule,
    resolve_thresholds,
    summarize,
)

COLUMNS = ["id", "probability", "profit", "segment", "offer", "control", "part"]


def names_by_cell(spec: dict) -> dict[str, str]:
    return dict(spec["names"])


def targeted_cells(spec: dict) -> list[str]:
    return list(spec["targeted"])


def offer_of(segment: pd.Series, plan: dict) -> pd.Series:
    """The offer name of each customer's segment (NA without a segment)."""
    offers = {name: entry["offer"] for name, entry in plan["segments"].items()}
    return segment.map(offers).astype("str").rename("offer")


def build(scores: pd.DataFrame, customers: pd.DataFrame, profit: pd.DataFrame, importance: pd.DataFrame,
          spec: dict):
    """Return (table, summary, profile, plan) for scored customers.

    scores: id, part, probability; customers: the model table (features, target) of the same ids.
    """
    names, targeted = names_by_cell(spec), targeted_cells(spec)
    table = join_profit(scores, profit)
    customers = customers.set_index("id").loc[table["id"]].reset_index()
    table["activity_decreased"] = customers["activity_decreased"].to_numpy()
    thresholds = resolve_thresholds(spec, table["profit"])
    table["segment"] = assign_segments(table, thresholds, names)
    table["control"] = control_flags(table, names, targeted, spec["experiment"]["control_share"],
                                     spec["experiment"]["seed"])
    summary = summarize(table, names, targeted)
    profile = profiles(encoded_features(customers), table["segment"], importance)
    plan = {
        "calibration": spec["calibration"],
        "thresholds": thresholds,
        "names": names,
        "segments": segment_plan(summary, profile, table["control"], table["segment"], spec),
    }
    table["offer"] = offer_of(table["segment"], plan)
    return table[COLUMNS], summary, profile, plan


def segment_metrics(summary: pd.DataFrame, plan: dict) -> dict:
    """metrics/segments.json: thresholds, sizes and profit at risk per segment."""
    return {
        "thresholds": plan["thresholds"],
        "customers": int(summary["customers"].sum()),
        "profit_at_risk_total": round(float(summary["profit_at_risk"].sum()), 4),
        "segments": {row["segment"]: {k: v for k, v in row.items() if k != "segment"}
                     for row in summary.to_dict("records")},
    }


def check_plan(plan: dict, spec: dict, path) -> None:
    """The plan must come from the same segment params as params.yaml, or new customers would be
    segmented differently from the report."""
    same = (plan["thresholds"]["risk"] == float(spec["risk_threshold"])
            and plan["thresholds"]["profit_rule"] == profit_rule(spec)
            and (isinstance(spec["profit_threshold"], dict)
                 or plan["thresholds"]["profit"] == float(spec["profit_threshold"]))
            and plan["names"] == names_by_cell(spec)
            and plan["calibration"] == spec["calibration"])
    if not same:
        raise DataError(f"{path}: made with other `segment` params than params.yaml; run `dvc repro`")


def label(scores: pd.DataFrame, plan: dict) -> pd.DataFrame:
    """Segment and offer for scored new customers (columns id, probability, profit; profit may be NA)."""
    out = scores.copy()
    out["segment"] = assign_segments(out, plan["thresholds"], plan["names"])
    out["offer"] = offer_of(out["segment"], plan)
    return out
