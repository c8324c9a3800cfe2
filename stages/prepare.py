"""Stage prepare: read the export of `data.raw_dir` under the contract (oneclick/data/load.py) and build the model
table; every customer left out is in data/processed/excluded.csv with the file, column, line and reason."""

from oneclick.common.cli import run
from oneclick.common.io import write_csv, write_json
from oneclick.common.paths import DATA_QUALITY_METRICS, EXCLUDED, LABELLED, PROFIT
from oneclick.data import prepare, source
from oneclick.data.load import read_export
from oneclick.params import load_params


def main():
    params = load_params(source.check_params, prepare.check_params)
    export = read_export(params["data"]["raw_dir"])
    prepare.check_share(export, params["prepare"]["max_excluded_share_training"],
                        "prepare.max_excluded_share_training")  # a mostly broken export must stop, not train
    kept, excluded, profit = prepare.build_table(export.frames, params["prepare"]["revenue_max"])
    write_csv(LABELLED, kept)
    write_csv(EXCLUDED, prepare.excluded_table(export, excluded))
    write_csv(PROFIT, profit)
    write_json(DATA_QUALITY_METRICS, prepare.quality_record(export, kept, excluded))


if __name__ == "__main__":
    run(main)
