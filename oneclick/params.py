"""Read params.yaml safely and check its sections' names; each stage then checks the sections it reads.

The checks of a section live with the code that reads it (`check_params` of oneclick/data/prepare.py,
oneclick/campaign/offers.py, ...), so a stage depends only on the code it runs: `load_params(check, ...)` runs
the checks given, before any work.
"""

from pathlib import Path

import yaml

from oneclick.common.checks import check_keys, require
from oneclick.common.errors import ParamsError

SECTIONS = ("data", "synthesize", "prepare", "split", "features", "cv", "models", "select", "evaluate", "segment",
            "calibrate", "campaign", "readout", "simulate", "monitor", "report", "explain", "eda", "correlate")


def check_sections(params) -> None:
    """params is a mapping of the known sections (each section's own keys are its checks' business)."""
    require(isinstance(params, dict), "<root>", "must be a mapping")
    check_keys(params, dict.fromkeys(SECTIONS))


def load_params(*checks, path="params.yaml") -> dict:
    """The params of `path`, its top-level keys known, each of `checks` (a function of the params) passed."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: file not found (run from the repository root)")
    try:
        params = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:  # a safe load: reading runs nothing the file holds
        raise ParamsError(f"{path}: not a YAML file of params ({' '.join(str(err).split())})") from None
    try:
        check_sections(params)
        for check in checks:
            check(params)
    except ParamsError as err:  # the checks say params.yaml: name the file read when it is another
        prefix = "params.yaml:"
        if str(path) == "params.yaml" or not str(err).startswith(prefix):
            raise
        raise ParamsError(f"{path}:{str(err)[len(prefix):]}") from None
    return params
