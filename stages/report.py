"""Stage report: reports/report.md and the production model's card, from the outputs of the stages before it.

The card lies next to the model file (models/production/), so the model registry hands both over. The report
lists the campaigns of `readout.campaigns` and the exports of `monitor.exports`, whose stages check their entries.
"""

from oneclick.common import paths
from oneclick.common.checks import named_folders
from oneclick.common.cli import run
from oneclick.common.io import write_csv, write_text
from oneclick.data import source
from oneclick.insight import segments
from oneclick.model.model_file import metadata
from oneclick.params import load_params
from oneclick.report import model_card, report


def check_lists(params: dict) -> None:
    named_folders(params, "readout.campaigns", "campaign")
    named_folders(params, "monitor.exports", "export")


def main():
    params = load_params(source.check_params, segments.check_params, report.check_params, check_lists)
    inputs = report.load_inputs(campaigns=params["readout"]["campaigns"], exports=params["monitor"]["exports"])
    raw_dir = params["data"]["raw_dir"]
    card = model_card.render(metadata(paths.PRODUCTION_MODEL), inputs["production"], inputs["test"],
                             inputs["explain"], inputs["quality"], raw_dir, source.dvc_dir_hash(raw_dir),
                             params["report"]["top_features"], inputs["calibration_production"], inputs["monitors"])
    write_text(paths.REPORT, report.render(inputs, params))
    write_csv(paths.MONITOR_PLOT, report.monitor_table(inputs["monitors"]))
    write_text(paths.MODEL_CARD, card)


if __name__ == "__main__":
    run(main)
