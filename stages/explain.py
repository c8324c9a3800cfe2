"""Stage explain: SHAP values of the selected model on the test part, permutation importance as a cross-check, and
the production model's SHAP on a sample of its customers (for its model card)."""

import pandas as pd

from oneclick.common import paths
from oneclick.common.cli import run
from oneclick.common.io import write_csv, write_json
from oneclick.insight.explain import check_params, explain_model, explain_shipped
from oneclick.insight.explain_plots import explain_figures
from oneclick.model.features import subsample, xy
from oneclick.model.model_file import load_model
from oneclick.params import load_params
from oneclick.plots import save_figure


def main():
    p = load_params(check_params)["explain"]
    saved = load_model(paths.SELECTED_MODEL)
    X_train, _ = xy(pd.read_csv(paths.TRAIN))
    X_test, y_test = subsample(*xy(pd.read_csv(paths.TEST)), p["max_rows"], p["seed"])
    result, importance, permutation, summary = explain_model(saved["pipeline"], saved["model"], X_train, X_test,
                                                             y_test, p)
    for name, fig in explain_figures(result, importance, permutation, X_test, saved["model"], p).items():
        save_figure(fig, f"{paths.EXPLAIN_PNG_DIR}/{name}")
    write_csv(paths.IMPORTANCE_PLOT, importance)
    write_csv(paths.PERMUTATION_PLOT, permutation)
    shipped = load_model(paths.PRODUCTION_MODEL)
    production = explain_shipped(shipped["pipeline"], shipped["model"], xy(pd.read_csv(paths.LABELLED))[0], p)
    write_json(paths.EXPLAIN_METRICS, {**summary, "production": production})


if __name__ == "__main__":
    run(main)
