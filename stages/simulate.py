"""Stage simulate: the demo campaign. The plan of the save-rate priors, sent to the train part's customers (the
test part stays untouched, so the plan checked on it never saw their outcomes), and the export after it, where each
treated customer who bought less was kept with the offer's true save rate (params `simulate`):
data/simulated/campaigns/<name>/ (contacts.csv and its provenance record, outcomes/), read out by readout@<name>."""

from pathlib import Path

from oneclick.campaign import offers, simulation
from oneclick.campaign.customers import known_customers
from oneclick.campaign.plan import make_plan, rounded
from oneclick.campaign.provenance import record, sidecar
from oneclick.common.cli import run
from oneclick.common.io import write_csv, write_json
from oneclick.common.paths import CONTACTS, OUTCOMES, SIMULATED_CAMPAIGNS
from oneclick.data import source
from oneclick.params import load_params


def main():
    params = load_params(source.check_params, offers.check_params, simulation.check_params)
    spec, sim = params["campaign"], params["simulate"]
    customers = known_customers()
    customers = customers[customers["part"] == "train"].reset_index(drop=True)  # the test part stays untouched
    # what was sent: the plan of the priors (nothing learned yet), its arms drawn for this campaign's name
    plan = make_plan(customers, spec, offers.catalogue(spec), campaign=sim["name"])
    out = Path(SIMULATED_CAMPAIGNS) / sim["name"]
    simulation.simulate_outcomes(plan, params["data"]["raw_dir"], out / OUTCOMES, sim["save_rates"], sim["seed"])
    write_csv(out / CONTACTS, rounded(plan))
    write_json(sidecar(out / CONTACTS), record("stage simulate (the demo campaign)", sim["name"], spec))


if __name__ == "__main__":
    run(main)
