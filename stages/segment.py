"""Stage segment: leak-free probabilities for every customer, risk × profit segments, offers, plots."""

import pandas as pd

from oneclick import segment_plots
from oneclick.cli import run
from oneclick.cluster import cluster
from oneclick.io import copy_file, write_csv, write_json
from oneclick.model_file import load_model, save_model
from oneclick.params import load_params
from oneclick.scoring import brier_by_part, calibrated_name, score_customers
from oneclick.segments import read_importance
from oneclick.selection import SELECTED_MODEL
from oneclick.targeting import build, segment_metrics

SCORER = "models/scorer.skops"


def main():
    params = load_params()
    spec = params["segment"]
    saved = load_model(SELECTED_MODEL)
    train = pd.read_csv("data/processed/train.csv")
    test = pd.read_csv("data/processed/test.csv")
    customers = pd.concat([train, test])
    with cluster(params["cv"]):  # cv.backend: dask sends the out-of-fold fits there; nothing for threads
        scores, scorer = score_customers(saved["pipeline"], train, test, params["cv"], spec["calibration"],
                                         saved.get("fit_rows"))
    table, summary, profile, plan = build(scores, customers, pd.read_csv("data/processed/profit.csv"),
                                          read_importance("plots/importance.csv"), spec)

    if spec["calibration"] == "none":  # the scorer is the model itself: its file, not a second serialization
        copy_file(SELECTED_MODEL, SCORER)
    else:
        save_model(SCORER, scorer, calibrated_name(saved["model"], spec["calibration"]), saved.get("fit_rows"),
                   saved.get("rows"), saved.get("part"))
    # 6 digits: the last bits of a probability differ between CPUs (numpy's SIMD paths), the file must not
    write_csv("data/segments.csv", table.round({"probability": 6}))
    shown = segment_plots.shown_customers(table, spec["plot_points"])
    write_csv("plots/segments.csv", shown[["id", "probability", "profit", "segment"]].round(4))
    write_csv("plots/segment_profiles.csv", profile)
    write_json("metrics/segment_plan.json", plan)
    brier = brier_by_part(scores, customers)
    write_json("metrics/segments.json", {**segment_metrics(summary, plan), "calibration": spec["calibration"],
                                         "brier": brier})
    segment_plots.scatter(shown, summary, plan["thresholds"], segment_plots.SCATTER)
    segment_plots.profile_bars(profile, summary, spec["profile_top"], segment_plots.PROFILES)
    segment_plots.profit_at_risk(summary, segment_plots.PROFIT_AT_RISK)


if __name__ == "__main__":
    run(main)
