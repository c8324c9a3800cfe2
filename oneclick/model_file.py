"""Save and load a fitted pipeline with the versions it was made with."""

from pathlib import Path

import sklearn

import oneclick
from oneclick.errors import DataError
from oneclick.io import read_pickle, write_pickle


def save_model(path, pipeline, name: str, fit_rows: int | None = None, rows: int | None = None,
               part: str | None = None) -> None:
    """`fit_rows`: the most rows a refit may use (the model's `search.subsample`); `rows`: the labelled
    customers this pipeline was fitted on, from `part` (train, or labelled: every labelled customer)."""
    write_pickle(path, {
        "pipeline": pipeline,
        "model": name,
        "fit_rows": fit_rows,
        "rows": rows,
        "part": part,
        "sklearn_version": sklearn.__version__,
        "package_version": oneclick.__version__,
    })


def load_model(path) -> dict:
    """The saved dict; a clear error for a missing file or one from other versions."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: model file not found; run `dvc repro` to train it")
    try:
        saved = read_pickle(path)
    except Exception as err:  # any unpickling failure means the file is not ours or not compatible
        raise DataError(f"{path}: cannot be loaded ({type(err).__name__}: {err}); "
                        "re-train with `dvc repro`") from None
    if not isinstance(saved, dict) or "pipeline" not in saved:
        raise DataError(f"{path}: not a model file written by this project; re-train with `dvc repro`")
    if saved.get("sklearn_version") != sklearn.__version__:
        raise DataError(f"{path}: made with scikit-learn {saved.get('sklearn_version')}, "
                        f"this is {sklearn.__version__}; re-train with `dvc repro`")
    return saved
