"""Stage synthesize: the four raw files of a synthetic store (data/synthetic/) and its later monthly exports
(data/simulated/months/<name>/, the monitor stage's demo)."""

from oneclick.common.cli import run
from oneclick.common.paths import SIMULATED_MONTHS, SYNTHETIC
from oneclick.data import synthesize
from oneclick.params import load_params


def main():
    p = load_params(synthesize.check_params)["synthesize"]
    synthesize.write_raw_files(synthesize.draw_customers(p["n_customers"], p["seed"], p["separation"]), SYNTHETIC)
    synthesize.write_months(p["months"], p["separation"], SIMULATED_MONTHS)


if __name__ == "__main__":
    run(main)
