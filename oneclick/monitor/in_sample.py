"""Which customers of an export did the model learn from? Their scores are in-sample: the model has seen their
outcome, so their probabilities are too confident and a realized ROC-AUC on them says nothing.

The drift reference beside a model file lists a fingerprint of each training customer: a hash of the id and
every feature value (numbers to 6 decimals). A customer of an export is in-sample when its fingerprint is there,
that is the same id with the same data; the same id with next month's data is a new observation, and ids of
another store (the synthetic one shares the real id range) do not match by chance.

A fingerprint costs about 20 bytes of the reference; above MAX_CUSTOMERS training customers none are recorded
(the reference stays small) and predict says it cannot tell.
"""

import hashlib

import numpy as np
import pandas as pd

from oneclick.data.columns import FEATURES, NUMERIC

DIGITS = 6
HEX = 12  # characters kept: 48 bits; a false match about once in 100 000 exports of 50 000 customers
MAX_CUSTOMERS = 50_000


def _cell_text(table: pd.DataFrame, column: str) -> pd.Series:
    if column in NUMERIC:
        return table[column].astype(float).round(DIGITS).map(repr)
    return table[column].astype(str)


def fingerprints(table: pd.DataFrame) -> list[str]:
    """The fingerprint of every row of a model table (`id` and FEATURES), in its order."""
    text = table["id"].astype("int64").astype(str)
    for column in FEATURES:
        text = text + "|" + _cell_text(table, column)
    return [hashlib.sha256(row.encode()).hexdigest()[:HEX] for row in text]


def reference_fingerprints(table: pd.DataFrame) -> list[str] | None:
    """What the drift reference records: the sorted fingerprints, or None past MAX_CUSTOMERS."""
    return sorted(fingerprints(table)) if len(table) <= MAX_CUSTOMERS else None


def out_of_sample(seen, rows: int) -> np.ndarray:
    """Per row, whether its outcome can judge the model: not in-sample (`seen`: in_sample's answer; None: all)."""
    return np.ones(rows, bool) if seen is None else ~np.asarray(seen, bool)


def in_sample(table: pd.DataFrame, reference: dict) -> np.ndarray | None:
    """Per row of `table`, whether the model was fitted on that customer with these data; None when the
    reference lists no fingerprints (a model file written before they were recorded, or fitted on more than
    MAX_CUSTOMERS)."""
    known = reference.get("fingerprints")
    if known is None:
        return None
    return np.isin(np.asarray(fingerprints(table), dtype=object), np.asarray(known, dtype=object))
