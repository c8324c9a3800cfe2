"""Stage prepare: validate the raw files of `data.raw_dir` and build the model table."""

from oneclick.common.cli import run
from oneclick.common.io import write_csv, write_json
from oneclick.common.paths import DATA_QUALITY_METRICS, EXCLUDED, LABELLED, PROFIT
from oneclick.data import prepare, source
from oneclick.data.load import read_all
from oneclick.params import load_params


def main():
    params = load_params(source.check_params, prepare.check_params)
    frames, typos = read_all(params["data"]["raw_dir"])
    kept, excluded, profit = prepare.build_table(frames, params["prepare"]["revenue_max"])
    write_csv(LABELLED, kept)
    write_csv(EXCLUDED, excluded)
    write_csv(PROFIT, profit)
    write_json(DATA_QUALITY_METRICS, prepare.quality_record(frames, typos, kept, excluded))


if __name__ == "__main__":
    run(main)
