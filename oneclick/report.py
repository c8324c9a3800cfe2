"""reports/report.md from the stage outputs: every figure in it is read from a file, none typed by hand."""

from pathlib import Path

import pandas as pd

from oneclick.errors import DataError
from oneclick.io import read_json
from oneclick.markdown import table_lines
from oneclick.segment_plots import PROFILES, PROFIT_AT_RISK, SCATTER
from oneclick.segments import PRIORITY, direction_words, read_importance
from oneclick.selection import PRODUCTION_MODEL, cv_record_path


def _link(path: str) -> str:
    """A repository path as seen from reports/report.md."""
    return f"../{path}"


def load_inputs(root=".") -> dict:
    """Everything the report shows, read from the stage outputs under `root`.

    The models are those the select stage ranked, so the report needs no `models` param of its own.
    """
    root = Path(root)

    def json_file(name):
        path = root / name
        if not path.is_file():
            raise DataError(f"{path}: not found; run `dvc repro`")
        return read_json(path)

    profiles = root / "plots" / "segment_profiles.csv"
    if not profiles.is_file():
        raise DataError(f"{profiles}: not found; run `dvc repro`")
    selection = json_file("metrics/selection.json")
    return {
        "quality": json_file("metrics/data_quality.json"),
        "cv": [json_file(cv_record_path("train", name)) for name in selection["ranking"]],
        "production": json_file("metrics/production.json"),
        "selection": selection,
        "test": json_file("metrics/test.json"),
        "explain": json_file("metrics/explain.json"),
        "correlation": json_file("metrics/correlation.json"),
        "importance": read_importance(root / "plots" / "importance.csv"),
        "segments": json_file("metrics/segments.json"),
        "plan": json_file("metrics/segment_plan.json"),
        "profiles": pd.read_csv(profiles),
    }


def _params(best: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(best.items())) or "defaults"


def _data_quality(q: dict) -> list[str]:
    rows = [[name, n, q["typos_fixed"].get(name, 0)] for name, n in q["rows_read"].items()]
    out = ["## Data quality", ""] + table_lines(["file", "rows read", "typos fixed"], rows) + [""]
    out.append(f"Customers kept for the model: **{q['rows_kept']}**. Customers dropped, by rule:")
    out += [f"- {reason}: {n}" for reason, n in q["rows_dropped"].items()]
    out.append("")
    out.append(f"{q['rows_repeating_all_but_id']} rows repeat another row in every column except id: "
               "different customers, kept.")
    if q.get("target_share_decreased") is not None:
        out.append(f"Share of kept customers whose activity decreased: {q['target_share_decreased']:.1%}.")
    return out + [""]


def _models(cv: list[dict], selection: dict, test: dict) -> list[str]:
    ranked = sorted(cv, key=lambda r: (-r["cv_roc_auc"], r["model"]))
    rows = [[f"**{r['model']}**" if r["model"] == selection["model"] else r["model"], r["estimator"],
             f"{r['cv_roc_auc']:.4f}", f"± {r['cv_roc_auc_std']:.4f}", _params(r["best_params"])] for r in ranked]
    first = ranked[0]
    out = ["## Models compared", "",
           f"ROC-AUC on the train part, {first['folds']}-fold cross-validation repeated {first['repeats']} "
           "times (mean ± standard deviation over the folds).", ""]
    out += table_lines(["model", "estimator", "CV ROC-AUC", "std", "best params"], rows) + [""]
    out.append(f"Chosen: **{selection['model']}** (CV ROC-AUC {selection['cv_roc_auc']:.4f} ± "
               f"{selection['cv_roc_auc_std']:.4f}) with {_params(selection['best_params'])}, refitted on the "
               f"whole train part. Selection rule {selection['rule']} ({selection['rule_reason']}).")
    out += ["", "## On the test part", "",
            f"ROC-AUC **{test['roc_auc']:.3f}** (95 % bootstrap interval {test['roc_auc_ci95_low']:.3f} to "
            f"{test['roc_auc_ci95_high']:.3f}) on {test['n_test']} customers the model never saw; "
            f"PR-AUC {test['pr_auc']:.3f}, Brier score {test['brier']:.3f}. At the threshold "
            f"{test['threshold']:g}: precision {test['precision']:.3f}, recall {test['recall']:.3f}.", ""]
    return out


def _production(production: dict) -> list[str]:
    """What ships: the same procedure on every labelled customer."""
    ranking = production["ranking"]
    rows = [[f"**{m}**" if m == production["model"] else m, f"{cv:.4f}", f"± {production['ranking_std'][m]:.4f}"]
            for m, cv in ranking.items()]
    out = ["## The model that ships", "",
           "The test figures above estimate the selection procedure trained on the train part. What ships is the "
           "same procedure run on every labelled customer: each family searched by cross-validation on all "
           f"{production['rows']} of them ({production['folds']} folds repeated {production['repeats']} times), "
           f"the winner ({production['rule']}) refitted on all of them.", ""]
    out += table_lines(["model", "CV ROC-AUC, all labelled customers", "std"], rows) + [""]
    out.append(f"Shipped: **{production['model']}** (CV ROC-AUC {production['cv_roc_auc']:.4f} ± "
               f"{production['cv_roc_auc_std']:.4f}) with {_params(production['best_params'])}: "
               f"`{PRODUCTION_MODEL}`, the default of `python -m oneclick.predict`.")
    return out + [""]


def _drivers(importance: pd.DataFrame, explain: dict, top: int) -> list[str]:
    rows = [[i + 1, f"`{r.feature}`", f"{r.importance:.4f}", direction_words(r.direction)]
            for i, r in enumerate(importance.head(top).itertuples(index=False))]
    out = ["## What drives the risk", "",
           f"Mean absolute SHAP value per feature ({explain['explainer']}), the largest first; the direction "
           "says whether higher values of the feature push the probability of buying less up or down.", ""]
    return out + table_lines(["#", "feature", "mean abs SHAP", "direction"], rows) + [""]


def _correlation(c: dict) -> list[str]:
    a, b = c["max_pair"]["features"]
    return ["## Correlation", "",
            f"Strongest pair of features: `{a}` and `{b}` (phik {c['max_pair']['phik']:.2f}). "
            f"Highest variance inflation factor: `{c['max_vif']['feature']}` ({c['max_vif']['vif']:.2f}).", ""]


def _segments(segments: dict, plan: dict) -> list[str]:
    t = plan["thresholds"]
    rule = "" if t["profit_rule"] == "fixed" else f" ({t['profit_rule']})"
    out = ["## Segments", "",
           f"High risk: probability of buying less ≥ {t['risk']:g}. High profit: profit ≥ {t['profit']:.2f} "
           f"thousand roubles{rule}. Train customers are scored out of fold, test customers by the model "
           f"fitted on the train part, so no customer is scored by a model that saw it "
           f"(calibration: {plan['calibration']}). Profit at risk = Σ probability × profit.", ""]
    rows = []
    for name, s in segments["segments"].items():
        entry = plan["segments"][name]
        control = entry["experiment"]["control"] if "experiment" in entry else "–"
        rows.append([f"**{name}**" if s["cell"] == PRIORITY else name, s["cell"].replace("_", " "),
                     s["customers"], f"{s['share']:.1%}", f"{s['mean_probability']:.3f}", f"{s['mean_profit']:.2f}",
                     f"{s['profit_at_risk']:.1f}", entry["offer"], control])
    out += table_lines(["segment", "risk × profit", "customers", "share", "mean probability", "mean profit",
                   "profit at risk", "offer", "control group"], rows)
    out += ["", f"Total profit at risk: {segments['profit_at_risk_total']:.1f} thousand roubles a month "
            f"over {segments['customers']} customers.", "",
            f"![Customers by risk and profit]({_link(SCATTER)})", "",
            f"![Profit at risk per segment]({_link(PROFIT_AT_RISK)})", "",
            f"![Segment profiles]({_link(PROFILES)})", ""]
    return out


def _experiment(e: dict) -> str:
    needed = e["needed_per_arm"]
    if needed is None:
        return (f"A drop from a decline rate of {e['baseline_decline_rate']:.1%} to {e['target_decline_rate']:.1%} "
                "is not possible; choose a smaller `segment.experiment.drop`.")
    verdict = ("the segment is large enough" if e["powered"] else
               "the segment is too small for that, so pool several months or segments before judging the offer")
    return (f"How to check it works: keep the seeded control group of {e['control']} customers without the offer "
            f"and give it to the other {e['treated']}. Detecting a drop of the decline rate from "
            f"{e['baseline_decline_rate']:.1%} to {e['target_decline_rate']:.1%} (two-sided α = {e['alpha']:g}, "
            f"power {e['power']:.0%}) needs {needed} customers per arm: {verdict}.")


def _offer(name: str, entry: dict, profiles: pd.DataFrame, top: int) -> list[str]:
    rows = [[f"`{r.feature}`", f"{r.segment_value:.2f}", f"{r.rest_value:.2f}", f"{r.effect:+.2f}",
             direction_words(r.shap_direction)]
            for r in profiles[(profiles["segment"] == name) & (profiles["rank"] <= top)].itertuples(index=False)]
    out = []
    if rows:
        out += table_lines(["feature", "segment", "rest", "effect", "SHAP direction"], rows) + [""]
    out.append(f"Offer **{entry['offer']}**: {entry['offer_text']}.")
    out += [f"- {line}" for line in entry["evidence"]]
    if "experiment" in entry:
        out += ["", _experiment(entry["experiment"])]
    return out + [""]


def _recommendations(plan: dict, profiles: pd.DataFrame, top: int) -> list[str]:
    priority = plan["names"][PRIORITY]
    out = [f"## Recommendations for the priority segment: {priority}", "",
           "High risk of buying less and high profit: the customers to keep. How they differ from the other "
           "customers (effect size: standardized mean difference, Cohen's h for shares), strongest first:", ""]
    out += _offer(priority, plan["segments"][priority], profiles, top)
    others = [n for n, e in plan["segments"].items() if n != priority and "experiment" in e]
    for name in others:
        out += [f"### Other targeted segment: {name}", ""] + _offer(name, plan["segments"][name], profiles, top)
    return out


def render(inputs: dict, top_features: int, profile_top: int) -> str:
    lines = ["# В один клик: who will buy less, why, and what to offer", "",
             "Generated by the `report` stage of `dvc repro` from the pipeline's outputs; change the code or "
             "params.yaml, not this file.", ""]
    lines += _data_quality(inputs["quality"])
    lines += _models(inputs["cv"], inputs["selection"], inputs["test"])
    lines += _production(inputs["production"])
    lines += _drivers(inputs["importance"], inputs["explain"], top_features)
    lines += _correlation(inputs["correlation"])
    lines += _segments(inputs["segments"], inputs["plan"])
    lines += _recommendations(inputs["plan"], inputs["profiles"], profile_top)
    return "\n".join(lines).rstrip("\n") + "\n"
