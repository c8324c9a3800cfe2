"""reports/report.md and the model card from fixture outputs: every model, segment, offer, campaign and export, no
placeholder, nothing invented."""

import copy
import re

import numpy as np
import pytest
from scipy import stats
from segment_fixtures import PARAMS, customers_and_profit, importance, random_scores, segment_spec
from statsmodels.stats.proportion import proportion_confint

from oneclick.campaign.offers import catalogue
from oneclick.campaign.plan import make_plan, rounded
from oneclick.campaign.planning import plan_campaign
from oneclick.campaign.readout import readout_file
from oneclick.campaign.simulation import simulate_outcomes
from oneclick.common.errors import DataError
from oneclick.common.io import write_csv, write_json
from oneclick.common.paths import PROFIT_CURVE_PNG, SAVE_RATES_PNG, SEGMENT_PROFILES_PNG, SEGMENTS_SCATTER_PNG
from oneclick.insight.segments import build, segment_metrics
from oneclick.model import calibration
from oneclick.model.pipeline import encoded_features
from oneclick.monitor.drift import make_reference
from oneclick.monitor.record import monitor_record
from oneclick.report.model_card import render as render_card
from oneclick.report.report import load_inputs, monitor_table, render

MODELS = ["dummy", "knn", "logreg"]
# per-fold CV ROC-AUC (5 folds x 2 repeats); the labelled pass's dummy ran on other customers (not paired)
FOLD_SCORES = {"train": {"logreg": [0.70, 0.72, 0.69, 0.71, 0.70, 0.68, 0.73, 0.70, 0.71, 0.66],
                         "knn": [0.60, 0.61, 0.59, 0.62, 0.60, 0.58, 0.63, 0.60, 0.61, 0.56],
                         "dummy": [0.5] * 10},
               "labelled": {"knn": [0.73, 0.74, 0.72, 0.73, 0.75, 0.72, 0.74, 0.73, 0.72, 0.73],
                            "logreg": [0.70] * 10, "dummy": [0.5] * 10}}
EXPECTED = {"roc_auc": 0.8766, "roc_auc_ci95_low": 0.8123, "roc_auc_ci95_high": 0.9346, "brier_calibrated": 0.14}


def write_outputs(root, synthetic_dir):
    """The files the stages before `report` write, with made-up but consistent figures."""
    for i, name in enumerate(MODELS):
        write_json(root / f"metrics/cv/train/{name}.json", {
            "cv_roc_auc": 0.5 + 0.1 * i, "cv_roc_auc_std": 0.01 * (i + 1), "model": name, "estimator": name,
            "best_params": {"scaler": "none"} if i == 0 else {"C": 0.5, "scaler": "standard"},
            "candidates": 2, "folds": 5, "repeats": 2})
    write_json(root / "metrics/selection.json", {"cv_roc_auc": 0.7, "cv_roc_auc_std": 0.03, "model": "logreg",
                                                 "best_params": {"C": 0.5, "scaler": "standard"},
                                                 "rule": "best: the highest mean CV ROC-AUC",
                                                 "rule_reason": "logreg has the highest mean CV ROC-AUC",
                                                 "ranking": {"logreg": 0.7, "knn": 0.6, "dummy": 0.5}})
    write_json(root / "metrics/production.json", {
        "cv_roc_auc": 0.7321, "cv_roc_auc_std": 0.0211, "model": "knn", "estimator": "knn",
        "best_params": {"n_neighbors": 40}, "part": "labelled", "rows": 1296, "folds": 5, "repeats": 2,
        "rule": "best: the highest mean CV ROC-AUC", "ranking": {"knn": 0.7321, "logreg": 0.7, "dummy": 0.5},
        "ranking_std": {"knn": 0.0211, "logreg": 0.03, "dummy": 0.0}})
    write_json(root / "metrics/test.json", {
        **EXPECTED, "pr_auc": 0.81, "pr_auc_ci95_low": 0.7644, "pr_auc_ci95_high": 0.8533, "brier": 0.15,
        "threshold": 0.5, "precision": 0.8, "recall": 0.7, "n_test": 324,
        "precision_ci95_low": 0.7412, "precision_ci95_high": 0.8456, "recall_ci95_low": 0.6351,
        "recall_ci95_high": 0.7588, "precision_calibrated": 0.75, "precision_calibrated_ci95_low": 0.6912,
        "precision_calibrated_ci95_high": 0.8011, "recall_calibrated": 0.81, "recall_calibrated_ci95_low": 0.7512,
        "recall_calibrated_ci95_high": 0.8577,
        "model": "logreg", "calibration": "sigmoid", "log_loss": 0.45, "log_loss_calibrated": 0.41,
        "roc_auc_calibrated": 0.8766, "roc_auc_change_ci95_low": 0.0, "roc_auc_change_ci95_high": 0.0,
        "brier_change_ci95_low": -0.0151, "brier_change_ci95_high": -0.0049, "log_loss_change_ci95_low": -0.0612,
        "log_loss_change_ci95_high": -0.0188, "brier_calibrated_ci95_low": 0.1261,
        "brier_calibrated_ci95_high": 0.1539})
    for part, scores in FOLD_SCORES.items():
        for name, aucs in scores.items():
            write_json(root / f"reports/cv_folds/{part}/{name}.json", {
                "model": name, "folds": 5, "repeats": 2, "seed": 42, "train_rows": 971,
                "customers": "a" if name != "dummy" or part == "train" else "b", "roc_auc": aucs})
    write_json(root / "metrics/data_quality.json", {
        "rows_read": {"market_file.csv": 1300}, "typos_fixed": {"market_file.csv": 259},
        "rows_dropped": {"no revenue in at least one of the 3 months": 4}, "rows_kept": 1296,
        "rows_repeating_all_but_id": 10, "target_share_decreased": 0.383,
        "target_decreased": 496})
    write_json(root / "metrics/explain.json", {
        "explainer": "KernelExplainer", "model": "logreg", "output": "probability", "rows_explained": 324,
        "top_features": [{"feature": "promo_share", "importance": 0.2}],
        "production": {"model": "knn", "explainer": "permutation", "output": "probability", "rows_explained": 200,
                       "top_features": [{"feature": "minutes_prev", "importance": 0.1234, "low": 0.1001,
                                         "high": 0.1502}]}})
    write_json(root / "metrics/correlation.json", {"max_pair": {"features": ["minutes_prev", "minutes_current"],
                                                                "phik": 0.7123},
                                                   "max_vif": {"feature": "revenue_prev", "vif": 4.5678}})
    write_csv(root / "plots/importance.csv", importance())
    kept, profit = customers_and_profit(synthetic_dir)
    scores = random_scores(kept)
    table, summary, profile, thresholds = build(scores, kept, profit, importance(), segment_spec(), encoded_features)
    write_json(root / "metrics/segments.json", segment_metrics(summary, thresholds))
    write_csv(root / "plots/segment_profiles.csv", profile)
    rng = np.random.default_rng(0)
    scores_oof = rng.uniform(0, 1, 500) ** 2
    labels = (rng.random(500) < np.sqrt(scores_oof)).astype(int)
    parts = [(np.setdiff1d(np.arange(500), np.arange(k, 500, 5)), np.arange(k, 500, 5)) for k in range(5)]
    for part in ("train", "labelled"):
        method, quality = calibration.choose(scores_oof, labels, parts, ["none", "sigmoid", "isotonic"])
        write_json(root / f"metrics/calibration/{part}.json", {"method": method, "chosen_by": "log_loss, out of fold",
                                                               "out_of_fold": quality})

    spec = PARAMS["campaign"]
    customers = table.merge(kept, on="id")
    contacts = make_plan(customers[customers["part"] == "train"], spec, catalogue(spec), campaign="demo")
    write_csv(root / "campaign/contacts.csv", rounded(contacts))  # the demo campaign, sent with the priors
    simulate_outcomes(contacts, synthetic_dir, root / "campaign/outcomes", PARAMS["simulate"]["save_rates"], 7)
    readout, customer_table = readout_file(root / "campaign/contacts.csv", root / "campaign/outcomes", PARAMS)
    write_json(root / "metrics/readout/demo.json", readout)
    out = plan_campaign(customers, {"demo": readout}, {"demo": customer_table}, PARAMS)
    write_json(root / "metrics/save_rates.json", out["learned"])
    campaign = out["metrics"]
    write_json(root / "metrics/campaign.json", campaign)

    reference, sample = make_reference(kept, 1000, 0, {"raw_dir": "data/synthetic", "synthetic": True,
                                                       "dvc_hash": "h"})
    for name, rows in (("m2026-10", kept.iloc[::2]), ("m2026-11", kept.iloc[1::2].assign(
            marketing_6m=lambda d: d["marketing_6m"] * 1.5))):
        record = monitor_record(rows, rng.uniform(0, 1, len(rows)), reference, sample, EXPECTED, PARAMS["monitor"], 10)
        write_json(root / f"metrics/monitor/{name}.json", {"export": name, "folder": f"x/{name}", "scored": len(rows),
                                                           "excluded": 0, **record})
    return summary, campaign, readout


@pytest.fixture(scope="module")
def report(tmp_path_factory, synthetic_dir):
    root = tmp_path_factory.mktemp("outputs")
    summary, campaign, readout = write_outputs(root, synthetic_dir)
    inputs = load_inputs(root, ["demo"], ["m2026-10", "m2026-11"])
    return render(inputs, PARAMS), summary, campaign, readout, inputs


def test_report_has_every_model_and_segment(report):
    text, summary, campaign, *_ = report
    for model in MODELS:
        assert re.search(rf"^\| (\*\*)?{model}(\*\*)? \| {model} \| 0\.\d{{4}} \|", text, re.M), model
    assert "Chosen: **logreg** (CV ROC-AUC 0.7000, sd over the folds 0.0300)" in text
    half = stats.t.ppf(0.975, 9) * 0.0211 * np.sqrt(10 / 9) * np.sqrt(1 / 10 + 1 / 4)  # as the model card's
    assert (f"Shipped: **knn** (CV ROC-AUC 0.7321, 95 % interval {0.7321 - half:.3f} to {0.7321 + half:.3f} "
            "(Nadeau-Bengio corrected t, as the model card's), sd over the folds 0.0211) with n_neighbors=40") in text
    assert "every labelled customer" in text and "all 1296 of them" in text
    for row in summary.itertuples():
        line = next(line for line in text.splitlines() if line.startswith(f"| {row.segment} ")
                    or line.startswith(f"| **{row.segment}** "))
        assert f"| {row.customers} |" in line
        assert f"| {campaign['segments'][row.segment]['expected_loss']:.1f} |" in line
        assert f"| {campaign['segments'][row.segment]['contacts']} |" in line
    assert "## The priority segment: keep_priority" in text


def test_the_campaign_section_comes_first_and_gives_the_plans_figures(report):
    text, _, campaign, _, inputs = report
    assert text.index("## The campaign") < text.index("## What the past campaigns showed") < \
        text.index("## Data quality") < text.index("## Segments: who the customers are")
    assert f"**{campaign['contacts']} of {campaign['customers']} customers are in the campaign** (campaign " \
        "`next`)" in text
    assert f"hold back {campaign['control']} as the control group (" in text
    assert "they get nothing and cost no money, though holding them back gives up" in text
    for offer, figures in campaign["offers"].items():
        line = next(line for line in text.splitlines() if line.startswith(f"| **{offer}**: "))
        assert f"| {figures['treated']} | {figures['explored']} | {figures['control']} |" in line
        post = inputs["save_rates"]["offers"][offer]["posterior"]
        assert f"| {post['mean']:.2f} [{post['low90']:.2f}, {post['high90']:.2f}] (" in line
        assert f"{figures['expected_profit']:,.1f}".replace(",", " ") in line
        chance = figures["chance_it_does_not_pay"]
        if chance is not None:
            assert f"| {figures['break_even_save_rate']:.2f} (" + ("below 1%" if chance < 0.005 else f"{chance:.0%}") \
                + ") |" in line
    assert any(figures["chance_it_does_not_pay"] is not None for figures in campaign["offers"].values())
    assert f"{campaign['power']['power']:.0%}" in text and "thousand roubles" in text
    assert all(f"{offer} " in text.split("to tell each offer's own effect: ")[1].split(".")[0]
               for offer in campaign["offers"])  # every offer in the power statement
    would = campaign["test"]["realized_profit"]
    checked = next(line for line in text.splitlines() if line.startswith("**Checked on customers whose outcome"))
    assert f"would earn {would['plan']:,.1f}".replace(",", " ") in checked and "realize" not in checked
    money = lambda v: f"{v:,.1f}".replace(",", " ")  # noqa: E731
    low, high = campaign["test"]["realized_interval"]["plan"]
    minus = campaign["test"]["plan_minus"]["everyone"]
    assert f"thousand roubles [{money(low)} to {money(high)}]" in checked
    assert f"(the plan minus it {minus['difference']:+.1f} [{minus['low']:+.1f}, {minus['high']:+.1f}])" in checked
    assert "they do not cover what the save rates may be" in checked
    emp_low, emp_high = campaign["test"]["emp_interval"]
    assert f"{money(campaign['test']['emp_per_1000'])} thousand roubles per 1000 customers " \
           f"[{money(emp_low)} to {money(emp_high)}] (expected maximum profit" in checked
    assert f"{money(campaign['expected_profit_low'])} to {money(campaign['expected_profit_high'])}, over what the " \
           "save rates may be and chance in who buys less" in text
    assert f"{money(campaign['price_of_learning'])} in all (5-95 % range {money(campaign['price_of_learning_low'])} " \
           f"to {money(campaign['price_of_learning_high'])}, over the save rates and chance" in text
    forgone = [money(campaign[f"control_forgone_profit{end}"]) for end in ("", "_low", "_high")]
    assert f"{forgone[0]} thousand roubles of expected profit (5-95 % range {forgone[1]} to {forgone[2]})" in text
    assert f"cost {money(campaign['exploration_cost'])} ({money(campaign['exploration_cost_low'])} to " \
           f"{money(campaign['exploration_cost_high'])})" in text
    low = campaign["what_if"]["save_rates_at_5_percent"]
    assert f"would contact {low['contacts']} customers and count on {money(low['expected_profit'])}" in text
    assert f"(5-95 % range {money(low['expected_profit_low'])} to {money(low['expected_profit_high'])}, over " \
           "chance in who buys less and who is kept, the save rates held there)" in text
    new = campaign["past_campaigns"]["demo"]["new_plan"]
    assert f"the new plan {money(new['per_1000'])} [{money(new['low'])} to {money(new['high'])}]" in text
    for plan, words in (("plan_that_ran", "the plan that ran"), ("one_rate_per_offer", "one save rate per offer")):
        past = campaign["past_campaigns"]["demo"][plan]
        assert f"{words} {money(past['per_1000'])} [{money(past['low'])} to {money(past['high'])}]" in text
    assert "**What this rests on.**" in text and "30% of their monthly profit" in text


def per_offer(text: str) -> dict:
    """The power statement's offers: name -> campaigns of this size needed (or why none)."""
    listed = text.split("campaigns of this size needed to tell each offer's own effect: ")[1].split(".")[0]
    return dict(item.split(" ", 1) for item in listed.split(", "))


def test_the_power_statement_names_every_offer(report):
    """Every offer of the plan, in its order, with the campaigns its own arms need: "not planned" where no customer
    to contact gets it, "no control group" where none is held back (an offer needing one campaign is named too)."""
    text, _, campaign, _, inputs = report
    power = campaign["power"]["offers"]
    assert per_offer(text) == {name: str(power[name]["campaigns_needed"] or "no control group")
                               if power.get(name, {}).get("planned") else "not planned" for name in campaign["offers"]}
    changed = copy.deepcopy(inputs)
    first, second, *_ = changed["campaign"]["offers"]
    del changed["campaign"]["power"]["offers"][first]
    changed["campaign"]["power"]["offers"][second] = {"control": 0, "treated": 4, "power": None,
                                                      "campaigns_needed": None}
    changed["campaign"]["power"]["offers"]["others"] = {"campaigns_needed": 1}  # not an offer of the plan: left out
    shown = per_offer(render(changed, PARAMS))
    assert list(shown) == list(campaign["offers"])
    assert shown[first] == "not planned" and shown[second] == "no control group"


def test_revenue_is_labelled_roubles_among_thousand_roubles(report):
    """The report's money is in thousand roubles; the revenue features are in roubles, and say so."""
    text, *_, inputs = report
    assert "Money is in thousand roubles, except the revenue features (`revenue_*`), in roubles" in text
    profiles = inputs["profiles"].copy()
    priority = (profiles["segment"] == "keep_priority") & (profiles["rank"] == 1)
    profiles.loc[priority, ["feature", "segment_value", "rest_value"]] = ["revenue_prev", 4595.33, 4879.01]
    text = render({**inputs, "profiles": profiles}, PARAMS)
    row = next(line for line in text.split("## The priority segment")[1].splitlines() if "4595.33" in line)
    assert row.startswith("| `revenue_prev` (roubles) | 4595.33 | 4879.01 |")
    first = profiles[priority].iloc[0]
    assert f"| {first.effect:+.2f} | [{first.effect_low:+.2f}, {first.effect_high:+.2f}] |" in row
    assert not [line for line in text.splitlines() if line.startswith("| `minutes_") and "roubles" in line]
    units = dict(re.findall(r"^\| `(\w+)`(?: \(([^)]*)\))? \|", text.split("## The priority segment")[1], re.M))
    assert units["revenue_prev"] == "roubles" and len(units) > 1  # every feature with its data-dictionary unit
    assert all(unit == {"marketing_6m": "contacts/month", "promo_share": "share 0-1", "pages_per_visit": "pages",
                        "minutes_prev": "minutes", "minutes_current": "minutes", "service_type": ""}.get(name, unit)
               for name, unit in units.items()), units
    assert "The values are in probability: 0.05 moves a customer's probability by 5 percentage points." in text


def test_the_read_out_and_monitoring_sections(report):
    text, _, _, readout, inputs = report
    for offer, m in readout["offers"].items():
        row = [line for line in text.splitlines() if line.startswith(f"| {offer} | {m['verdict']} |")]
        assert len(row) == 1, offer
        post = inputs["save_rates"]["offers"][offer]["posterior"]  # used now: the learner's posterior, 90 %
        a, b = m["prior"]["alpha"], m["prior"]["beta"]  # assumed before: the prior Beta's quantiles
        prior = f"{m['prior']['mean']:.2f} [{stats.beta.ppf(0.05, a, b):.2f}, {stats.beta.ppf(0.95, a, b):.2f}]"
        assert f"| {prior} | {post['mean']:.2f} [{post['low90']:.2f}, {post['high90']:.2f}] |" in row[0], row
        found = m.get("heterogeneity") or {}
        if not found.get("differs") and found.get("p_value") is not None:  # the p-value beside the level it must reach
            assert (f"no detectable difference (best split p = {found['p_value']:.2f}; a split needs p ≤ "
                    f"{found['alpha']:g})") in row[0], row
    assert f"Overall: **{readout['overall']['verdict']}**" in text
    simulated = "Its outcomes are simulated (stage simulate, at `simulate.save_rates`), not observed"
    assert simulated not in text  # a campaign read out from its own folder: observed outcomes
    demo = copy.deepcopy(inputs)
    demo["readouts"]["demo"]["folder"] = "data/simulated/campaigns/demo"
    assert simulated in render(demo, PARAMS)
    table = monitor_table(inputs["monitors"])
    assert table["export"].tolist() == ["m2026-10", "m2026-11"]
    for name, record in inputs["monitors"].items():
        assert f"| {name} | {record['scored']} | {record['drift']['verdict']} |" in text
        realized, domain = record["realized"], record["drift"]["domain"]
        assert (f"| {domain['roc_auc']:.2f} (chance: up to {domain['permutation_auc_95']:.2f}) |") in text
        assert (f"| {realized['verdict']}: {realized['difference']:+.3f} [{realized['difference_low']:+.3f}, "
                f"{realized['difference_high']:+.3f}] from {realized['expected_roc_auc']:.3f} |") in text
    assert "marketing_6m" in inputs["monitors"]["m2026-11"]["drift"]["drifted_features"]


def test_a_control_group_too_small_to_call_a_result_is_said_so_not_given_a_power(report):
    """Below readout.min_per_arm the power is 0 by convention, not a small chance: the paragraph says the arm is
    too small instead of 'a probability of below 1%'."""
    text, _, campaign, _, inputs = report
    assert "A campaign of this size tells that difference from chance with a probability of" in text
    small = copy.deepcopy(inputs)
    small["campaign"]["power"].update(control=12, power=0.0, power_low=0.0, power_high=0.0)
    paragraph = next(line for line in render(small, PARAMS).splitlines() if line.startswith("**The control group.**"))
    assert "An arm of this campaign has fewer than 30 customers, the least a read-out calls a result on" in paragraph
    assert "probability of" not in paragraph


def test_an_offer_without_a_control_customer_and_a_plan_that_contacts_nobody(report, tmp_path):
    _, _, campaign, readout, inputs = report
    empty = copy.deepcopy(inputs)
    offer = next(iter(readout["offers"]))
    m = empty["readouts"]["demo"]["offers"][offer]
    for key in [k for k in m if k not in ("control", "treated", "prior", "planned_expected_profit")]:
        del m[key]
    m.update(control_found=0, treated_found=3, verdict="too few customers to tell: an arm is empty")
    empty["campaign"] = {**campaign, "contacts": 0, "why_nobody": "no offer pays for any customer"}
    text = render(empty, PARAMS)
    assert f"| {offer} | too few customers to tell: an arm is empty | 3 / 0 | – |" in text
    assert "**Contact nobody.**" in text and "no offer pays for any customer" in text


def test_an_offer_whose_rate_differs_shows_its_groups_everywhere_marketing_reads(report):
    _, _, _, readout, inputs = report
    differs = copy.deepcopy(inputs)
    offer = next(iter(readout["offers"]))
    groups = {"profit < 4.2": 0.2134, "profit >= 4.2": 0.4821}
    differs["save_rates"]["offers"][offer].update(differs=True, groups=groups)
    differs["readouts"]["demo"]["offers"][offer]["heterogeneity"] = {"differs": True, "p_value": 0.004,
                                                                     "groups": groups}
    text = render(differs, PARAMS)
    row = next(line for line in text.splitlines() if line.startswith(f"| **{offer}**: "))
    assert "; by customer group: profit < 4.2 0.21, profit >= 4.2 0.48 |" in row  # the plan's table
    row = next(line for line in text.splitlines() if line.startswith(f"| {offer} | "))
    assert "| yes: profit < 4.2 0.21, profit >= 4.2 0.48 |" in row  # the read-out's table
    assert (f"for {offer} the campaigns showed the rate differs across customers, so each customer gets the rate "
            "of their group") in text


def test_what_is_missing_or_set_aside_is_said_in_words(report):
    """The report's sentences for a store with broken rows, ids without a customer, customers without profit, an
    offer out of the plan, customers carried over, and neither a control group, a read-out nor a monitored export."""
    _, _, campaign, _, inputs = report
    odd = copy.deepcopy(inputs)
    odd["quality"].update(quarantined={"market_money.csv: revenue not a number": 3},
                          extra_ids_ignored={"market_time.csv": 2, "money.csv": 0})
    odd["campaign"].update(customers_without_profit=4)
    odd["campaign"]["power"] = {**campaign["power"], "power": None}
    offer = next(iter(odd["save_rates"]["offers"]))
    odd["save_rates"]["offers"][offer].update(in_plan=False, reason="harms, all campaigns pooled (demo)")
    odd["save_rates"]["carried_over"] = {"demo": 0, "spring": 12}
    text = render(odd, PARAMS)
    assert ("Customers set aside for broken rows (3; each with the file, column, line and value in "
            "`data/processed/excluded.csv`):\n- market_money.csv: revenue not a number: 3") in text
    assert "Ids that market_file.csv lacks, ignored: 2 in market_time.csv." in text
    assert "4 customers have no profit figure and get no decision." in text
    assert "No control group: nothing will tell whether the offers work (`campaign.control.share`)." in text
    assert f"Out of the plan (still explored, so measured again): **{offer}** (harms, all campaigns pooled (demo))." \
        in text
    assert ("Customers treated in an earlier campaign are left out of a later one's learning (their outcome is no "
            "longer that of an untreated customer): 12 in spring.") in text
    bare = render({**odd, "readouts": {}, "monitors": {}}, PARAMS)
    assert "No campaign has been read out yet (`readout.campaigns`): the save rates are assumptions." in bare
    assert "No export is monitored (`monitor.exports`)." in bare


def test_arms_that_lost_different_shares_are_named_with_their_interval(report):
    text, _, _, readout, inputs = report
    assert "lost different shares" not in text and "missing from the export cost" not in text  # none missing
    lost = copy.deepcopy(inputs)
    offer = next(iter(readout["offers"]))
    m = lost["readouts"]["demo"]["offers"][offer]
    m.update(control=50, treated=200, missing_control=0, missing_treated=40, missing_difference=-0.2,
             missing_difference_low=-0.2578, missing_difference_high=-0.1112, attrition_differs=True)
    lost["readouts"]["demo"]["overall"].update(missing_treated=5, spend_missing=1.5)
    text = render(lost, PARAMS)
    assert "The offers sent to the 5 treated customers missing from the export cost 1.5 thousand roubles" in text
    assert (f"**The arms lost different shares of their customers** ({offer}: control 0.0%, treated 20.0% missing "
            "(difference -20.0 percentage points, 95 % interval -25.8 to -11.1)): a customer who left the "
            "store") in text


def test_the_synthetic_banner_opens_the_report_and_the_card_only_on_synthetic_data(report):
    text, *_, inputs = report
    assert text.splitlines()[2].startswith("> **Synthetic data.**")
    real = render(inputs, {**PARAMS, "data": {"raw_dir": "data/raw/market"}})
    assert "Synthetic data" not in real
    model = {"rows": 1296, "sklearn_version": "1.9.1", "package_version": "0.1.0"}
    args = (model, inputs["production"], inputs["test"], inputs["explain"], inputs["quality"])
    card = render_card(*args, "data/synthetic", "h.dir", 5, inputs["calibration_production"], inputs["monitors"])
    assert card.splitlines()[2].startswith("> **Synthetic data.**")
    assert "`minutes_prev` | 0.1234 | [0.1001, 0.1502]" in card  # the production model's own SHAP
    assert "Brier score 0.140 calibrated (95 % interval 0.126 to 0.154)" in card
    low, high = proportion_confint(496, 1296, alpha=0.05, method="wilson")
    assert f"- share whose activity decreased: 38.3% (95 % interval {low:.1%} to {high:.1%})" in card
    assert "- 1296 labelled customers: ROC-AUC moves" in card  # the card's own count, not a fixed phrase
    half = stats.t.ppf(0.975, 9) * 0.0211 * np.sqrt(10 / 9) * np.sqrt(1 / 10 + 1 / 4)  # the sample std of 10 folds
    assert (f"CV ROC-AUC on all labelled customers: **0.732** (95 % interval {0.7321 - half:.3f} to "
            f"{0.7321 + half:.3f}, Nadeau-Bengio corrected; 5-fold, repeated 2 times, 1296 customers)") in card
    assert "Last checked on export `m2026-11`" in card
    none = inputs["calibration_production"]["out_of_fold"]["none"]  # the paired interval: test_calibration.py
    difference, low, high = none["log_loss_minus_chosen"]
    assert f"uncalibrated minus calibrated {difference:+.4f} (95 % interval {low:+.4f} to {high:+.4f})" in card
    real_card = render_card(*args, "data/raw/market", "h.dir", 5, inputs["calibration_production"], {})
    assert "Synthetic data" not in real_card and "No export has been checked yet" in real_card


def test_each_model_is_compared_with_the_chosen_one_on_the_same_folds(report):
    """Corrected resampled t by hand: 5 folds x 2 repeats, variance sd² (1/10 + 1/4), t with 9 degrees."""
    from scipy import stats

    text, *_ = report
    diff = np.subtract(FOLD_SCORES["train"]["knn"], FOLD_SCORES["train"]["logreg"])
    half = stats.t.ppf(0.975, 9) * diff.std(ddof=1) * np.sqrt(1 / 10 + 1 / 4)
    knn_row = next(line for line in text.splitlines() if line.startswith("| knn | knn |"))
    assert f"| {diff.mean():+.4f} [{diff.mean() - half:+.4f}, {diff.mean() + half:+.4f}] |" in knn_row
    assert next(line for line in text.splitlines() if line.startswith("| **logreg** |")).count("| – |") == 1
    shipped = text.split("## The model that ships")[1]
    assert "not paired: the folds hold other customers" in shipped


def test_report_figures_come_from_the_files(report):
    text, *_, inputs = report
    assert "ROC-AUC **0.877** (95 % bootstrap interval 0.812 to 0.935)" in text
    assert "PR-AUC 0.810 (0.764 to 0.853, the same resamples)" in text
    none = inputs["calibration"]["out_of_fold"]["none"]
    difference, low, high = none["log_loss_minus_chosen"]
    assert f"| none | {none['log_loss']:.4f} | {difference:+.4f} [{low:+.4f}, {high:+.4f}] |" in text
    assert ("At the threshold 0.5 of the model's uncalibrated score: precision 0.800 [0.741, 0.846], recall 0.700 "
            "[0.635, 0.759] (95 % Wilson intervals); at the same threshold of the calibrated probability, which the "
            "plan and the segments read: precision 0.750 [0.691, 0.801], recall 0.810 [0.751, 0.858].") in text
    low, high = proportion_confint(496, 1296, alpha=0.05, method="wilson")
    assert f"activity decreased: 38.3% (95 % Wilson interval {low:.1%} to {high:.1%})." in text
    assert "`minutes_prev` and `minutes_current` (phik 0.71)" in text and "`revenue_prev` (4.57)" in text
    assert "KernelExplainer" in text
    assert "| 1 | `marketing_6m` | 1.0000 | [0.9500, 1.0500] | higher values lower the risk |" in text
    assert "Brier 0.1500 → 0.1400 (change, 95 % interval [-0.0151, -0.0049]), log loss 0.4500 → 0.4100 " \
           "([-0.0612, -0.0188])" in text
    assert "rule best: the highest mean CV ROC-AUC (logreg has the highest mean CV ROC-AUC)." in text


def test_report_has_no_placeholder_and_links_the_images(report):
    text, *_ = report
    for bad in (r"\bnan\b", r"\bNone\b", r"\bNaN\b", r"TODO", r"[{}]", r"\binf\b", r"\bnull\b"):
        assert not re.search(bad, text), bad
    links = re.findall(r"!\[[^]]*\]\(([^)]+)\)", text)
    images = (PROFIT_CURVE_PNG, SAVE_RATES_PNG, SEGMENTS_SCATTER_PNG, SEGMENT_PROFILES_PNG)
    assert links == [f"../{path}" for path in images]
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_a_missing_output_is_named(report, tmp_path, synthetic_dir):
    write_outputs(tmp_path, synthetic_dir)
    (tmp_path / "metrics/correlation.json").unlink()
    with pytest.raises(DataError, match="metrics/correlation.json: not found; run `dvc repro`"):
        load_inputs(tmp_path, ["demo"])
