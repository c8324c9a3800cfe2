"""Helpers for checking params.yaml: every error names the key, and an unknown key the valid ones and the closest;
and `real`, the number test of the files made elsewhere that the project reads (model folders, metrics JSON).

Each module that reads a section of params.yaml checks it with these (its `check_params`), and each stage runs
the checks of the sections it reads before any work (oneclick/params.py loads the file).
"""

import difflib
import math
import re

from oneclick.common.errors import ParamsError

# a campaign's or an export's name: a params key `dvc exp run -S` can address (Hydra) and part of a stage name
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
NAME_RULE = "a letter, then letters, digits, '_' or '-'"
SEED = 2**32 - 1


class Names(dict):
    """A mapping whose keys are names the user chooses (models, offers, campaigns, exports), each entry checked
    against the schema given."""

    def __init__(self, entry):
        super().__init__()
        self.entry = entry


def unknown_names(unknown, known, what: str) -> str:
    """'... {what} ['a', 'b']; did you mean 'x'?' for names not in `known`."""
    known = sorted(map(str, known))
    close = [match for name in unknown for match in difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)]
    hint = f"; did you mean {', '.join(repr(c) for c in dict.fromkeys(close))}?" if close else ""
    return f"{what} {known}{hint}"


def check_keys(node, schema, key: str = "") -> None:
    """Every key of `node` is one `schema` knows, recursively; an unknown one names the valid ones and the closest.

    A set lists leaves; a dict maps a key to the schema of its value (None: checked by the caller, like a
    model's args or an eligibility rule); Names: free names, each with this schema."""
    if schema is None or not isinstance(node, dict):
        return
    if isinstance(schema, Names):
        for name, value in node.items():
            check_keys(value, schema.entry, f"{key}.{name}")
        return
    known = schema if isinstance(schema, (set, frozenset)) else set(schema)
    unknown = [k for k in node if k not in known]
    where = key.lstrip(".") or "the top level"
    require(not unknown, f"{key.lstrip('.')}.{unknown[0]}".lstrip(".") if unknown else where,
            "is not a known key; " + unknown_names(unknown, known, f"{where} takes") if unknown else "")
    if isinstance(schema, dict):
        for name, value in node.items():
            check_keys(value, schema[name], f"{key}.{name}")


def section(params: dict, name: str, schema) -> dict:
    """The section `name` of params, a mapping whose keys `schema` knows."""
    node = get(params, name)
    require(isinstance(node, dict), name, "must be a mapping")
    check_keys(node, schema, name)
    return node


def get(params: dict, key: str):
    """`get(params, "split.test_size")`, with an error naming the missing key."""
    node = params
    for part in key.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            continue
        if not isinstance(node, dict) or part not in node:
            raise ParamsError(f"params.yaml: missing key '{key}'")
        node = node[part]
    return node


def require(ok: bool, key: str, message: str) -> None:
    if not ok:
        raise ParamsError(f"params.yaml: '{key}' {message}")


def number(params, key, low, high, integer=False) -> None:
    value = get(params, key)
    kind = int if integer else (int, float)
    require(isinstance(value, kind) and not isinstance(value, bool) and low <= value <= high,
            key, f"must be a{'n integer' if integer else ' number'} in [{low}, {high}], got {value!r}")


def text(params, key) -> None:
    require(isinstance(get(params, key), str) and get(params, key).strip(), key, "must be a non-empty text")


def named_folders(params, key: str, what: str) -> None:
    """`key` maps names (NAME) of `what` to folder paths, or is {}: `readout.campaigns`, `monitor.exports`."""
    folders = get(params, key)
    require(isinstance(folders, dict), key, f"must map {what} names to folders (or be {{}})")
    for name, folder in folders.items():
        require(isinstance(folder, str) and NAME.match(str(name)) is not None, f"{key}.{name}",
                f"must be a folder path, under a name of {NAME_RULE}")


def real(value, low: float = -math.inf, high: float = math.inf) -> bool:
    """Is a value read from a file a finite number in [low, high] (a bool is not one)?"""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) \
        and low <= value <= high
