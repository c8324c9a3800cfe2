"""Which `select.rule` generalizes better? Nested CV of the whole selection procedure on the train part.

Each outer fold of the train part runs every model's search (params.yaml, as the stages do) on the other outer
folds, picks a winner by each rule, and scores both winners on the held-out fold. The rules' differences are
paired by outer fold (corrected resampled t). The test part is never read.

    python -m tools.rule_check --raw-dir ../shared/data/market
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold

from oneclick.data.load import read_export
from oneclick.data.prepare import build_table
from oneclick.model.features import split_parts, xy
from oneclick.model.search import fit_best, run_search
from oneclick.model.selection import RULES, select
from oneclick.params import load_params
from oneclick.stats import corrected_t_difference, verdict


def nested_scores(params: dict, train, outer_folds: int, outer_repeats: int) -> dict[str, list[float]]:
    X, y = xy(train.set_index("id"))
    outer = RepeatedStratifiedKFold(n_splits=outer_folds, n_repeats=outer_repeats, random_state=params["cv"]["seed"])
    scores = {rule: [] for rule in RULES}
    for i, (fit, held) in enumerate(outer.split(X, y)):
        fitted, records = {}, []
        for name, spec in params["models"].items():
            record, _, _ = run_search(f"outer{i}-{name}", spec, params["features"], params["cv"], X.iloc[fit],
                                      y.iloc[fit])
            fitted[name] = fit_best(spec, params["features"], record["best_params"], X.iloc[fit], y.iloc[fit],
                                    params["cv"]["seed"])
            records.append({**record, "model": name})
        for rule in RULES:
            winner = select(records, "train", rule)["model"]
            proba = fitted[winner].predict_proba(X.iloc[held])[:, 1]
            scores[rule].append(float(roc_auc_score(y.iloc[held], proba)))
            print(f"outer fold {i}: {rule} picks {winner}: {scores[rule][-1]:.4f}", file=sys.stderr, flush=True)
    return scores


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", required=True, type=Path)
    parser.add_argument("--outer-folds", type=int, default=5)
    parser.add_argument("--outer-repeats", type=int, default=1)
    args = parser.parse_args(argv)
    params = load_params()
    table = build_table(read_export(args.raw_dir).frames, params["prepare"]["revenue_max"])[0]
    train, _ = split_parts(table, params["split"])
    scores = nested_scores(params, train, args.outer_folds, args.outer_repeats)
    for rule, values in scores.items():
        print(f"{rule}: nested CV ROC-AUC {np.mean(values):.4f} ± {np.std(values):.4f} over {len(values)} outer folds")
    mean, low, high = corrected_t_difference(scores["best"], scores["one_se"], args.outer_folds)
    print(f"one_se - best: {mean:+.4f} [{low:+.4f}, {high:+.4f}]: {verdict(low, high)}")


if __name__ == "__main__":
    main()
