"""Stage simulate: the demo campaign. The plan of the save-rate priors, sent to the scored customers, and the
export after it, where each treated customer who bought less was kept with the offer's true save rate
(params `simulate`): data/simulated/campaigns/<name>/ (contacts.csv, outcomes/), read out by readout@<name>."""

from pathlib import Path

from oneclick.campaign_data import known_customers
from oneclick.cli import run
from oneclick.io import write_csv
from oneclick.offers import catalogue
from oneclick.params import load_params
from oneclick.plan import make_plan, rounded
from oneclick.readout import CONTACTS, OUTCOMES
from oneclick.synthesize import simulate_outcomes

OUT_DIR = Path("data/simulated/campaigns")


def main():
    params = load_params(check_estimators=False)
    spec, sim = params["campaign"], params["simulate"]
    plan = make_plan(known_customers(), spec, catalogue(spec))  # what was sent: the priors, nothing learned yet
    out = OUT_DIR / sim["name"]
    simulate_outcomes(plan, params["data"]["raw_dir"], out / OUTCOMES, sim["save_rates"], sim["seed"])
    write_csv(out / CONTACTS, rounded(plan))


if __name__ == "__main__":
    run(main)
