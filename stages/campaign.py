"""Stage campaign: the plan by expected profit for every labelled customer (data/campaign.csv), what it costs and
returns with intervals (metrics/campaign.json), the save rates it used (metrics/save_rates.json), and the plan on
the test part, whose outcomes are known: expected maximum profit and realized profit against simpler rules.

It also reads `evaluate.curve_points`, checked by the evaluate stage that always runs before it."""

from oneclick.campaign import offers, plots, readout
from oneclick.campaign.customers import known_customers
from oneclick.campaign.emp import on_known_outcomes
from oneclick.campaign.plan import make_plan, rounded
from oneclick.campaign.save_rates import learn, plan_rates, save_rate_rows
from oneclick.campaign.summary import by_segment, profit_curve, summarize
from oneclick.common import paths
from oneclick.common.cli import run
from oneclick.common.io import read_json, write_csv, write_json
from oneclick.insight import segments
from oneclick.params import load_params


def main():
    params = load_params(offers.check_params, readout.check_params, segments.check_params)
    spec = params["campaign"]
    customers = known_customers()
    readouts = {name: read_json(paths.readout_metrics(name)) for name in params["readout"]["campaigns"]}
    learned = learn(spec["offers"], readouts)
    catalogue = offers.catalogue(spec, plan_rates(learned))
    plan = make_plan(customers, spec, catalogue)
    draws = offers.save_rate_draws(catalogue, spec["draws"], spec["seed"])

    test = (customers["part"] == "test").to_numpy()
    priority = customers["segment"] == params["segment"]["names"][segments.PRIORITY]
    on_test = on_known_outcomes(plan[test].reset_index(drop=True), customers.loc[test, "activity_decreased"],
                                priority[test], draws, catalogue["offer"].tolist(), spec["contact_cost"])
    summary = summarize(customers, plan, spec, catalogue, draws)
    write_csv(paths.CAMPAIGN, rounded(plan))
    write_json(paths.CAMPAIGN_METRICS, {**summary, "segments": by_segment(plan, customers["segment"]),
                                        "test": on_test})
    write_json(paths.SAVE_RATES_METRICS, learned)
    curve = profit_curve(plan, catalogue, spec, draws, params["evaluate"]["curve_points"])
    write_json(paths.PROFIT_CURVE_PLOT, curve)
    write_csv(paths.SAVE_RATES_PLOT, save_rate_rows(learned, readouts))
    test_plan = rounded(plan[test]).assign(declined=customers.loc[test, "activity_decreased"].to_numpy(),
                                           total_cost=(plan.loc[test, "offer_cost"] + spec["contact_cost"]).round(6))
    write_csv(paths.TEST_CAMPAIGN, test_plan.merge(catalogue[["offer", "alpha", "beta"]], on="offer", how="left")
              .round({"alpha": 4, "beta": 4}))
    plots.profit_curve_image(curve, summary, paths.PROFIT_CURVE_PNG)
    plots.save_rates_image(learned, readouts, paths.SAVE_RATES_PNG)


if __name__ == "__main__":
    run(main)
