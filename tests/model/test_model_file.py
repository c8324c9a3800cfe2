"""Model files: every family round-trips under the trust list; hostile or broken files are refused unrun."""

import ast
import io
import json
import os
import pickle
import sys
import zipfile

import numpy as np
import pytest
import yaml
from conftest import ROOT
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from workspace import run

from oneclick.common.errors import DataError
from oneclick.model.model_file import TRUSTED, load_model, metadata, save_model
from oneclick.model.pipeline import build_pipeline, with_probabilities

PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
CV = {"folds": 3, "seed": 0}


def small(spec: dict) -> dict:
    """A params.yaml model entry with few trees, so that the round trip is quick (same types)."""
    spec = json.loads(json.dumps(spec))
    for entry in [spec, *(spec.get("members") or {}).values()]:
        if "n_estimators" in (entry.get("args") or {}):
            entry["args"]["n_estimators"] = 5
    return spec


def fitted(spec, X, y):
    return with_probabilities(build_pipeline(spec), spec["estimator"]).fit(X, y)


@pytest.fixture(scope="module")
def data(synthetic_split):
    X_train, X_test, y_train, _ = synthetic_split
    return X_train, y_train, X_test


CASES = {name: small(spec) for name, spec in PARAMS["models"].items()}
CASES["hist_gb"] = {"estimator": "hist_gb", "args": {"max_iter": 5}}
CASES["forest"] = {"estimator": "forest", "args": {"n_estimators": 5}}


@pytest.mark.parametrize("name", list(CASES))
def test_every_family_round_trips_under_the_trust_list(data, tmp_path, name):
    X, y, X_test = data
    pipeline = fitted(CASES[name], X, y)
    save_model(tmp_path / "a.skops", pipeline, name, None, len(y), "train")
    saved = load_model(tmp_path / "a.skops")
    assert (saved["model"], saved["rows"], saved["part"]) == (name, len(y), "train")
    np.testing.assert_array_equal(saved["pipeline"].predict_proba(X_test), pipeline.predict_proba(X_test))
    save_model(tmp_path / "b.skops", pipeline, name, None, len(y), "train")  # no ids or times in the file
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()


@pytest.mark.parametrize("spec", [CASES["svc"], {"estimator": "voting", "members": {
    "svc": {"estimator": "svc"}, "tree": {"estimator": "tree", "args": {"max_depth": 3, "random_state": 0}}}}],
    ids=["svc", "vote"])
def test_an_svcs_sigmoid_a_bit_apart_writes_the_same_file(data, tmp_path, spec):
    """The Platt sigmoid of an SVC's probabilities (alone or in a vote) ends a few bits apart on another CPU
    (L-BFGS through numpy's SIMD and OpenBLAS's kernels): the file holds it to 12 significant digits, the same
    bytes, and the pipeline saved predicts what the file does."""
    X, y, X_test = data
    sigmoids = []
    for path in ("a.skops", "b.skops"):
        pipeline = fitted(spec, X, y)
        model = pipeline.named_steps["model"]
        calibrated = model.named_estimators_["svc"] if spec["estimator"] == "voting" else model
        sigmoid = calibrated.calibrated_classifiers_[0].calibrators[0]
        if path == "b.skops":  # another CPU's last bits
            sigmoid.a_, sigmoid.b_ = np.nextafter(sigmoid.a_, 0), np.nextafter(sigmoid.b_, 10)
        sigmoids.append((sigmoid.a_, sigmoid.b_))
        save_model(tmp_path / path, pipeline, "svc", None, len(y), "train")
        assert (sigmoid.a_, sigmoid.b_) == (float(f"{sigmoids[-1][0]:.12g}"), float(f"{sigmoids[-1][1]:.12g}"))
        np.testing.assert_array_equal(load_model(tmp_path / path)["pipeline"].predict_proba(X_test),
                                      pipeline.predict_proba(X_test))
    assert sigmoids[0] != sigmoids[1]
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()


def test_trust_list_is_minimal(data, tmp_path):
    """Each trusted type is needed by some family: the list grows only when a pipeline needs it."""
    import skops.io as sio

    X, y, _ = data
    needed = set()
    for spec in CASES.values():
        needed |= set(sio.get_untrusted_types(data=sio.dumps(fitted(spec, X, y))))
    assert needed == set(TRUSTED)


class Hostile:
    """Unpickling this runs a shell command that creates a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def predict(model, tmp_path, synthetic_dir):
    out = tmp_path / "out" / "scores.csv"
    result = run([sys.executable, "-m", "oneclick.predict", "--input", str(synthetic_dir), "--output", str(out),
                  "--model", str(model)], ROOT, check=False)
    return result, out


def test_predict_refuses_a_hostile_pickle_without_running_it(tmp_path, synthetic_dir):
    marker = tmp_path / "pwned"
    model = tmp_path / "model.skops"
    model.write_bytes(pickle.dumps({"pipeline": Hostile(marker), "model": "svc"}))
    result, out = predict(model, tmp_path, synthetic_dir)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"error: {model}: a pickle, not a model file of this project")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not marker.exists() and not out.parent.exists()


def test_predict_refuses_a_skops_file_with_an_untrusted_function(tmp_path, synthetic_dir, data):
    """A pipeline step calling os.system: skops would build the function; we refuse before building anything."""
    import skops.io as sio

    X, y, _ = data
    marker = tmp_path / "pwned"
    hostile = Pipeline([("run", FunctionTransformer(os.system, kw_args={})),
                        ("model", fitted(CASES["logreg"], X, y))])
    saved = {"pipeline": hostile, "model": "logreg", "fit_rows": None, "rows": None, "part": None,
             "sklearn_version": __import__("sklearn").__version__, "package_version": "0.1.0"}
    model = tmp_path / "model.skops"
    model.write_bytes(sio.dumps(saved))
    result, out = predict(model, tmp_path, synthetic_dir)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "does not trust" in result.stderr and f"{os.system.__module__}.system" in result.stderr
    assert not marker.exists() and not out.parent.exists()


def rewrite_schema(path, change) -> None:
    with zipfile.ZipFile(path) as src:
        entries = {name: src.read(name) for name in src.namelist()}
    schema = json.loads(entries["schema.json"])
    change(schema["content"])
    entries["schema.json"] = json.dumps(schema).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as dst:
        for name, content in entries.items():
            dst.writestr(name, content)
    path.write_bytes(buffer.getvalue())


@pytest.fixture
def good_file(data, tmp_path):
    X, y, _ = data
    path = tmp_path / "good.skops"
    save_model(path, fitted(CASES["logreg"], X, y), "logreg")
    return path


def test_broken_files_get_one_clear_error(good_file, tmp_path):
    cases = {
        "empty.skops": (b"", "is empty, not a model file"),
        "truncated.skops": (good_file.read_bytes()[: good_file.stat().st_size // 2], "damaged or truncated"),
        "text.skops": (b"PKnot a zip at all", "damaged or truncated"),
        "random.skops": (b"\x00\x01 not a model", "not a model file of this project"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(DataError, match=message):
            load_model(tmp_path / name)


def test_another_scikit_learn_version_is_named(good_file):
    rewrite_schema(good_file, lambda c: c["sklearn_version"].update(content='"1.2.0"'))
    assert metadata(good_file)["sklearn_version"] == "1.2.0"
    with pytest.raises(DataError, match=r"made with scikit-learn 1\.2\.0, this is .*re-train with `dvc repro`"):
        load_model(good_file)


def test_a_skops_file_not_written_by_this_project(tmp_path, data):
    import skops.io as sio

    X, y, _ = data
    (tmp_path / "bare.skops").write_bytes(sio.dumps(fitted(CASES["logreg"], X, y)))  # no metadata dict
    with pytest.raises(DataError, match="not a model file written by this project"):
        load_model(tmp_path / "bare.skops")


def test_a_stage_refuses_a_hostile_model_without_outputs(tmp_path):
    """Every stage loads models through load_model: explain on a hostile models/model.skops."""
    from workspace import make_workspace

    ws = make_workspace(tmp_path / "ws")
    marker = tmp_path / "pwned"
    (ws / "models").mkdir()
    (ws / "models" / "model.skops").write_bytes(pickle.dumps(Hostile(marker)))
    result = run([sys.executable, "-m", "stages.explain"], ws, check=False)
    assert result.returncode == 1 and "a pickle, not a model file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not marker.exists() and not (ws / "plots").exists()
    assert [p.name for p in (ws / "metrics").rglob("*") if p.is_file()] == ["README.md"] * 2  # only placeholders


UNPICKLERS = {"pickle", "cPickle", "cloudpickle", "dill", "shelve", "jsonpickle"}


def test_no_code_path_unpickles():
    """The package, the stages and the tools never import an unpickler nor call joblib.load or read_pickle."""
    for folder in ("oneclick", "stages", "tools", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    assert not {a.name.split(".")[0] for a in node.names} & UNPICKLERS, path
                elif isinstance(node, ast.ImportFrom) and node.module:
                    assert node.module.split(".")[0] not in UNPICKLERS, path
                    assert not (node.module == "joblib" and any(a.name == "load" for a in node.names)), path
                elif isinstance(node, ast.Attribute):
                    assert node.attr not in {"read_pickle"}, path
                    assert not (node.attr == "load" and isinstance(node.value, ast.Name)
                                and node.value.id == "joblib"), path


# written by the code of 2026-12-03 (59ebaa0), before the package was grouped by concern
RELEASED = ROOT / "tests" / "model" / "fixtures" / "model_2026-12-03.skops"


def test_a_model_file_released_before_the_move_loads_and_scores_as_it_did():
    """Model files name a few of our functions by dotted path (TRUSTED): a file written before the package was
    grouped by concern (a voting SVC + tree with every derived feature, so it names all three) must still load
    and give its probabilities to within a few units in the last place (the SVC's kernel sums run on each CPU's
    SIMD code paths: on another CPU than the one that wrote the file they differ by about 1e-15)."""
    import pandas as pd

    customers = pd.read_csv(RELEASED.with_name("model_2026-12-03_customers.csv"))
    saved = load_model(RELEASED)
    assert (saved["model"], saved["rows"], saved["part"]) == ("svc_tree", 200, "train")
    proba = saved["pipeline"].predict_proba(customers.drop(columns=["id", "probability"]))[:, 1]
    np.testing.assert_allclose(proba, customers["probability"].to_numpy(), rtol=1e-12, atol=0)


def test_a_damaged_array_inside_an_intact_file_is_refused_by_name(good_file):
    """The zip and its schema read, the types trusted, but an array's bytes are not an array: one error, nothing
    loaded."""
    with zipfile.ZipFile(good_file) as src:
        entries = {name: src.read(name) for name in src.namelist()}
    array = next(name for name in entries if name.endswith(".npy"))
    entries[array] = b"not an array"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as dst:
        for name, content in entries.items():
            dst.writestr(name, content)
    good_file.write_bytes(buffer.getvalue())
    with pytest.raises(DataError, match=r"good\.skops: cannot be loaded \(.*\); re-train with `dvc repro`"):
        load_model(good_file)
