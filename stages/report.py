"""Stage report: reports/report.md from the outputs of the stages before it."""

from oneclick.cli import run
from oneclick.io import write_text
from oneclick.params import load_params
from oneclick.report import load_inputs, render


def main():
    params = load_params(check_estimators=False)
    inputs = load_inputs()
    write_text("reports/report.md", render(inputs, params["report"]["top_features"],
                                           params["segment"]["profile_top"]))


if __name__ == "__main__":
    run(main)
