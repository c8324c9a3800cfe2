"""Stage synthesize: write the four raw files of a synthetic store to data/synthetic/."""

from oneclick.cli import run
from oneclick.params import load_params
from oneclick.synthesize import draw_customers, write_raw_files

OUT_DIR = "data/synthetic"


def main():
    p = load_params(check_estimators=False)["synthesize"]
    write_raw_files(draw_customers(p["n_customers"], p["seed"], p["separation"]), OUT_DIR)


if __name__ == "__main__":
    run(main)
