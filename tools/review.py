"""The code-review summary of an experiment against a base revision: verdict, params, metrics, changed plots.

`make review BASE=main` writes reports/review.md; the pull-request workflow posts that file as a comment
(CML uploads the images it links). It opens with the verdict (tools/verdict.py): is the selected model
better, worse, or not detectably different, with paired 95 % intervals.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from oneclick.common.paths import CAMPAIGN_METRICS, TEST_METRICS
from oneclick.markdown import table_lines
from tools.verdict import read, verdict_section

IMAGE_SUFFIXES = (".png", ".svg", ".jpg")
# the figures a review reads first: the test ROC-AUC of the selected model, the plan's expected profit and its
# expected maximum profit per 1000 test customers
HEADLINE = [(TEST_METRICS, "roc_auc"), (CAMPAIGN_METRICS, "expected_profit"), (CAMPAIGN_METRICS, "test.emp_per_1000")]


def dvc(*args: str, cwd: Path = Path(".")) -> str:
    result = subprocess.run(["dvc", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"error: dvc {' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout.strip()


def _value(v) -> str:
    if v is None:
        return "—"
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def metrics_table(diff: dict) -> list[str]:
    """`dvc metrics diff --json` as one table: the HEADLINE figures first, then the rest by file and metric."""
    changed = sorted((path, name) for path, metrics in diff.items() for name in metrics)
    order = [key for key in HEADLINE if key in changed] + [key for key in changed if key not in HEADLINE]
    rows = []
    for path, name in order:
        m = diff[path][name]
        rows.append([f"`{path}`", f"**{name}**" if (path, name) in HEADLINE else name, _value(m.get("old")),
                     _value(m.get("new")), f"{m['diff']:+.4f}" if isinstance(m.get("diff"), (int, float)) else ""])
    return table_lines(["file", "metric", "base", "head", "change"], rows)


def metrics_section(base: str) -> list[str]:
    """`dvc metrics diff` against `base`, as metrics_table."""
    diff = json.loads(dvc("metrics", "diff", base, "--json") or "{}")
    return [*metrics_table(diff), ""] if diff else ["No metrics changed.", ""]


def curves_section(base: str, out_dir: Path) -> list[str]:
    """Every data plot (ROC, PR, calibration, confusion, importance, segments) with both revisions overlaid,
    drawn to PNG without a browser by vl-convert, so that the pull-request comment shows them."""
    import vl_convert as vlc

    from tools.plots_template import VL_VERSION

    curves_dir = out_dir / "review_plots" / "curves"
    shown = json.loads(dvc("plots", "diff", base, "--json", "-o", str(curves_dir.parent)))["data"]
    shutil.rmtree(curves_dir, ignore_errors=True)
    curves_dir.mkdir(parents=True)
    out = []
    for title, entries in shown.items():
        for entry in (e for e in entries if e["type"] == "vega"):
            file = curves_dir / (re.sub(r"[^0-9A-Za-z]+", "_", title).strip("_").lower() + ".png")
            file.write_bytes(vlc.vegalite_to_png(entry["content"], vl_version=VL_VERSION))
            out += [f"![{title}]({file.relative_to(out_dir).as_posix()})", ""]
    return out


def images_section(base: str, out_dir: Path) -> list[str]:
    """The plot images whose bytes differ from the base (both sides), and one line naming the unchanged ones."""
    images = sorted(p.as_posix() for p in Path("plots").rglob("*") if p.suffix in IMAGE_SUFFIXES)
    changed_dir = out_dir / "review_plots" / "changed"
    shutil.rmtree(changed_dir, ignore_errors=True)
    unchanged, out = [], []
    for path in images:
        old, new = read(base, path), Path(path).read_bytes()
        if old == new:
            unchanged.append(path)
            continue
        out += [f"### `{path}`", ""]
        for side, data in (("base", old), ("head", new)):
            if data is None:
                out.append(f"{side}: no such image")
                continue
            copy = changed_dir / side / path
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data)
            out.append(f"![{side}: {path}]({copy.relative_to(out_dir).as_posix()})")
        out.append("")
    out = (["Images that changed:", "", *out] if out else ["No image changed.", ""])
    if unchanged:
        out += [f"Unchanged images ({len(unchanged)}): " + ", ".join(f"`{p}`" for p in unchanged) + ".", ""]
    return out


def review_markdown(base: str, out_dir: Path) -> str:
    params = dvc("params", "diff", base, "--md")
    plots_dir = out_dir / "review_plots"
    plots_dir.mkdir(parents=True, exist_ok=True)  # dvc plots diff does not create it
    dvc("plots", "diff", base, "-o", str(plots_dir))
    lines = [
        f"# Experiment review: workspace vs `{base}`", "",
        *verdict_section(base, None),
        "## Params changed", "",
        params or "No params changed.", "",
        "## Metrics changed", "",
        *metrics_section(base),
        "## Plots", "",
        f"Every plot of both sides, interactive and offline: `{plots_dir / 'index.html'}` "
        f"(`dvc plots diff {base}`). The data plots, `{base}` and workspace overlaid:", "",
        *curves_section(base, out_dir),
        *images_section(base, out_dir),
    ]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="git revision to compare with (default: main)")
    parser.add_argument("--output", default="reports/review.md", type=Path)
    args = parser.parse_args(argv)
    text = review_markdown(args.base, args.output.parent)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
