"""Which export a run reads (params `data.raw_dir`): its folder, whether it is the synthetic store, its DVC hash."""

import hashlib
import json
from pathlib import Path

from oneclick.common.checks import get, require, section
from oneclick.common.paths import SYNTHETIC


def check_params(params: dict) -> None:
    section(params, "data", {"raw_dir"})
    require(isinstance(get(params, "data.raw_dir"), str), "data.raw_dir", "must be a folder path")


def is_synthetic(raw_dir: str) -> bool:
    return raw_dir.rstrip("/") == SYNTHETIC


def dvc_dir_hash(folder) -> str:
    """DVC 3's md5 of a directory (the `.dir` hash dvc.lock records for it): md5 of the sorted JSON list
    of its files' md5 and relative paths."""
    folder = Path(folder)
    entries = sorted(({"md5": hashlib.md5(p.read_bytes()).hexdigest(), "relpath": p.relative_to(folder).as_posix()}
                      for p in folder.rglob("*") if p.is_file()), key=lambda e: e["relpath"])
    return hashlib.md5(json.dumps(entries, sort_keys=True).encode("utf-8")).hexdigest() + ".dir"


def data_source(raw_dir: str) -> dict:
    """What a model was fitted on: the raw folder, whether it is the synthetic store, and its DVC hash."""
    return {"raw_dir": raw_dir, "synthetic": is_synthetic(raw_dir), "dvc_hash": dvc_dir_hash(raw_dir)}
