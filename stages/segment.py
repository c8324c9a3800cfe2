"""Stage segment: every labelled customer's leak-free calibrated probability, risk × profit segments, profiles."""

import pandas as pd

from oneclick import segment_plots
from oneclick.cli import run
from oneclick.io import write_csv, write_json
from oneclick.params import load_params
from oneclick.segments import build, read_importance, segment_metrics
from oneclick.selection import TEST_PREDICTIONS, scores_path


def known_scores() -> pd.DataFrame:
    """id, part, probability: train customers out of fold (calibrate@train), test customers by the model fitted on
    the train part (evaluate); both calibrated, so no customer is scored by a model or calibrator that saw it."""
    train = pd.read_csv(scores_path("train"))[["id", "probability"]].assign(part="train")
    test = pd.read_csv(TEST_PREDICTIONS)[["id", "calibrated"]].rename(columns={"calibrated": "probability"})
    return pd.concat([train, test.assign(part="test")], ignore_index=True).sort_values("id", ignore_index=True)


def main():
    spec = load_params(check_estimators=False)["segment"]
    customers = pd.concat([pd.read_csv("data/processed/train.csv"), pd.read_csv("data/processed/test.csv")])
    table, summary, profile, thresholds = build(known_scores(), customers, pd.read_csv("data/processed/profit.csv"),
                                                read_importance("plots/importance.csv"), spec)
    write_csv("data/segments.csv", table.round({"probability": 6}))
    shown = segment_plots.shown_customers(table, spec["plot_points"])
    write_csv("plots/segments.csv", shown[["id", "probability", "profit", "segment"]].round(6))
    write_csv("plots/segment_profiles.csv", profile)
    write_json("metrics/segments.json", segment_metrics(summary, thresholds))
    segment_plots.scatter(shown, summary, thresholds, segment_plots.SCATTER)
    segment_plots.profile_bars(profile, summary, spec["profile_top"], segment_plots.PROFILES)


if __name__ == "__main__":
    run(main)
