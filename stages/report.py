"""Stage report: reports/report.md and the production model's card, from the outputs of the stages before it.

The card lies next to the model file (models/production/), so the model registry hands both over.
"""

from pathlib import Path

from oneclick import model_card
from oneclick.cli import run
from oneclick.io import write_csv, write_text
from oneclick.model_file import metadata
from oneclick.params import load_params
from oneclick.report import load_inputs, monitor_table, render
from oneclick.selection import PRODUCTION_MODEL

PRODUCTION = Path(PRODUCTION_MODEL)


def main():
    params = load_params(check_estimators=False)
    inputs = load_inputs(campaigns=params["readout"]["campaigns"], exports=params["monitor"]["exports"])
    raw_dir = params["data"]["raw_dir"]
    card = model_card.render(metadata(PRODUCTION), inputs["production"], inputs["test"], inputs["explain"],
                             inputs["quality"], raw_dir, model_card.dvc_dir_hash(raw_dir),
                             params["report"]["top_features"], inputs["calibration_production"], inputs["monitors"])
    write_text("reports/report.md", render(inputs, params))
    write_csv("plots/monitor.csv", monitor_table(inputs["monitors"]))
    write_text(PRODUCTION.parent / "MODEL_CARD.md", card)


if __name__ == "__main__":
    run(main)
