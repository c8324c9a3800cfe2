"""An offer per segment from the rule table in params, a control group, and the test size it needs.

A rule names a feature, whether the segment must be `higher` or `lower` than the rest and by
how much (effect size, see segments.effect_size). A targeted segment gets the offer of the
matching rule with the largest effect, the default offer if none matches; a segment that is
not targeted gets `no_offer`.
"""

import math

import numpy as np
import pandas as pd
from scipy.stats import norm

from oneclick.segments import CELLS, direction_words


def justification(row) -> str:
    """`promo_share 0.62 vs 0.28 in the rest (effect +1.10; SHAP: higher values raise the risk)`."""
    return (f"{row['feature']} {row['segment_value']:.2f} vs {row['rest_value']:.2f} in the rest "
            f"(effect {row['effect']:+.2f}; SHAP: {direction_words(row['shap_direction'])})")


def matching_rules(profile: pd.DataFrame, rules: list[dict]) -> list[tuple[dict, pd.Series]]:
    """Rules that hold for one segment's profile, the largest effect first (ties: rule order)."""
    if profile.empty:  # an empty segment has no profile
        return []
    by_feature = profile.set_index("feature")
    found = []
    for order, rule in enumerate(rules):
        row = by_feature.loc[rule["feature"]]
        sign = 1 if rule["when"] == "higher" else -1
        if sign * row["effect"] >= rule["min_effect"]:
            found.append((-abs(row["effect"]), order, rule, row.to_dict() | {"feature": rule["feature"]}))
    return [(rule, row) for _, _, rule, row in sorted(found, key=lambda m: (m[0], m[1]))]


def choose_offer(profile: pd.DataFrame, spec: dict, targeted: bool) -> dict:
    """The offer for one segment with the figures behind it."""
    if not targeted:
        return {"offer": spec["no_offer"]["name"], "offer_text": spec["no_offer"]["offer"], "evidence": []}
    matches = matching_rules(profile, spec["offers"])
    if not matches:
        return {"offer": spec["default_offer"]["name"], "offer_text": spec["default_offer"]["offer"],
                "evidence": ["no rule of segment.offers holds for this segment"]}
    rule = matches[0][0]
    return {"offer": rule["name"], "offer_text": rule["offer"], "evidence": [justification(r) for _, r in matches]}


def needed_per_arm(baseline: float, drop: float, alpha: float, power: float) -> int | None:
    """Customers per arm for a two-sided two-proportion z-test to detect `baseline` -> `baseline - drop`."""
    treated = baseline - drop
    if not 0 < treated < 1 or not 0 < baseline < 1:
        return None
    pooled = (baseline + treated) / 2
    z_alpha, z_power = norm.ppf(1 - alpha / 2), norm.ppf(power)
    n = (z_alpha * math.sqrt(2 * pooled * (1 - pooled))
         + z_power * math.sqrt(baseline * (1 - baseline) + treated * (1 - treated))) ** 2 / drop ** 2
    return math.ceil(n)


def control_flags(table: pd.DataFrame, names: dict[str, str], targeted: list[str], share: float,
                  seed: int) -> pd.Series:
    """1 for customers drawn (seeded, per segment) into the control group of a targeted segment."""
    flags = pd.Series(0, index=table.index, name="control", dtype="int64")
    for position, cell in enumerate(CELLS):
        if cell not in targeted:
            continue
        members = table.loc[table["segment"] == names[cell]].sort_values("id").index.to_numpy()
        size = round(share * len(members))
        rng = np.random.default_rng([seed, position])  # one stream per cell: independent of other segments
        flags[rng.choice(members, size=size, replace=False)] = 1
    return flags


def experiment(customers: int, control: int, baseline: float, spec: dict) -> dict:
    """The A/B check of one targeted segment: arm sizes against the size the power analysis asks for."""
    needed = needed_per_arm(baseline, spec["drop"], spec["alpha"], spec["power"])
    treated = customers - control
    return {
        "control": control,
        "treated": treated,
        "baseline_decline_rate": round(baseline, 4),
        "target_decline_rate": round(baseline - spec["drop"], 4),
        "alpha": spec["alpha"],
        "power": spec["power"],
        "needed_per_arm": needed,
        "powered": needed is not None and min(control, treated) >= needed,
    }


def segment_plan(summary: pd.DataFrame, profile: pd.DataFrame, control: pd.Series, segment: pd.Series,
                 spec: dict) -> dict:
    """Per segment: its offer with the evidence, and for a targeted one the experiment to check it."""
    plan = {}
    for row in summary.itertuples(index=False):
        entry = {"cell": row.cell, **choose_offer(profile[profile["segment"] == row.segment], spec, row.targeted)}
        if row.targeted:
            n_control = int(control[segment == row.segment].sum())
            entry["experiment"] = experiment(row.customers, n_control, row.mean_probability, spec["experiment"])
        plan[row.segment] = entry
    return plan
