"""Stage eda: distribution of every feature by target class, as images and a summary table."""

import pandas as pd

from oneclick.cli import run
from oneclick.eda import eda_figures, summary_markdown, summary_table
from oneclick.io import write_csv, write_text
from oneclick.params import load_params
from oneclick.plots import save_figure


def main():
    p = load_params(check_estimators=False)["eda"]
    table = pd.read_csv("data/processed/labelled.csv")
    for name, fig in eda_figures(table, p["bins"], p["iqr_k"]).items():
        save_figure(fig, f"plots/eda/{name}")
    summary = summary_table(table, p["iqr_k"])
    write_csv("reports/eda_summary.csv", summary)
    write_text("reports/eda_summary.md", summary_markdown(summary, p["iqr_k"]))


if __name__ == "__main__":
    run(main)
