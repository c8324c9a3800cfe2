"""A model's artifact folder: the model file and what travels with it, read in one place.

    model.skops           the fitted pipeline (oneclick/model/model_file.py: loads only trusted types)
    calibration.json      scores -> probabilities (oneclick/model/calibration.py)
    reference.json        the customers it was fitted on, for the drift check (oneclick/monitor/drift.py)
    reference_sample.csv  a seeded sample of those customers' rows
    expected.json         the performance it is expected to have (the production model's folder)

All but the model file are JSON or CSV: reading them runs nothing.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from oneclick.common.errors import DataError, examples
from oneclick.common.io import read_json_file
from oneclick.data.columns import FEATURES, NUMERIC

CALIBRATION, REFERENCE, SAMPLE, EXPECTED = "calibration.json", "reference.json", "reference_sample.csv", "expected.json"


def companion(model_path, name: str) -> Path:
    return Path(model_path).parent / name


def read_companion(model_path, name: str, check=None):
    """A JSON or CSV file of the model's folder, with one clear error when it is missing or unreadable; `check`
    (content, path), where given, checks a JSON file's content and names the file on an error."""
    path = companion(model_path, name)
    if not path.is_file():
        raise DataError(f"{path}: not found beside the model file {model_path}; run `dvc repro` (or fetch the whole "
                        "artifact folder: `dvc artifacts get ... retention-model`)")
    if path.suffix != ".csv":
        content = read_json_file(path)
        return check(content, path) if check else content
    try:
        sample = pd.read_csv(path)
    except ValueError as err:  # pandas' EmptyDataError and ParserError are ValueErrors
        raise DataError(f"{path}: not a CSV file ({type(err).__name__}: {err}); run `dvc repro`") from None
    missing = [c for c in FEATURES if c not in sample.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; run `dvc repro`")
    if sample.empty:
        raise DataError(f"{path}: no customer (a header only); run `dvc repro`")
    for column in NUMERIC:  # a text cell would leave its feature out of the drift check without a word
        values = pd.to_numeric(sample[column], errors="coerce")
        bad = sample.loc[~np.isfinite(values), column]
        if len(bad):
            raise DataError(f"{path}: column '{column}': not a number: {examples(bad.tolist())}; run `dvc repro`")
        sample[column] = values
    return sample[FEATURES]


def synthetic_note(reference: dict) -> str:
    """How the model's training data reads in one phrase."""
    data = reference["data"]
    kind = "the synthetic store" if data["synthetic"] else "the export"
    return f"{reference['customers']} customers of {kind} {data['raw_dir']}"
