"""The one place that writes and reads model files: skops.io zips that load only the types listed here.

A model file is data that may come from elsewhere (`dvc pull`, `dvc artifacts get`, a colleague), so it is
never unpickled: loading a pickle runs whatever code it names. skops.io stores the estimator as JSON plus numpy
arrays and builds only the types the caller trusts. `TRUSTED` is that list, kept minimal: skops trusts the
plain scikit-learn estimators and numpy/builtin types itself; these are the rest our pipelines need. A model
family that needs another type fails `tests/test_model_file.py`, not a user.

Every check that can be made before any object is built is made first: the file is a zip (a pickle is named
as one and refused), its schema is ours, its scikit-learn version is this one, and it names no type outside
the trust list. Then skops builds it.

A file holds the same bytes on every CPU: the one float of our pipelines whose last bits follow the CPU (the Platt
sigmoid of an SVC's probabilities, fitted by L-BFGS through numpy's SIMD and OpenBLAS's kernels) is rounded to 12
significant digits before it is written, and a k-NN's kd-tree is written without its count of queries.
"""

import io
import json
import zipfile
from pathlib import Path

import oneclick

# The modules of our functions in TRUSTED, imported so that code which loads a model file depends on them: skops
# imports them by name while it builds a model, which no reading of our own imports would see.
import oneclick.engineer  # noqa: F401
import oneclick.labels  # noqa: F401
import oneclick.registry  # noqa: F401
from oneclick.common.errors import DataError
from oneclick.common.io import significant, write_bytes

SUFFIX = ".skops"
TRUSTED = [
    # the project's own functions inside the pipeline (engineer step, one-hot names): files name them by their
    # dotted path, so they stay in these modules, which keep these names, for as long as such files are in use
    "oneclick.engineer.add_features",
    "oneclick.labels.one_hot_name",
    "oneclick.registry.engineered_names",
    # scikit-learn internals that skops does not trust by default
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",  # a k-NN's kd-tree and its metric (exact distances)
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.tree._tree.Tree",
    "sklearn.utils._bunch.Bunch",
]
METADATA = ("model", "fit_rows", "rows", "part", "sklearn_version", "package_version")
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest date: no time of writing in the file
_PICKLE_STARTS = (b"\x80", b"(", b"]", b"}", b"c")  # protocol 2+ opcode, or the first opcodes of protocols 0-1
_RETRAIN = "re-train with `dvc repro`"


def save_model(path, pipeline, name: str, fit_rows: int | None = None, rows: int | None = None,
               part: str | None = None) -> None:
    """`fit_rows`: the most rows a refit may use (the model's `search.subsample`); `rows`: the labelled
    customers this pipeline was fitted on, from `part` (train, or labelled: every labelled customer).

    The pipeline's Platt sigmoids are rounded in place (portable), so it predicts what the file will."""
    import sklearn
    import skops.io as sio

    portable(pipeline)
    saved = {"pipeline": pipeline, "model": name, "fit_rows": fit_rows, "rows": rows, "part": part,
             "sklearn_version": sklearn.__version__, "package_version": oneclick.__version__}
    write_bytes(path, _canonical(sio.dumps(saved)))


def portable(estimator) -> None:
    """Round, in place, the sigmoid (a_, b_) of every CalibratedClassifierCV in a fitted estimator (a pipeline's
    steps, a vote's members, nested) to 12 significant digits: the same on every CPU. A k-NN's kd-tree counts the
    queries it answered (trims, leaves, splits, calls); the counts are reset, so a file does not depend on what was
    predicted before it was written."""
    from sklearn.base import BaseEstimator
    from sklearn.calibration import _CalibratedClassifier, _SigmoidCalibration
    from sklearn.neighbors import KDTree

    if isinstance(estimator, _SigmoidCalibration):
        estimator.a_, estimator.b_ = significant(estimator.a_), significant(estimator.b_)
    elif isinstance(estimator, KDTree):  # its state: arrays, sizes, then the 4 query counters, metric, weights
        state = list(estimator.__getstate__())
        state[7:11] = [0, 0, 0, 0]
        estimator.__setstate__(tuple(state))
    elif isinstance(estimator, (list, tuple)):
        for part in estimator:
            portable(part)
    elif isinstance(estimator, (BaseEstimator, _CalibratedClassifier)):
        for part in vars(estimator).values():
            portable(part)


def load_model(path) -> dict:
    """The saved dict (pipeline and METADATA); one clear DataError for anything else, before any object is built."""
    import sklearn
    import skops.io as sio  # here, not on top: metadata() alone starts without scikit-learn (about 1.3 s)

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: model file not found; run `dvc repro` to train it")
    data = path.read_bytes()
    metadata = _metadata(path, data)
    if metadata["sklearn_version"] != sklearn.__version__:
        raise DataError(f"{path}: made with scikit-learn {metadata['sklearn_version']}, "
                        f"this is {sklearn.__version__}; {_RETRAIN}")
    untrusted = sorted(set(sio.get_untrusted_types(data=data)) - set(TRUSTED))
    if untrusted:
        raise DataError(f"{path}: refers to types this project does not trust, so nothing in it was loaded: "
                        f"{', '.join(untrusted)}")
    try:
        return sio.loads(data, trusted=TRUSTED)
    except Exception as err:  # a damaged array or a schema skops cannot build: not ours, or not intact
        raise DataError(f"{path}: cannot be loaded ({type(err).__name__}: {err}); {_RETRAIN}") from None


def metadata(path) -> dict:
    """METADATA of a model file, read from its schema without building any object."""
    path = Path(path)
    return _metadata(path, path.read_bytes())


def _metadata(path: Path, data: bytes) -> dict:
    if not data:
        raise DataError(f"{path}: is empty, not a model file; {_RETRAIN}")
    if data.startswith(_PICKLE_STARTS):
        raise DataError(f"{path}: a pickle, not a model file of this project ({SUFFIX}); it was not loaded, since "
                        f"unpickling runs the code a file names; {_RETRAIN} to write the model as {SUFFIX}")
    if not data.startswith(b"PK"):
        raise DataError(f"{path}: not a model file of this project (a {SUFFIX} zip); {_RETRAIN}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as err:
        raise DataError(f"{path}: damaged or truncated model file ({type(err).__name__}: {err}); "
                        f"{_RETRAIN}") from None
    content = schema.get("content") if isinstance(schema, dict) else None
    fields = {key: _json_value(content, key) for key in METADATA} if isinstance(content, dict) else {}
    if not isinstance(content, dict) or "pipeline" not in content or not isinstance(fields.get("model"), str):
        raise DataError(f"{path}: a skops file, but not a model file written by this project; {_RETRAIN}")
    return fields


def _json_value(content: dict, key: str):
    """A plain value of the saved dict, as skops stores it (a JSON node), or None."""
    node = content.get(key)
    if isinstance(node, dict) and node.get("__loader__") == "JsonNode":
        return json.loads(node["content"])
    return None


def _canonical(raw: bytes) -> bytes:
    """skops' zip, byte-identical from run to run.

    skops names arrays and objects by their id() (and bytes by a uuid) and stamps each zip entry with the
    time of writing, so the same model gave a new file, a new dvc.lock hash and a re-run downstream every
    time. Here ids and file names are renumbered in order of appearance (one to one, so objects shared in
    the model stay shared), entries get one fixed date, and arrays are deflated.
    """
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        schema = json.loads(archive.read("schema.json"))
        ids, files = {}, {}

        def renumber(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "__id__":
                        node[key] = ids.setdefault(value, len(ids))
                    elif key == "file" and isinstance(value, str):
                        node[key] = files.setdefault(value, f"{len(files)}{Path(value).suffix}")
                    else:
                        renumber(value)
            elif isinstance(node, list):
                for value in node:
                    renumber(value)

        renumber(schema)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as canonical:
            for old, new in files.items():  # level 1: a fifth larger than level 6, at a quarter of the time
                canonical.writestr(_entry(new), archive.read(old), compresslevel=1)
            canonical.writestr(_entry("schema.json"), json.dumps(schema, indent=1), compresslevel=1)
    return out.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info
