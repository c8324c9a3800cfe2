"""The offline page of `dvc plots show` and `dvc plots diff`: vega, vega-lite and vega-embed inlined; and the
confusion template that reads counts.

DVC's own page loads those three from a CDN, so with no network (or behind a company proxy) it shows the
images and blank space where the curves should be. `.dvc/config` points `plots.html_template` at the page
this writes. The JavaScript is the bundle of the pinned vl-convert-python (the Altair team's converter, also
what renders the review's images), so the page and the images draw with the same Vega versions. After
changing that pin, rebuild it with `make plots-template`; a test fails while it is stale.

`plots/confusion.csv` holds one row per cell (actual, predicted, customers), not one per test customer (a
quarter of a million rows on a million customers, all of them in the page). `confusion_counts` is DVC's own
`confusion` template that sums `customers` instead of counting rows, written to `.dvc/plots/`, where
dvc.yaml's `template: confusion_counts` finds it.
"""

import argparse
import copy
import json
import sys
from pathlib import Path

TEMPLATE = Path(".dvc/plots_template.html")  # `plots.html_template` in .dvc/config is relative to .dvc
CONFUSION = Path(".dvc/plots/confusion_counts.json")
VL_VERSION = "5.21"  # DVC's plot templates are Vega-Lite 5 specs

# DVC puts one `vegaEmbed('#id', spec)` call per plot into {plot_divs}; the wrapper draws SVG (sharp, and
# countable by the browser test) and keeps the action menu's export items, which work offline.
WRAPPER = """
const embed = window.vegaEmbed;
window.vegaEmbed = (el, spec, opts) => embed(el, spec, Object.assign({renderer: "svg"}, opts))
  .catch((error) => console.error(`${el}: ${error}`));
"""

PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
{refresh_tag}
<title>DVC plots</title>
<!-- vega {vega}, vega-lite {vega_lite}, vega-embed {vega_embed}: the bundle of vl-convert-python {vl_convert},
     written by tools/plots_template.py (`make plots-template`); no network needed -->
<script>
(function () {
{bundle}
{wrapper}
})();
</script>
<style>
body { font-family: sans-serif; }
table { border-spacing: 15px; }
</style>
</head>
<body>
{plot_divs}
</body>
</html>
"""


def page() -> str:
    """The template's text; DVC fills in {plot_divs} and {refresh_tag}."""
    from importlib.metadata import version

    import vl_convert as vlc

    bundle = vlc.javascript_bundle(vl_version=VL_VERSION)
    for placeholder in ("{plot_divs}", "{scripts}", "{refresh_tag}", "</script"):
        if placeholder in bundle:  # DVC would fill it in, or the browser would end the script there
            raise SystemExit(f"error: the vl-convert bundle contains {placeholder!r}; the template cannot inline it")
    fields = {"vega": vlc.get_vega_version(), "vega_lite": VL_VERSION, "vega_embed": vlc.get_vega_embed_version(),
              "vl_convert": version("vl-convert-python"), "wrapper": WRAPPER.strip(), "bundle": bundle}
    text = PAGE
    for key, value in fields.items():  # not str.format: the page keeps DVC's own {placeholders}; bundle last
        text = text.replace("{" + key + "}", value)
    return text


def confusion_counts() -> str:
    """DVC's `confusion` template, its cells summing the data's `customers` column instead of counting rows."""
    from dvc_render.vega_templates import ConfusionTemplate

    spec = copy.deepcopy(ConfusionTemplate.DEFAULT_CONTENT)
    count = {"aggregate": [{"op": "count", "as": "xy_count"}], "groupby": ["<DVC_METRIC_Y>", "<DVC_METRIC_X>"]}
    if spec["spec"]["transform"][0] != count:
        raise SystemExit("error: DVC's confusion template no longer starts with the count this one replaces")
    spec["spec"]["transform"][0]["aggregate"] = [{"op": "sum", "field": "customers", "as": "xy_count"}]
    return json.dumps(spec, indent=2) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=TEMPLATE)
    args = parser.parse_args(argv)
    args.output.write_text(page(), encoding="utf-8")
    CONFUSION.parent.mkdir(exist_ok=True)
    CONFUSION.write_text(confusion_counts(), encoding="utf-8")
    print(f"wrote {args.output} and {CONFUSION}", file=sys.stderr)


if __name__ == "__main__":
    main()
