"""Stage segment: every labelled customer's leak-free calibrated probability, risk × profit segments, profiles."""

import pandas as pd

from oneclick.common import paths
from oneclick.common.cli import run
from oneclick.common.io import write_csv, write_json
from oneclick.insight import segment_plots, segments
from oneclick.model.pipeline import encoded_features
from oneclick.params import load_params


def known_scores() -> pd.DataFrame:
    """id, part, probability: train customers out of fold (calibrate@train), test customers by the model fitted on
    the train part (evaluate); both calibrated, so no customer is scored by a model or calibrator that saw it."""
    train = pd.read_csv(paths.part_scores("train"))[["id", "probability"]].assign(part="train")
    test = pd.read_csv(paths.TEST_PREDICTIONS)[["id", "calibrated"]].rename(columns={"calibrated": "probability"})
    return pd.concat([train, test.assign(part="test")], ignore_index=True).sort_values("id", ignore_index=True)


def main():
    spec = load_params(segments.check_params)["segment"]
    customers = pd.concat([pd.read_csv(paths.TRAIN), pd.read_csv(paths.TEST)])
    table, summary, profile, thresholds = segments.build(known_scores(), customers, pd.read_csv(paths.PROFIT),
                                                         segments.read_importance(paths.IMPORTANCE_PLOT), spec,
                                                         encoded_features)
    write_csv(paths.SEGMENTS, table.round({"probability": 6}))
    shown = segment_plots.shown_customers(table, spec["plot_points"])
    write_csv(paths.SEGMENTS_PLOT, shown[["id", "probability", "profit", "segment"]].round(6))
    write_csv(paths.SEGMENT_PROFILES_PLOT, profile)
    write_json(paths.SEGMENTS_METRICS, segments.segment_metrics(summary, thresholds))
    segment_plots.scatter(shown, summary, thresholds, paths.SEGMENTS_SCATTER_PNG)
    segment_plots.profile_bars(profile, summary, spec["profile_top"], paths.SEGMENT_PROFILES_PNG)


if __name__ == "__main__":
    run(main)
