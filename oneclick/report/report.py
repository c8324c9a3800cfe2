"""reports/report.md from the stage outputs: every figure in it is read from a file, none typed by hand."""

from pathlib import Path

import pandas as pd

from oneclick.common import paths
from oneclick.common.checks import number, section
from oneclick.common.errors import DataError
from oneclick.common.io import read_json
from oneclick.common.paths import (
    PRODUCTION_MODEL,
    PROFIT_CURVE_PNG,
    SAVE_RATES_PNG,
    SEGMENT_PROFILES_PNG,
    SEGMENTS_SCATTER_PNG,
    SYNTHETIC,
)
from oneclick.data.source import is_synthetic
from oneclick.insight.segments import PRIORITY, direction_words, read_importance
from oneclick.labels import unit
from oneclick.markdown import table_lines
from oneclick.report.campaign import campaign_section, readout_section
from oneclick.stats import corrected_t_difference, cv_interval, unpaired_folds, wilson


def _link(path: str) -> str:
    """A repository path as seen from reports/report.md."""
    return f"../{path}"


def load_inputs(root=".", campaigns=(), exports=()) -> dict:
    """Everything the report shows, read from the stage outputs under `root` (`campaigns`: the read-outs,
    `exports`: the monitored exports, in params order).

    The models are those the select stage ranked, so the report needs no `models` param of its own.
    """
    root = Path(root)

    def json_file(name):
        path = root / name
        if not path.is_file():
            raise DataError(f"{path}: not found; run `dvc repro`")
        return read_json(path)

    profiles = root / paths.SEGMENT_PROFILES_PLOT
    if not profiles.is_file():
        raise DataError(f"{profiles}: not found; run `dvc repro`")
    selection, production = json_file(paths.SELECTION_METRICS), json_file(paths.PRODUCTION_METRICS)
    return {
        "quality": json_file(paths.DATA_QUALITY_METRICS),
        "cv": [json_file(paths.cv_metrics("train", name)) for name in selection["ranking"]],
        "folds": {part: {name: json_file(paths.cv_folds(part, name)) for name in record["ranking"]}
                  for part, record in (("train", selection), ("labelled", production))},
        "production": production,
        "selection": selection,
        "test": json_file(paths.TEST_METRICS),
        "explain": json_file(paths.EXPLAIN_METRICS),
        "correlation": json_file(paths.CORRELATION_METRICS),
        "importance": read_importance(root / paths.IMPORTANCE_PLOT),
        "segments": json_file(paths.SEGMENTS_METRICS),
        "campaign": json_file(paths.CAMPAIGN_METRICS),
        "save_rates": json_file(paths.SAVE_RATES_METRICS),
        "readouts": {name: json_file(paths.readout_metrics(name)) for name in campaigns},
        "calibration": json_file(paths.calibration_metrics("train")),
        "calibration_production": json_file(paths.calibration_metrics("labelled")),
        "monitors": {name: json_file(paths.monitor_metrics(name)) for name in exports},
        "profiles": pd.read_csv(profiles),
    }


def _params(best: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(best.items())) or "defaults"


def _data_quality(q: dict) -> list[str]:
    rows = [[name, n, q["typos_fixed"].get(name, 0)] for name, n in q["rows_read"].items()]
    out = ["## Data quality", ""] + table_lines(["file", "rows read", "typos fixed"], rows) + [""]
    out.append(f"Customers kept for the model: **{q['rows_kept']}**. Customers dropped, by rule:")
    out += [f"- {reason}: {n}" for reason, n in q["rows_dropped"].items()]
    broken = q.get("quarantined") or {}
    out.append("")
    if broken:
        out.append(f"Customers set aside for broken rows ({sum(broken.values())}; each with the file, column, line "
                   "and value in `data/processed/excluded.csv`):")
        out += [f"- {reason}: {n}" for reason, n in broken.items()]
    else:
        out.append("No customer has a broken row.")
    extra = {name: n for name, n in (q.get("extra_ids_ignored") or {}).items() if n}
    if extra:
        ignored = ", ".join(f"{n} in {name}" for name, n in extra.items())
        out.append(f"Ids that market_file.csv lacks, ignored: {ignored}.")
    out += [f"Note: {note}." for note in q.get("notes") or []]
    out.append("")
    out.append(f"{q['rows_repeating_all_but_id']} rows repeat another row in every column except id: "
               "different customers, kept.")
    if q.get("target_share_decreased") is not None:
        low, high = wilson(q["target_decreased"], q["rows_kept"])
        out.append(f"Share of kept customers whose activity decreased: {q['target_share_decreased']:.1%} "
                   f"(95 % Wilson interval {low:.1%} to {high:.1%}).")
    return out + [""]


def _paired(delta: float, low: float, high: float) -> str:
    """A paired difference with its 95 % interval, as the report's "minus the chosen" columns give it."""
    return f"{delta:+.4f} [{low:+.4f}, {high:+.4f}]"


def _minus_chosen(folds: dict, chosen: str) -> dict[str, str]:
    """Each model's CV ROC-AUC minus the chosen one's, paired fold by fold, with its 95 % corrected interval."""
    base = folds[chosen]
    out = {}
    for name, head in folds.items():
        reason = unpaired_folds(base, head)
        if name == chosen:
            out[name] = "–"
        elif reason:
            out[name] = f"not paired: {reason}"
        else:
            out[name] = _paired(*corrected_t_difference(base["roc_auc"], head["roc_auc"], head["folds"]))
    return out


PAIRED_COLUMN = "minus the chosen, paired [95 %]"
PAIRED_NOTE = ("Minus the chosen: the difference of the fold scores, paired on the same folds, with its 95 % interval "
               "(corrected resampled t, Nadeau and Bengio): an interval that holds 0 is no detectable difference.")


def _models(cv: list[dict], selection: dict, test: dict, folds: dict) -> list[str]:
    ranked = sorted(cv, key=lambda r: (-r["cv_roc_auc"], r["model"]))
    minus = _minus_chosen(folds, selection["model"])
    rows = [[f"**{r['model']}**" if r["model"] == selection["model"] else r["model"], r["estimator"],
             f"{r['cv_roc_auc']:.4f}", f"{r['cv_roc_auc_std']:.4f}", minus[r["model"]], _params(r["best_params"])]
            for r in ranked]
    first = ranked[0]
    out = ["## Models compared", "",
           f"ROC-AUC on the train part, {first['folds']}-fold cross-validation repeated {first['repeats']} "
           f"times: the mean, and the standard deviation of the fold scores (how much one fold's score varies, not an "
           f"interval). {PAIRED_NOTE}", ""]
    out += table_lines(["model", "estimator", "CV ROC-AUC", "sd over the folds", PAIRED_COLUMN, "best params"],
                       rows) + [""]
    out.append(f"Chosen: **{selection['model']}** (CV ROC-AUC {selection['cv_roc_auc']:.4f}, sd over the folds "
               f"{selection['cv_roc_auc_std']:.4f}) with {_params(selection['best_params'])}, refitted on the "
               f"whole train part. Selection rule {selection['rule']} ({selection['rule_reason']}).")
    out += ["", "## On the test part", "",
            f"ROC-AUC **{test['roc_auc']:.3f}** (95 % bootstrap interval {test['roc_auc_ci95_low']:.3f} to "
            f"{test['roc_auc_ci95_high']:.3f}) on {test['n_test']} customers the model never saw; "
            f"PR-AUC {test['pr_auc']:.3f} ({test['pr_auc_ci95_low']:.3f} to {test['pr_auc_ci95_high']:.3f}, the same "
            f"resamples). At the threshold {test['threshold']:g} of the model's uncalibrated score: precision "
            f"{test['precision']:.3f} [{test['precision_ci95_low']:.3f}, "
            f"{test['precision_ci95_high']:.3f}], recall {test['recall']:.3f} [{test['recall_ci95_low']:.3f}, "
            f"{test['recall_ci95_high']:.3f}] (95 % Wilson intervals); at the same threshold of the calibrated "
            "probability, which the plan and the segments read: precision "
            f"{test['precision_calibrated']:.3f} [{test['precision_calibrated_ci95_low']:.3f}, "
            f"{test['precision_calibrated_ci95_high']:.3f}], recall {test['recall_calibrated']:.3f} "
            f"[{test['recall_calibrated_ci95_low']:.3f}, {test['recall_calibrated_ci95_high']:.3f}].", ""]
    return out


def _calibration(test: dict, calibration: dict) -> list[str]:
    """Are the probabilities probabilities? Before and after the calibration, out of fold and on the test part."""
    table = calibration["out_of_fold"]
    chosen = calibration["method"]

    rows = [[f"**{m}**" if m == chosen else m, f"{q['log_loss']:.4f}",
             "–" if m == chosen else _paired(*q["log_loss_minus_chosen"]), f"{q['brier']:.4f}",
             f"{q['mean_probability']:.3f}", f"{q['observed_rate']:.3f}"] for m, q in table.items()]
    out = ["## Calibrated probabilities", "",
           "The plan multiplies probabilities by money, so they must be right on average, not only in order. The "
           "model's scores are mapped to probabilities by a calibration fitted on its out-of-fold scores; each "
           "choice below is scored on customers its calibrator did not see (train part, cross-fitted); minus the "
           "chosen: the difference of the customers' log losses, paired, with its 95 % interval.", ""]
    out += table_lines(["calibration", "log loss", "minus the chosen [95 %]", "Brier", "mean probability",
                        "observed rate"], rows) + [""]
    out.append(f"Chosen: **{chosen}** ({calibration['chosen_by']}). On the test part: Brier {test['brier']:.4f} → "
               f"{test['brier_calibrated']:.4f} (change, 95 % interval [{test['brier_change_ci95_low']:+.4f}, "
               f"{test['brier_change_ci95_high']:+.4f}]), log loss {test['log_loss']:.4f} → "
               f"{test['log_loss_calibrated']:.4f} ([{test['log_loss_change_ci95_low']:+.4f}, "
               f"{test['log_loss_change_ci95_high']:+.4f}]); "
               f"ROC-AUC {test['roc_auc']:.4f} → {test['roc_auc_calibrated']:.4f} (change, 95 % interval "
               f"[{test['roc_auc_change_ci95_low']:+.4f}, {test['roc_auc_change_ci95_high']:+.4f}]).")
    return out + [""]


def _production(production: dict, folds: dict) -> list[str]:
    """What ships: the same procedure on every labelled customer."""
    ranking = production["ranking"]
    minus = _minus_chosen(folds, production["model"])
    rows = [[f"**{m}**" if m == production["model"] else m, f"{cv:.4f}", f"{production['ranking_std'][m]:.4f}",
             minus[m]] for m, cv in ranking.items()]
    out = ["## The model that ships", "",
           "The test figures above estimate the selection procedure trained on the train part. What ships is the "
           "same procedure run on every labelled customer: each family searched by cross-validation on all "
           f"{production['rows']} of them ({production['folds']} folds repeated {production['repeats']} times), "
           f"the winner ({production['rule']}) refitted on all of them.", ""]
    out += table_lines(["model", "CV ROC-AUC, all labelled customers", "sd over the folds", PAIRED_COLUMN], rows) + [""]
    low, high = cv_interval(production["cv_roc_auc"], production["cv_roc_auc_std"], production["folds"],
                            production["repeats"])
    out.append(f"Shipped: **{production['model']}** (CV ROC-AUC {production['cv_roc_auc']:.4f}, 95 % interval "
               f"{low:.3f} to {high:.3f} (Nadeau-Bengio corrected t, as the model card's), sd over the folds "
               f"{production['cv_roc_auc_std']:.4f}) with {_params(production['best_params'])}: "
               f"`{PRODUCTION_MODEL}`, the default of `python -m oneclick.predict`.")
    return out + [""]


def _shap_unit(output: str) -> str:
    if output == "probability":
        return "The values are in probability: 0.05 moves a customer's probability by 5 percentage points."
    return f"The values are in {output} of buying less."


def _drivers(importance: pd.DataFrame, explain: dict, top: int) -> list[str]:
    rows = [[i + 1, f"`{r.feature}`", f"{r.importance:.4f}", f"[{r.low:.4f}, {r.high:.4f}]",
             direction_words(r.direction)] for i, r in enumerate(importance.head(top).itertuples(index=False))]
    out = ["## What drives the risk", "",
           f"Mean absolute SHAP value per feature ({explain['explainer']}) of the model chosen on the train part "
           f"({explain['model']}), on {explain['rows_explained']} test customers it never saw (the model card ranks "
           "the shipped model's features), the largest first, with its 95 % bootstrap interval over those customers "
           "(it does not cover the explainer's own sampling); the direction says whether higher values of the feature "
           "push the probability of buying less up or down. " + _shap_unit(explain["output"]), ""]
    return out + table_lines(["#", "feature", "mean abs SHAP", "[95 %]", "direction"], rows) + [""]


def _correlation(c: dict) -> list[str]:
    a, b = c["max_pair"]["features"]
    return ["## Correlation", "",
            f"Strongest pair of features: `{a}` and `{b}` (phik {c['max_pair']['phik']:.2f}). "
            f"Highest variance inflation factor: `{c['max_vif']['feature']}` ({c['max_vif']['vif']:.2f}).", ""]


def _segments(segments: dict, campaign: dict) -> list[str]:
    """Who the customers are: risk x profit cells, and what the plan does in each."""
    t = segments["thresholds"]
    rule = "" if t["profit_rule"] == "fixed" else f" ({t['profit_rule']})"
    out = ["## Segments: who the customers are", "",
           f"High risk: calibrated probability of buying less ≥ {t['risk']:g}. High profit: profit ≥ "
           f"{t['profit']:.2f} thousand roubles a month{rule}. Train customers are scored out of fold, test customers "
           "by the model fitted on the train part, so no customer is scored by a model that saw it. Expected loss: "
           "what their buying less is expected to cost, Σ probability × value at stake (thousand roubles over the "
           "horizon). Whom to contact is the plan's decision, customer by customer (above); the segments describe.",
           ""]
    rows = []
    for name, s in segments["segments"].items():
        plan = campaign["segments"].get(name, {"expected_loss": 0.0, "contacts": 0, "offers": {}})
        offers = ", ".join(f"{o} {n}" for o, n in sorted(plan["offers"].items(), key=lambda x: -x[1])) or "–"
        decline = "–" if s["decline_rate"] is None else \
            f"{s['decline_rate']:.1%} [{s['decline_low']:.1%}, {s['decline_high']:.1%}]"
        rows.append([f"**{name}**" if s["cell"] == PRIORITY else name, s["cell"].replace("_", " "), s["customers"],
                     f"{s['share']:.1%}", f"{s['mean_probability']:.3f}", decline, f"{s['mean_profit']:.2f}",
                     f"{plan['expected_loss']:.1f}", plan["contacts"], offers])
    out += table_lines(["segment", "risk × profit", "customers", "share", "mean probability",
                        "observed decline [95 %]",
                        "mean profit a month", "expected loss", "planned (sent or control)", "offers in the plan"],
                       rows)
    out += ["", f"![Customers by risk and profit]({_link(SEGMENTS_SCATTER_PNG)})", "",
            f"![Segment profiles]({_link(SEGMENT_PROFILES_PNG)})", ""]
    return out


def _feature(name: str) -> str:
    """A feature's name with its unit (the data dictionary's): the revenue in roubles as the export gives it, not
    the report's thousand roubles."""
    return f"`{name}` ({unit(name)})" if unit(name) else f"`{name}`"


def _profile(name: str, profiles: pd.DataFrame, top: int) -> list[str]:
    rows = [[_feature(r.feature), f"{r.segment_value:.2f}", f"{r.rest_value:.2f}", f"{r.effect:+.2f}",
             f"[{r.effect_low:+.2f}, {r.effect_high:+.2f}]", direction_words(r.shap_direction)]
            for r in profiles[(profiles["segment"] == name) & (profiles["rank"] <= top)].itertuples(index=False)]
    return table_lines(["feature", "segment", "rest", "effect", "[95 %]", "SHAP direction"], rows) + [""] \
        if rows else []


def _priority(names: dict, profiles: pd.DataFrame, top: int) -> list[str]:
    priority = names[PRIORITY]
    return [f"## The priority segment: {priority}", "",
            "High risk of buying less and high profit. How they differ from the other customers (effect size: "
            "standardized mean difference, Cohen's h for shares, with its 95 % interval), strongest first:", ""] + \
        _profile(priority, profiles, top)


def monitor_table(monitors: dict) -> pd.DataFrame:
    """plots/monitor.csv: per export (params order) its drift and realized ROC-AUC."""
    rows = []
    for i, (name, r) in enumerate(monitors.items(), start=1):
        drift, realized = r["drift"], r.get("realized") or {}
        features = len(drift["features"]) or 1
        rows.append({"index": i, "export": name, "customers": r["scored"],
                     "drifted_features": len(drift["drifted_features"]),
                     "drifted_share": round(len(drift["drifted_features"]) / features, 4),
                     "domain_auc": (drift["domain"] or {}).get("roc_auc"), "roc_auc": realized.get("roc_auc"),
                     "roc_auc_ci95_low": realized.get("roc_auc_ci95_low"),
                     "roc_auc_ci95_high": realized.get("roc_auc_ci95_high"), "verdict": drift["verdict"]})
    return pd.DataFrame(rows, columns=["index", "export", "customers", "drifted_features", "drifted_share",
                                       "domain_auc", "roc_auc", "roc_auc_ci95_low", "roc_auc_ci95_high", "verdict"])


def _monitoring(monitors: dict) -> list[str]:
    out = ["## Does the model still fit?", ""]
    if not monitors:
        return out + ["No export is monitored (`monitor.exports`).", ""]
    out += ["Each export of `monitor.exports`, scored by the production model: do its customers look like the ones "
            "the model learned from (per feature a test, Holm-corrected, and a shift in the population stability "
            "index of at least `monitor.psi_min`; a classifier telling the two apart), and where the export says "
            "who bought less, how the model really did against its model card's test estimate.", ""]
    rows = []
    for name, r in monitors.items():
        realized = r.get("realized") or {}
        auc = "–" if realized.get("roc_auc") is None else \
            f"{realized['roc_auc']:.3f} [{realized['roc_auc_ci95_low']:.3f}, {realized['roc_auc_ci95_high']:.3f}]"
        domain = r["drift"]["domain"]
        domain = "–" if not domain else f"{domain['roc_auc']:.2f} (chance: up to {domain['permutation_auc_95']:.2f})"
        verdict = realized.get("verdict", "no labels yet")
        if realized.get("difference") is not None:
            verdict += (f": {realized['difference']:+.3f} [{realized['difference_low']:+.3f}, "
                        f"{realized['difference_high']:+.3f}] from {realized['expected_roc_auc']:.3f}")
        rows.append([name, r["scored"], r["drift"]["verdict"], domain, auc, verdict])
    out += table_lines(["export", "customers", "drift", "classifier ROC-AUC", "realized ROC-AUC [95 %]",
                        "against the estimate [95 %]"], rows)
    return out + [""]


def banner(raw_dir: str) -> list[str]:
    """The first line of a report or card made from the synthetic store."""
    if not is_synthetic(raw_dir):
        return []
    return ["> **Synthetic data.** Every figure here comes from the synthetic store the pipeline generates "
            f"(`{SYNTHETIC}`), not from the store's customers. Train on a real export: `make real` (README).",
            ""]


def render(inputs: dict, params: dict) -> str:
    lines = ["# В один клик: who will buy less, why, and whom to contact with what", ""]
    lines += banner(params["data"]["raw_dir"])
    lines += ["Generated by the `report` stage of `dvc repro` from the pipeline's outputs; change the code or "
              "params.yaml, not this file. Money is in thousand roubles, except the revenue features "
              "(`revenue_*`), in roubles as the export gives them.", ""]
    lines += campaign_section(inputs["campaign"], inputs["save_rates"], _link(PROFIT_CURVE_PNG))
    lines += readout_section(inputs["readouts"], inputs["save_rates"], _link(SAVE_RATES_PNG))
    lines += _monitoring(inputs["monitors"])
    lines += _data_quality(inputs["quality"])
    lines += _models(inputs["cv"], inputs["selection"], inputs["test"], inputs["folds"]["train"])
    lines += _calibration(inputs["test"], inputs["calibration"])
    lines += _production(inputs["production"], inputs["folds"]["labelled"])
    lines += _drivers(inputs["importance"], inputs["explain"], params["report"]["top_features"])
    lines += _correlation(inputs["correlation"])
    lines += _segments(inputs["segments"], inputs["campaign"])
    lines += _priority(params["segment"]["names"], inputs["profiles"], params["segment"]["profile_top"])
    return "\n".join(lines).rstrip("\n") + "\n"


def check_params(params: dict) -> None:
    section(params, "report", {"top_features"})
    number(params, "report.top_features", 1, 100, integer=True)
