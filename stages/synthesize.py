"""Stage synthesize: the four raw files of a synthetic store (data/synthetic/) and its later monthly exports
(data/simulated/months/<name>/, the monitor stage's demo)."""

from oneclick.cli import run
from oneclick.params import load_params
from oneclick.synthesize import draw_customers, write_months, write_raw_files

OUT_DIR = "data/synthetic"
MONTHS_DIR = "data/simulated/months"


def main():
    p = load_params(check_estimators=False)["synthesize"]
    write_raw_files(draw_customers(p["n_customers"], p["seed"], p["separation"]), OUT_DIR)
    write_months(p["months"], p["separation"], MONTHS_DIR)


if __name__ == "__main__":
    run(main)
