"""Seconds the explain stage's work takes per model family on a folder of raw files (the real ones by default).

    python -m benchmarks.explain_speed [RAW_DIR] [MODEL ...]

Builds the model table and split as `prepare` and `split` do, tunes each model of params.yaml `models` with its
search (one CV repeat, to be quick), then times what stages/explain.py does after loading: SHAP values, permutation
importance, the four images (written to a temporary folder). Fitting is not timed.
"""

import sys
import tempfile
import time
from pathlib import Path

from oneclick.data.load import read_export
from oneclick.data.prepare import build_table
from oneclick.insight.explain import explain_model
from oneclick.insight.explain_plots import explain_figures
from oneclick.model.features import split_parts, xy
from oneclick.model.search import fit_best, run_search
from oneclick.params import load_params
from oneclick.plots import save_figure

REAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "market"


def main(raw_dir=REAL_DIR, models=("knn", "tree", "logreg", "svc")):
    params = load_params()
    table, _, _ = build_table(read_export(raw_dir).frames, params["prepare"]["revenue_max"])
    train, test = split_parts(table, params["split"])
    X_train, y_train = xy(train)
    X_test, y_test = xy(test)
    cv = {**params["cv"], "repeats": 1}
    print(f"{raw_dir}: {len(X_train)} train rows, {len(X_test)} test rows", flush=True)
    for name in models:
        record, _, _ = run_search(name, params["models"][name], params["features"], cv, X_train, y_train)
        pipeline = fit_best(params["models"][name], params["features"], record["best_params"], X_train, y_train,
                            cv["seed"])
        start = time.perf_counter()
        result, importance, permutation, _ = explain_model(pipeline, name, X_train, X_test, y_test, params["explain"])
        computed = time.perf_counter()
        with tempfile.TemporaryDirectory() as out:
            for file, fig in explain_figures(result, importance, permutation, X_test, name, params["explain"]).items():
                save_figure(fig, Path(out) / file)
        end = time.perf_counter()
        print(f"{name:7s} {result.explainer:21s} {end - start:5.1f} s (SHAP + permutation importance "
              f"{computed - start:.1f} s, images {end - computed:.1f} s)  best {record['best_params']}  "
              f"top5 {importance['feature'].head(5).tolist()}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0] if args else REAL_DIR, *([tuple(args[1:])] if len(args) > 1 else []))
