"""Stage eda: distribution of every feature by target class, as images and a summary table."""

import pandas as pd

from oneclick.common.cli import run
from oneclick.common.io import write_csv, write_text
from oneclick.common.paths import EDA_PNG_DIR, EDA_SUMMARY_CSV, EDA_SUMMARY_MD, LABELLED
from oneclick.insight import eda
from oneclick.params import load_params
from oneclick.plots import save_figure


def main():
    p = load_params(eda.check_params)["eda"]
    table = pd.read_csv(LABELLED)
    for name, fig in eda.eda_figures(table, p["bins"], p["iqr_k"]).items():
        save_figure(fig, f"{EDA_PNG_DIR}/{name}")
    summary = eda.summary_table(table, p["iqr_k"])
    write_csv(EDA_SUMMARY_CSV, summary)
    write_text(EDA_SUMMARY_MD, eda.summary_markdown(summary, p["iqr_k"]))


if __name__ == "__main__":
    run(main)
