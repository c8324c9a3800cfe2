"""The labelled customers a campaign plans for, as the stages hand them over: calibrated leak-free probability
(data/segments.csv), profit, segment, and the model-table columns that eligibility rules and outcomes need."""

import pandas as pd

from oneclick.common.paths import SEGMENTS, TEST, TRAIN


def known_customers() -> pd.DataFrame:
    """id, part, probability, profit, segment and every model-table column, in id order."""
    table = pd.concat([pd.read_csv(path) for path in (TRAIN, TEST)], ignore_index=True)
    scored = pd.read_csv(SEGMENTS)
    return scored.merge(table, on="id", how="left", validate="one_to_one").sort_values("id", ignore_index=True)
