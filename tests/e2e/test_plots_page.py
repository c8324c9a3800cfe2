"""The plots pages as a reviewer sees them: each plot once, drawn offline in a real browser (Debian's chromium).

The pages are made from the committed plot files (cache: false outputs), so no pipeline run is needed. The
browser test is skipped, saying why, where chromium is missing; `.ci/run` installs it.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from tools.plots_template import CONFUSION, TEMPLATE, confusion_counts, page
from tools.sandbox import env, make_sandbox, run

pytestmark = pytest.mark.e2e

# Debian's chromium here and in .ci/run; Google Chrome on GitHub's runners
CHROMIUM = next((Path(p) for p in map(shutil.which, ("chromium", "google-chrome")) if p), None)
# flags for a machine with no network: without the background ones chromium keeps trying to reach Google
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = ROOT / "reports" / "plots_page.png"  # git-ignored, for people to look at


def dvc(*args, cwd=ROOT) -> str:
    return subprocess.run(["dvc", *args], cwd=cwd, env=env(), capture_output=True, text=True, check=True).stdout


def top_level_plots() -> dict:
    """dvc.yaml's top-level plots with a data file: title -> the files it draws."""
    plots = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["plots"]
    return {title: set(spec["y"]) for entry in plots if isinstance(entry, dict) for title, spec in entry.items()}


def test_each_data_plot_is_drawn_once_under_its_title(tmp_path):
    shown = json.loads(dvc("plots", "show", "--json", "-o", str(tmp_path)))["data"]  # -o: where images go
    vega = sorted(title for title, entries in shown.items() if any(e["type"] == "vega" for e in entries))
    definitions = top_level_plots()
    assert vega == sorted(definitions)  # no second copy under a file name with the default template
    files = [f for drawn in definitions.values() for f in drawn]
    assert len(files) == len(set(files))  # each file in exactly one plot


def test_committed_template_is_the_one_the_pinned_bundle_makes():
    assert (ROOT / TEMPLATE).read_text(encoding="utf-8") == page(), \
        "stale: run `make plots-template` after changing vl-convert-python"
    config = (ROOT / ".dvc" / "config").read_text(encoding="utf-8")
    assert f"html_template = {TEMPLATE.name}" in config and "{plot_divs}" in page()
    assert "cdn." not in page() and "https://" not in page().split("<script>")[0]
    assert (ROOT / CONFUSION).read_text(encoding="utf-8") == confusion_counts(), "stale: run `make plots-template`"


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no chromium on PATH: `apt-get install chromium` (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def draw(browser, html: Path, screenshot: Path | None = None) -> dict:
    """Open a page with the network blocked; wait until every Vega view has rendered; what was drawn."""
    page_ = browser.new_page(viewport={"width": 1400, "height": 900})
    errors, remote = [], []
    page_.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page_.on("pageerror", lambda e: errors.append(str(e)))
    page_.route("**/*", lambda route: (remote.append(route.request.url), route.abort())
                if not route.request.url.startswith(("file:", "data:", "blob:")) else route.continue_())
    calls = html.read_text(encoding="utf-8").count("vegaEmbed('#")
    page_.goto(html.as_uri())
    page_.wait_for_function(f"document.querySelectorAll('.vega-embed svg.marks').length >= {calls}",
                            timeout=30_000)
    # per view: the data marks drawn (children of Vega's role-mark groups), and the lines among them
    views = page_.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.vega-embed')].map(
        v => [v.id, v.querySelectorAll('svg.marks g.role-mark > *').length]))""")
    lines = page_.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.vega-embed')].map(
        v => [v.id, v.querySelectorAll('svg.marks g.mark-line.role-mark > path').length]))""")
    images = page_.evaluate("() => [...document.images].map(i => [i.getAttribute('src'), i.naturalWidth])")
    if screenshot:
        page_.screenshot(path=str(screenshot), full_page=True)
    page_.close()
    return {"calls": calls, "views": views, "lines": lines, "images": images, "errors": errors, "remote": remote}


def check_drawn(drawn: dict) -> None:
    assert drawn["calls"] == len(drawn["views"]) == len(top_level_plots()), drawn["views"]
    empty = [view for view, marks in drawn["views"].items() if marks == 0]
    assert not empty, f"views with no marks: {empty}"
    assert drawn["images"] and all(width > 0 for _, width in drawn["images"]), drawn["images"]
    assert drawn["errors"] == [] and drawn["remote"] == []


def test_plots_page_draws_every_plot_offline(browser, tmp_path):
    dvc("plots", "show", "-o", str(tmp_path / "show"))
    SCREENSHOT.parent.mkdir(exist_ok=True)
    drawn = draw(browser, tmp_path / "show" / "index.html", SCREENSHOT)
    check_drawn(drawn)
    assert drawn["lines"]["ROC_curve__test_part_"] == 1


def test_diff_page_draws_both_revisions_offline(browser, tmp_path):
    """A scratch repo of this tree with its plot files committed, then a different ROC curve in the workspace."""
    repo = make_sandbox(tmp_path / "repo")
    shutil.copytree(ROOT / "plots", repo / "plots")
    run(["git", "init", "-q", "-b", "main"], repo)
    run(["git", "add", "-A"], repo)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "plots"], repo)
    roc = json.loads((repo / "plots" / "roc.json").read_text(encoding="utf-8"))
    (repo / "plots" / "roc.json").write_text(json.dumps([{**p, "tpr": p["fpr"]} for p in roc]), encoding="utf-8")
    dvc("plots", "diff", "HEAD", "-o", str(tmp_path / "diff"), cwd=repo)
    drawn = draw(browser, tmp_path / "diff" / "index.html")
    check_drawn(drawn)
    assert drawn["lines"]["ROC_curve__test_part_"] == 2  # one line per revision

