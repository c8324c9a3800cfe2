"""The demo campaign's outcome (stage simulate): the export after a campaign, in the store's format, where each
treated customer who would have bought less was kept by the offer with its true save rate (params `simulate`)."""

from pathlib import Path

import numpy as np
import pandas as pd

from oneclick.common.checks import SEED, get, number, require, section, text
from oneclick.common.io import atomic_path
from oneclick.data.columns import (
    ID_PATTERN,
    MARKET_FILE,
    MARKET_MONEY,
    MARKET_TIME,
    MONEY,
    NEGATIVE_LABEL,
    POSITIVE_LABEL,
)


def simulate_outcomes(contacts: pd.DataFrame, source_dir, out_dir, save_rates: dict[str, float], seed: int):
    """The export after a campaign, simulated: the campaign's customers' four files from `source_dir`, in their
    format, where each treated customer (contacted, not control) who bought less was kept by the offer with its
    true save rate (`save_rates`: offer -> probability). Returns the ids of the customers kept."""
    ids = set(contacts["id"])
    treated = contacts["contact"].fillna(False).astype(bool) & ~contacts["control"].fillna(False).astype(bool)
    rate = contacts["offer"].map(save_rates).fillna(0.0).where(treated, 0.0)
    draw = np.random.default_rng(seed).random(len(contacts))
    candidates = contacts.loc[draw < rate.to_numpy(), "id"]
    saved = []
    for raw_file in (MARKET_FILE, MARKET_MONEY, MARKET_TIME, MONEY):
        source = Path(source_dir) / raw_file.name
        raw = source.read_bytes().decode("utf-8")
        frame = pd.read_csv(source, sep=raw_file.sep, dtype=str, keep_default_na=False)
        # an id that is not one (blank, 215348.0: set aside in training) belongs to no campaign customer
        valid = frame["id"].str.fullmatch(ID_PATTERN)
        number = pd.to_numeric(frame["id"].where(valid), errors="coerce")
        frame, number = frame[number.isin(ids)], number[number.isin(ids)]
        if raw_file is MARKET_FILE:
            target = MARKET_FILE.columns[1].raw
            kept = number.isin(candidates) & (frame[target] == POSITIVE_LABEL)
            frame.loc[kept, target] = NEGATIVE_LABEL
            saved = sorted(number[kept].astype("int64"))
        with atomic_path(Path(out_dir) / raw_file.name) as tmp:
            frame.to_csv(tmp, sep=raw_file.sep, index=False, encoding="utf-8",
                         lineterminator="\r\n" if "\r\n" in raw else "\n")
    return saved


def check_params(params: dict) -> None:
    """The `simulate` section: a true save rate for each offer of `campaign.offers` (checked first)."""
    section(params, "simulate", {"name", "save_rates", "seed"})
    text(params, "simulate.name")
    offers = get(params, "campaign.offers")
    rates = get(params, "simulate.save_rates")
    require(isinstance(rates, dict) and set(rates) == set(offers), "simulate.save_rates",
            f"must give a true save rate for each offer of campaign.offers: {list(offers)}")
    for name in rates:
        number(params, f"simulate.save_rates.{name}", 0, 1)
    number(params, "simulate.seed", 0, SEED, integer=True)
