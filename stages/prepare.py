"""Stage prepare: validate the raw files of `data.raw_dir` and build the model table."""

from oneclick.cli import run
from oneclick.io import write_csv, write_json
from oneclick.load import read_all
from oneclick.params import load_params
from oneclick.prepare import build_table, quality_record


def main():
    params = load_params(check_estimators=False)
    frames, typos = read_all(params["data"]["raw_dir"])
    kept, excluded, profit = build_table(frames, params["prepare"]["revenue_max"])
    write_csv("data/processed/labelled.csv", kept)
    write_csv("data/processed/excluded.csv", excluded)
    write_csv("data/processed/profit.csv", profit)
    write_json("metrics/data_quality.json", quality_record(frames, typos, kept, excluded))


if __name__ == "__main__":
    run(main)
