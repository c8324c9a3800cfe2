"""The front page and the docs say what is true: the commands and modules they name exist, every link resolves,
what they say is in git is; the data dictionary names every column; the PR workflow posts the review."""

import ast
import importlib.util
import io
import re
import subprocess
import tokenize

from conftest import ROOT

from oneclick.campaign.new_customers import OUTPUT_COLUMNS
from oneclick.campaign.plan import COLUMNS
from oneclick.data.columns import RAW_FILES, WIDE_COLUMNS
from oneclick.data.load import QUARANTINE


def test_data_dictionary_lists_every_column():
    page = (ROOT / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    for raw_file in RAW_FILES:
        for column in raw_file.columns:
            assert f"| {column.raw} | `{column.name}` |" in page, column.name
    for name in WIDE_COLUMNS:
        assert f"`{name}`" in page


def test_the_output_dictionary_lists_every_column_with_its_meaning():
    """docs/outputs.md: each contact list's columns in the order they are written, each with a meaning, and every
    money column in thousand roubles."""
    page = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", page, re.M | re.S))
    for title, columns in (("data/campaign.csv", COLUMNS), ("scores.csv (predict)", OUTPUT_COLUMNS),
                           ("scores_excluded.csv (predict)", QUARANTINE)):
        rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (.*?) \|$", sections[title], re.M)
        assert [name for name, _, _ in rows] == list(columns), title
        assert all(meaning.strip() for _, meaning, _ in rows), title
        for name, _, unit in rows:
            if name in ("value_at_stake", "offer_cost", "expected_profit"):
                assert unit == "thousand roubles", (title, name, unit)
            if name == "profit":
                assert unit == "thousand roubles a month", (title, name, unit)


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


PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_the_readme_is_a_front_page():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250
    order = [i for i, line in enumerate(lines) if line.startswith("## ")]
    headings = [lines[i] for i in order]
    assert headings[:5] == ["## Quickstart", "## Your own data", "## The daily loop", "## Layout", "## Reference"]


def test_every_make_target_and_module_named_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w-]+):", makefile, re.M))
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"(?<![\w/.-])make ([a-z][\w-]*)", text):
            assert target in targets, f"{page.name}: `make {target}` is not a Makefile target"
        for module in set(re.findall(r"python -m ([\w.]+)", text)):
            assert importlib.util.find_spec(module) is not None, f"{page.name}: `python -m {module}` does not exist"


def test_every_link_resolves():
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for link in re.findall(r"\]\(([^)\s]+)\)", text):
            if link.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = link.partition("#")
            target = (page.parent / path).resolve() if path else page
            assert target.exists(), f"{page.name}: link {link} points at nothing"
            if anchor and target.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", target.read_text(encoding="utf-8"), re.M)
                assert anchor in {slug(h) for h in headings}, f"{page.name}: no heading for #{anchor} in {path}"


def test_what_the_docs_say_is_in_git_is():
    """The table of docs/team.md: each path of a `git` row has tracked files, each of a `DVC remote` row none."""
    table = (ROOT / "docs" / "team.md").read_text(encoding="utf-8").split("## What goes where")[1]
    rows = re.findall(r"^\| (.+) \| (git|DVC remote) \|$", table, re.M)
    assert len(rows) >= 8
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    tracked = tracked.splitlines()
    for paths, where in rows:
        for path in re.findall(r"`([^`]+)`", paths):
            if "<name>" in path:  # a pattern: checked on the pointer files and data folders that exist
                continue
            prefix = path.rstrip("/")
            inside = [f for f in tracked if f == prefix or f.startswith(prefix + "/")]
            if where == "git":
                assert inside, f"docs/team.md says {path} is in git; git tracks nothing there"
            else:
                assert not [f for f in inside if not f.endswith("README.md")], \
                    f"docs/team.md says {path} goes to the DVC remote; git tracks {inside[:3]}"


# `README "Section"`, `README section "Section"`, `docs/team.md "Section"` (a colon after the page allowed)
SECTION_REFERENCE = re.compile(r'(README|(?:docs/)?\w+\.md)(?: section)?:? "([^"]+)"')
# where such references are written: the repository's configuration, the docs and the code's strings and comments
REFERRING = ["params.yaml", "dvc.yaml", "Makefile", "requirements-s3.txt", ".github/workflows/review.yml",
             "README.md", "docs/*.md", "oneclick/**/*.py", "stages/*.py", "tools/*.py"]


def texts(path) -> list[str]:
    """A file's text; for Python, its string constants (adjacent literals joined, as Python joins them) and its
    comments, so that a reference split over two literals is read whole."""
    source = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return [source]
    strings = [node.value for node in ast.walk(ast.parse(source))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    comments = [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.COMMENT]
    return strings + comments


def section_references() -> list[tuple[str, str, str]]:
    """(file, page, section) of every section reference in the REFERRING files."""
    found = []
    for pattern in REFERRING:
        for path in sorted(ROOT.glob(pattern)):
            for text in texts(path):
                for page, section in SECTION_REFERENCE.findall(" ".join(text.split())):  # across line breaks
                    found.append((str(path.relative_to(ROOT)), page, section))
    return found


def test_every_section_referred_to_exists():
    """A reference to a section of the README (or of a docs page) by its heading names a heading that exists: the
    README's sections move to docs/ as it stays a front page, and a reference left behind points at nothing."""
    references = section_references()
    assert {"Makefile", "params.yaml", "oneclick/predict.py"} <= {file for file, _, _ in references}  # all read
    for file, page, section in references:
        target = ROOT / ("README.md" if page.startswith("README") else page if "/" in page else f"docs/{page}")
        assert target.is_file(), f"{file}: {page} is not a page"
        headings = {h.strip().lower() for h in re.findall(r"^#+ (.+)$", target.read_text(encoding="utf-8"), re.M)}
        assert section.lower() in headings, f'{file}: {page} "{section}" is not a section of {target.name}'
