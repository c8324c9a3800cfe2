"""Stage explain: SHAP values of the selected model on the test part, permutation importance as a cross-check, and
the production model's SHAP on a sample of its customers (for its model card)."""

import pandas as pd

from oneclick.cli import run
from oneclick.explain import explain_model, explain_shipped
from oneclick.explain_plots import explain_figures
from oneclick.features import subsample, xy
from oneclick.io import write_csv, write_json
from oneclick.model_file import load_model
from oneclick.params import load_params
from oneclick.plots import save_figure
from oneclick.selection import PRODUCTION_MODEL, SELECTED_MODEL, data_path

IMAGES = "plots/explain"


def main():
    p = load_params()["explain"]
    saved = load_model(SELECTED_MODEL)
    X_train, _ = xy(pd.read_csv("data/processed/train.csv"))
    X_test, y_test = subsample(*xy(pd.read_csv("data/processed/test.csv")), p["max_rows"], p["seed"])
    result, importance, permutation, summary = explain_model(saved["pipeline"], saved["model"], X_train, X_test,
                                                             y_test, p)
    for name, fig in explain_figures(result, importance, permutation, X_test, saved["model"], p).items():
        save_figure(fig, f"{IMAGES}/{name}")
    write_csv("plots/importance.csv", importance)
    write_csv("plots/permutation_importance.csv", permutation)
    shipped = load_model(PRODUCTION_MODEL)
    production = explain_shipped(shipped["pipeline"], shipped["model"], xy(pd.read_csv(data_path("labelled")))[0], p)
    write_json("metrics/explain.json", {**summary, "production": production})


if __name__ == "__main__":
    run(main)
