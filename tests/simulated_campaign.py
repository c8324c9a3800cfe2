"""A simulated campaign for the read-out's tests: a synthetic store, a plan contacting everyone with a control group,
and the outcome export with known save rates."""

import copy

from segment_fixtures import PARAMS

from oneclick.campaign.offers import catalogue
from oneclick.campaign.plan import make_plan, rounded
from oneclick.campaign.simulation import simulate_outcomes
from oneclick.data.load import read_export
from oneclick.data.prepare import build_table
from oneclick.data.synthesize import draw_customers, write_raw_files

TRUE = {"cart_reminder": 0.4, "recommendations": 0.1}
ECONOMICS = {"name": "spring", "explore": {"share": 0.0}, "horizon_months": 3, "loss_share": 0.3,
             "contact_cost": 0.001, "budget": {"contacts": None, "spend": None},
             "control": {"share": 0.2, "seed": 42}, "offers": {
                 "cart_reminder": {"text": "cart", "cost": 0.0, "save_rate": {"alpha": 6, "beta": 14},
                                   "eligible": {"unpaid_items_quarter": {"min": 3}}},
                 "recommendations": {"text": "rec", "cost": 0.0, "save_rate": {"alpha": 6, "beta": 14},
                                     "eligible": {"unpaid_items_quarter": {"max": 2}}}}}


def params_with(economics=ECONOMICS) -> dict:
    params = copy.deepcopy(PARAMS)
    params["campaign"].update(copy.deepcopy(economics))
    return params


def campaign(tmp_path, n: int, seed: int = 0):
    """A store of n customers, a plan contacting every one (control group 20 %), and its simulated outcome."""
    store = tmp_path / "store"
    write_raw_files(draw_customers(n, seed=seed, separation=0.9), store)
    kept, _, profit = build_table(read_export(store).frames, PARAMS["prepare"]["revenue_max"])
    customers = kept.merge(profit, on="id").assign(probability=0.5)
    plan = make_plan(customers, ECONOMICS, catalogue(ECONOMICS))
    assert plan["contact"].all()
    contacts = tmp_path / "contacts.csv"
    rounded(plan).to_csv(contacts, index=False)
    saved = simulate_outcomes(plan, store, tmp_path / "outcomes", TRUE, seed=7)
    return customers, plan, contacts, saved
