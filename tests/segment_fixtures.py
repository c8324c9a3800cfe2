"""Small inputs for the segment, report and predict tests, built in the test (no pipeline run needed)."""

import copy

import numpy as np
import pandas as pd
import yaml
from conftest import ROOT

from oneclick.data.load import read_export
from oneclick.data.prepare import build_table
from oneclick.insight.segments import FEATURE_NAMES

PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))


def segment_spec(**changes) -> dict:
    spec = copy.deepcopy(PARAMS["segment"])
    spec.update(changes)
    return spec


def customers_and_profit(raw_dir):
    """The model table (with target) and profit of a raw folder, as the prepare stage makes them."""
    frames = read_export(raw_dir).frames
    kept, _, profit = build_table(frames, PARAMS["prepare"]["revenue_max"])
    return kept, profit


def importance() -> pd.DataFrame:
    """A stand-in for plots/importance.csv: every feature, alternating directions."""
    n = len(FEATURE_NAMES)
    level = np.linspace(1, 0.1, n)
    return pd.DataFrame({"feature": FEATURE_NAMES, "importance": level, "low": level - 0.05, "high": level + 0.05,
                         "direction": [1 if i % 2 else -1 for i in range(n)]})


def random_scores(kept: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    part = np.where(rng.random(len(kept)) < 0.25, "test", "train")
    return pd.DataFrame({"id": kept["id"], "part": part, "probability": rng.random(len(kept))})
