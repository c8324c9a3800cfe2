"""The campaign stage's work, in one function: what every read-out teaches, the plan for the known customers, what
it costs and would earn, and what it would have earned on the past campaigns (stages/campaign.py writes it)."""

import pandas as pd

from oneclick.campaign import off_policy, offers
from oneclick.campaign.emp import on_known_outcomes
from oneclick.campaign.plan import make_plan, rounded
from oneclick.campaign.save_rates import customer_rates, learn, plan_rates, save_rate_rows
from oneclick.campaign.summary import by_segment, profit_curve, summarize
from oneclick.insight.segments import PRIORITY


def planned_actions(plan: pd.DataFrame) -> tuple:
    """(the offer a plan gives each customer it selects, 'none' for the others; their expected profit): its
    targeting, without the control group and exploration that measure it."""
    planned = plan["contact"].fillna(False).to_numpy(bool) & ~plan["explored"].fillna(False).to_numpy(bool)
    return (pd.Series(plan["offer"]).where(planned, "none").fillna("none").to_numpy(str),
            plan["expected_profit"].fillna(0.0).to_numpy(float))


def past_campaigns(tables: dict, learned: dict, spec: dict, catalogue: pd.DataFrame) -> dict:
    """Per campaign read out, what three plans would have earned on its randomized customers
    (oneclick/campaign/off_policy.py): the new plan (each customer's learned save rate), one save rate per offer
    (the pooled posterior's mean), and the plan that ran (as it was planned, its control group treated)."""
    targeting = {**spec, "control": {**spec["control"], "share": 0.0}, "explore": {"share": 0.0}}
    out = {}
    for name, table in tables.items():
        new = make_plan(table, targeting, catalogue, customer_rates(learned, table, catalogue))
        one_rate = make_plan(table, targeting, catalogue)
        ran = table.assign(contact=table["contact"].astype(bool), explored=table["explored"].astype(bool))
        out[name] = off_policy.compare(table, {"new_plan": planned_actions(new),
                                               "one_rate_per_offer": planned_actions(one_rate),
                                               "plan_that_ran": planned_actions(ran)},
                                       spec["contact_cost"], spec["seed"])
    return out


def plan_campaign(customers: pd.DataFrame, readouts: dict, tables: dict, params: dict) -> dict:
    """Everything the campaign stage writes, for the labelled customers (oneclick/campaign/customers.py) and the
    read-outs of `readout.campaigns` (their JSON and customer tables, in params order)."""
    spec = params["campaign"]
    learned = learn(spec["offers"], readouts, tables, spec["seed"])
    catalogue = offers.catalogue(spec, plan_rates(learned))
    rates = customer_rates(learned, customers, catalogue)
    plan = make_plan(customers, spec, catalogue, rates)
    draws = offers.save_rate_draws(catalogue, spec["draws"], spec["seed"])
    prior_draws = offers.save_rate_draws(offers.catalogue(spec), spec["draws"], spec["seed"])
    test = (customers["part"] == "test").to_numpy()
    priority = customers["segment"] == params["segment"]["names"][PRIORITY]
    on_test = on_known_outcomes(plan[test].reset_index(drop=True), customers.loc[test, "activity_decreased"],
                                priority[test], draws, catalogue["offer"].tolist(), spec["contact_cost"],
                                spec["seed"])
    summary = summarize(customers, plan, spec, catalogue, draws, rates, params["readout"]["min_per_arm"],
                        prior_draws)
    test_plan = rounded(plan[test]).assign(declined=customers.loc[test, "activity_decreased"].to_numpy(),
                                           total_cost=(plan.loc[test, "offer_cost"] + spec["contact_cost"]).round(6))
    return {"learned": learned, "plan": plan, "summary": summary,
            "metrics": {**summary, "segments": by_segment(plan, customers["segment"]), "test": on_test,
                        "past_campaigns": past_campaigns(tables, learned, spec, catalogue)},
            "curve": profit_curve(plan, catalogue, spec, draws, params["evaluate"]["curve_points"]),
            "save_rate_rows": save_rate_rows(learned, readouts),
            "test_plan": test_plan.merge(catalogue[["offer", "alpha", "beta"]], on="offer", how="left")
            .round({"alpha": 4, "beta": 4})}
