"""Stage correlate: phik matrix with the target, the most correlated feature pairs, VIF of numeric features."""

import pandas as pd

from oneclick.common.cli import run
from oneclick.common.io import write_csv, write_json
from oneclick.common.paths import CORRELATED_PAIRS, CORRELATION_METRICS, LABELLED, PHIK_MATRIX, PHIK_PNG, VIF
from oneclick.insight import correlate
from oneclick.params import load_params
from oneclick.plots import save_figure


def main():
    p = load_params(correlate.check_params)["correlate"]
    table = pd.read_csv(LABELLED)
    matrix = correlate.correlation_matrix(table, p["interval_columns"], p["bins"])
    pairs = correlate.feature_pairs(matrix)
    vif = correlate.vif_table(table)
    save_figure(correlate.heatmap(matrix, p["interval_columns"]), PHIK_PNG)
    write_csv(PHIK_MATRIX, matrix.rename_axis("feature").reset_index())
    write_csv(CORRELATED_PAIRS, pairs[pairs["phik"] >= p["threshold"]])
    write_csv(VIF, vif)
    write_json(CORRELATION_METRICS, correlate.summary(matrix, pairs, vif, p["threshold"]))


if __name__ == "__main__":
    run(main)
