"""Stage campaign: the save rates learned from every read-out, per customer where they differ
(metrics/save_rates.json); the plan for every labelled customer by expected profit, with its design for learning
(data/campaign.csv); what it costs and would earn, with ranges, the price and the value of learning
(metrics/campaign.json); what the new plan would have earned on each past campaign's randomized customers, beside
the plan that ran and a plan of one save rate per offer; and the plan on the test part, whose outcomes are known
(oneclick/campaign/planning.py).

It also reads `evaluate.curve_points`, checked by the evaluate stage that always runs before it."""

import pandas as pd

from oneclick.campaign import offers, plots, readout
from oneclick.campaign.customers import known_customers
from oneclick.campaign.plan import rounded
from oneclick.campaign.planning import plan_campaign
from oneclick.campaign.save_rates import check_folders
from oneclick.common import paths
from oneclick.common.cli import run
from oneclick.common.io import read_json, write_csv, write_json
from oneclick.insight import segments
from oneclick.params import load_params


def main():
    params = load_params(offers.check_params, readout.check_params, segments.check_params)
    campaigns = params["readout"]["campaigns"]
    check_folders(campaigns)
    readouts = {name: read_json(paths.readout_metrics(name)) for name in campaigns}
    tables = {name: pd.read_csv(paths.readout_table(name)) for name in campaigns}
    out = plan_campaign(known_customers(), readouts, tables, params)
    write_csv(paths.CAMPAIGN, rounded(out["plan"]))
    write_json(paths.CAMPAIGN_METRICS, out["metrics"])
    write_json(paths.SAVE_RATES_METRICS, out["learned"])
    write_json(paths.PROFIT_CURVE_PLOT, out["curve"])
    write_csv(paths.SAVE_RATES_PLOT, out["save_rate_rows"])
    write_csv(paths.TEST_CAMPAIGN, out["test_plan"])
    plots.profit_curve_image(out["curve"], out["summary"], paths.PROFIT_CURVE_PNG)
    plots.save_rates_image(out["learned"], readouts, paths.SAVE_RATES_PNG)


if __name__ == "__main__":
    run(main)
