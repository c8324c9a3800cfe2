"""Stage correlate: phik matrix with the target, the most correlated feature pairs, VIF of numeric features."""

import pandas as pd

from oneclick.cli import run
from oneclick.correlate import correlation_matrix, feature_pairs, heatmap, summary, vif_table
from oneclick.io import write_csv, write_json
from oneclick.params import load_params
from oneclick.plots import save_figure


def main():
    p = load_params(check_estimators=False)["correlate"]
    table = pd.read_csv("data/processed/labelled.csv")
    matrix = correlation_matrix(table, p["interval_columns"], p["bins"])
    pairs = feature_pairs(matrix)
    vif = vif_table(table)
    save_figure(heatmap(matrix, p["interval_columns"]), "plots/correlate/phik.png")
    write_csv("reports/phik_matrix.csv", matrix.rename_axis("feature").reset_index())
    write_csv("reports/correlated_pairs.csv", pairs[pairs["phik"] >= p["threshold"]])
    write_csv("reports/vif.csv", vif)
    write_json("metrics/correlation.json", summary(matrix, pairs, vif, p["threshold"]))


if __name__ == "__main__":
    run(main)
