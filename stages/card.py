"""Stage card: the production model's card, next to the model file (the registry hands both over)."""

from pathlib import Path

from oneclick.cli import run
from oneclick.io import read_json, write_text
from oneclick.model_card import dvc_dir_hash, render
from oneclick.model_file import metadata
from oneclick.params import load_params

MODEL = Path("models/production/model.skops")


def main():
    params = load_params(check_estimators=False)
    raw_dir = params["data"]["raw_dir"]
    text = render(metadata(MODEL), read_json("metrics/production.json"), read_json("metrics/test.json"),
                  read_json("metrics/explain.json"), read_json("metrics/data_quality.json"), raw_dir,
                  dvc_dir_hash(raw_dir), params["report"]["top_features"])
    write_text(MODEL.parent / "MODEL_CARD.md", text)


if __name__ == "__main__":
    run(main)
