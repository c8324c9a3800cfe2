"""Deterministic, atomic writers: an output is either complete or absent."""

import json
import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from oneclick.common.errors import DataError

_UMASK = os.umask(0)
os.umask(_UMASK)

# Significant digits of a float that an iterative fit returns (a calibrator's sigmoid, by L-BFGS): its last bits
# follow the CPU's code paths (numpy's SIMD, OpenBLAS's kernels), 12 digits do not, so a file that holds it is the
# same on every machine.
SIGNIFICANT = 12


def significant(value: float, digits: int = SIGNIFICANT) -> float:
    """`value` rounded to `digits` significant digits (a numpy float stays one)."""
    return type(value)(float(f"{value:.{digits}g}"))


@contextmanager
def atomic_paths(*paths):
    """Yield temporary paths next to `paths`; move them all into place only when every one was written, so a set
    of outputs that belong together is complete or absent."""
    targets, temporaries = [Path(p) for p in paths], []
    folders = [str(path) for path in targets if path.is_dir()]
    if folders:  # the one way a move into place fails after its temporary was written
        raise DataError(f"{', '.join(folders)}: a folder where an output file goes; nothing written")
    try:
        for path in targets:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            os.close(fd)
            temporaries.append(Path(tmp))
        yield temporaries
        for tmp, path in zip(temporaries, targets, strict=True):
            os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes files owner-only; outputs get the usual mode
            os.replace(tmp, path)
    finally:
        for tmp in temporaries:
            if os.path.exists(tmp):
                os.remove(tmp)


@contextmanager
def atomic_path(path):
    """Yield a temporary path next to `path`; move it into place only on success."""
    with atomic_paths(path) as (tmp,):
        yield tmp


def _finite(obj):
    """Replace non-finite floats by None so the JSON stays valid (no Infinity/NaN)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if hasattr(obj, "item"):  # numpy scalar
        return _finite(obj.item())
    return obj


def write_json(path, obj):
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(_finite(obj), indent=2, ensure_ascii=False, allow_nan=False) + "\n",
                       encoding="utf-8")


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_json_file(path, fix: str = "run `dvc repro`"):
    """A JSON file made elsewhere (data: reading it runs nothing), or one error naming it when it is not JSON."""
    try:
        return read_json(path)
    except ValueError as err:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise DataError(f"{path}: not a JSON file ({type(err).__name__}: {err}); {fix}") from None


def write_csv(path, df: pd.DataFrame, **kwargs):
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, lineterminator="\n", **kwargs)


def write_text(path, text: str, newline="\n"):
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline=newline) as f:
            f.write(text)


def write_bytes(path, data: bytes):
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
