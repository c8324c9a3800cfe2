"""Stage select: the model with the best CV ROC-AUC (already refitted on the whole train part)."""

import shutil

from oneclick.cli import run
from oneclick.io import read_json, write_json
from oneclick.params import load_params


def main():
    models = load_params(check_estimators=False)["models"]
    records = sorted((read_json(f"metrics/cv/{name}.json") for name in models),
                     key=lambda r: (-r["cv_roc_auc"], r["model"]))
    best = records[0]
    shutil.copyfile(f"models/candidates/{best['model']}.pkl", "models/model.pkl")
    write_json("metrics/selection.json", {
        "cv_roc_auc": best["cv_roc_auc"],
        "cv_roc_auc_std": best["cv_roc_auc_std"],
        "model": best["model"],
        "best_params": best["best_params"],
        "ranking": {r["model"]: r["cv_roc_auc"] for r in records},
    })


if __name__ == "__main__":
    run(main)
