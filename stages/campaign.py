"""Stage campaign: the plan by expected profit for every labelled customer (data/campaign.csv), what it costs and
returns with intervals (metrics/campaign.json), the save rates it used (metrics/save_rates.json), and the plan on
the test part, whose outcomes are known: expected maximum profit and realized profit against simpler rules."""


from oneclick import campaign_plots
from oneclick.campaign_data import known_customers
from oneclick.cli import run
from oneclick.emp import on_known_outcomes
from oneclick.io import read_json, write_csv, write_json
from oneclick.offers import catalogue, save_rate_draws
from oneclick.params import load_params
from oneclick.plan import make_plan, rounded
from oneclick.plan_summary import by_segment, profit_curve, summarize
from oneclick.save_rates import learn, plan_rates, save_rate_rows
from oneclick.segments import PRIORITY
from oneclick.selection import TEST_CAMPAIGN


def main():
    params = load_params(check_estimators=False)
    spec = params["campaign"]
    customers = known_customers()
    readouts = {name: read_json(f"metrics/readout/{name}.json") for name in params["readout"]["campaigns"]}
    learned = learn(spec["offers"], readouts)
    offers = catalogue(spec, plan_rates(learned))
    plan = make_plan(customers, spec, offers)
    draws = save_rate_draws(offers, spec["draws"], spec["seed"])

    test = (customers["part"] == "test").to_numpy()
    priority = customers["segment"] == params["segment"]["names"][PRIORITY]
    on_test = on_known_outcomes(plan[test].reset_index(drop=True), customers.loc[test, "activity_decreased"],
                                priority[test], draws, offers["offer"].tolist(), spec["contact_cost"])
    summary = summarize(customers, plan, spec, offers, draws)
    write_csv("data/campaign.csv", rounded(plan))
    write_json("metrics/campaign.json", {**summary, "segments": by_segment(plan, customers["segment"]),
                                         "test": on_test})
    write_json("metrics/save_rates.json", learned)
    curve = profit_curve(plan, offers, spec, draws, params["evaluate"]["curve_points"])
    write_json("plots/profit_curve.json", curve)
    write_csv("plots/save_rates.csv", save_rate_rows(learned, readouts))
    test_plan = rounded(plan[test]).assign(declined=customers.loc[test, "activity_decreased"].to_numpy(),
                                           total_cost=(plan.loc[test, "offer_cost"] + spec["contact_cost"]).round(6))
    write_csv(TEST_CAMPAIGN, test_plan.merge(offers[["offer", "alpha", "beta"]], on="offer", how="left")
              .round({"alpha": 4, "beta": 4}))
    campaign_plots.profit_curve_image(curve, summary, campaign_plots.PROFIT_CURVE)
    campaign_plots.save_rates_image(learned, readouts, campaign_plots.SAVE_RATES)


if __name__ == "__main__":
    run(main)
