"""The code-review summary of an experiment: params, metrics and plots against a base revision.

`make review BASE=main` writes reports/review.md; the pull-request workflow
posts that file as a comment (CML uploads the images it links).
"""

import argparse
import subprocess
import sys
from pathlib import Path

IMAGE_SUFFIXES = (".png", ".svg", ".jpg")


def dvc(*args: str) -> str:
    result = subprocess.run(["dvc", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"error: dvc {' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout.strip()


def review_markdown(base: str, plots_dir: Path, out_dir: Path) -> str:
    """Markdown with the params and metrics diffs and the plots of both sides."""
    params = dvc("params", "diff", base, "--md")
    metrics = dvc("metrics", "diff", base, "--md", "--precision", "4")
    plots_dir.mkdir(parents=True, exist_ok=True)  # dvc plots diff does not create it
    dvc("plots", "diff", base, "-o", str(plots_dir))
    lines = [
        f"# Experiment review: workspace vs `{base}`",
        "",
        "## Params changed",
        "",
        params or "No params changed.",
        "",
        "## Metrics changed",
        "",
        metrics or "No metrics changed.",
        "",
        "## Plots",
        "",
        f"All plots of both sides: `{plots_dir / 'index.html'}` (`dvc plots diff {base}`).",
        "",
    ]
    images = sorted(p for p in (plots_dir / "static").glob("*") if p.suffix in IMAGE_SUFFIXES) \
        if (plots_dir / "static").is_dir() else []
    for image in images:
        lines += [f"![{image.name}]({image.relative_to(out_dir).as_posix()})", ""]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="git revision to compare with (default: main)")
    parser.add_argument("--output", default="reports/review.md", type=Path)
    args = parser.parse_args(argv)
    out_dir = args.output.parent
    text = review_markdown(args.base, out_dir / "review_plots", out_dir)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
