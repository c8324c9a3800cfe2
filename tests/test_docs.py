"""The data dictionary page names every column the code knows; the PR workflow posts the review."""

from conftest import ROOT

from oneclick.columns import RAW_FILES, WIDE_COLUMNS


def test_data_dictionary_lists_every_column():
    page = (ROOT / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    for raw_file in RAW_FILES:
        for column in raw_file.columns:
            assert f"| {column.raw} | `{column.name}` |" in page, column.name
    for name in WIDE_COLUMNS:
        assert f"`{name}`" in page


def test_pull_request_comment_is_the_review():
    """The workflow posts reports/review.md (which opens with the verdict: test_pipeline.py) after making it."""
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "review.yml").read_text(encoding="utf-8"))
    runs = [step.get("run", "") for step in workflow["jobs"]["review"]["steps"]]
    made = next(i for i, cmd in enumerate(runs) if cmd.startswith("make review"))
    posted = next(i for i, cmd in enumerate(runs) if cmd.startswith("cml comment"))
    assert made < posted and runs[posted].endswith("reports/review.md")


def test_pull_request_without_remote_credentials_falls_back_to_the_synthetic_data(tmp_path):
    """The workflow's fallback step, run on a params.yaml that points at an imported export."""
    import subprocess

    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "review.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["review"]["steps"]
    fallback = next(s for s in steps if s.get("if") == "env.AWS_ACCESS_KEY_ID == ''")
    pull = next(s for s in steps if s.get("if") == "env.AWS_ACCESS_KEY_ID != ''")
    assert "dvc pull" in pull["run"] and "requirements-s3.txt" in pull["run"]
    assert set(workflow["jobs"]["review"]["env"]) >= {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    params = tmp_path / "params.yaml"
    text = (ROOT / "params.yaml").read_text(encoding="utf-8")
    params.write_text(text.replace("raw_dir: data/synthetic", "raw_dir: data/raw/market"), encoding="utf-8")
    subprocess.run(["bash", "-c", fallback["run"]], cwd=tmp_path, check=True)
    assert yaml.safe_load(params.read_text(encoding="utf-8"))["data"]["raw_dir"] == "data/synthetic"
