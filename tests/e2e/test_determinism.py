"""Same params and data give byte-identical outputs, on this machine and on another CPU: the session's baseline
(workspace.py: the sandbox's params, the store's export imported, run from scratch) against a second run from
scratch in another folder, on numpy's and OpenBLAS's code paths of an older x86-64 machine (other_cpu), as a
colleague's clone would run. An SVC wins there, so the floats that differ from CPU to CPU in the last bits are in
play: the Platt sigmoids of the calibration and of the SVC's own probabilities, fitted by L-BFGS on numpy's SIMD and
OpenBLAS's kernels."""

import hashlib
import json
import sys

import pytest
from workspace import from_scratch, run, shared_baseline

from tools.sandbox import lock_outputs

pytestmark = pytest.mark.e2e

OUTPUTS = ("data", "models", "metrics", "plots", "reports")
OLDER_CORE = "Nehalem"  # OpenBLAS's SSE4.2 kernels: they run on any x86-64 CPU numpy's baseline (X86_V2) runs on
PROBE = """import json, numpy, scipy.linalg
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
from threadpoolctl import threadpool_info
blas = {i["architecture"] for i in threadpool_info() if i["internal_api"] == "openblas"}
print(json.dumps({"simd": [g for g in __cpu_dispatch__ if __cpu_features__.get(g)], "blas": sorted(blas)}))"""


def digests(ws) -> dict:
    return {str(p.relative_to(ws)): hashlib.sha256(p.read_bytes()).hexdigest()
            for top in OUTPUTS if (ws / top).exists() for p in sorted((ws / top).rglob("*")) if p.is_file()}


def code_paths(cwd, extra_env: dict | None = None) -> dict:
    """numpy's SIMD groups in use beyond its baseline, and OpenBLAS's core types, in a python run with `extra_env`."""
    return json.loads(run([sys.executable, "-c", PROBE], cwd, extra_env=extra_env).stdout)


def other_cpu(here: dict) -> dict:
    """The environment of an older CPU than the code paths `here`: numpy's SIMD dispatch limited to its baseline
    (every dispatched group this machine runs switched off: AVX2, AVX-512) and OpenBLAS's kernels of another core
    type."""
    out = {"NPY_DISABLE_CPU_FEATURES": " ".join(here["simd"])}
    if here["blas"] != [OLDER_CORE]:
        out["OPENBLAS_CORETYPE"] = OLDER_CORE
    return out


def test_a_second_run_from_scratch_on_another_cpu_is_byte_identical(tmp_path_factory, synthetic_dir):
    here = code_paths(tmp_path_factory.getbasetemp())
    cpu = other_cpu(here)
    there = code_paths(tmp_path_factory.getbasetemp(), cpu)
    assert there["simd"] == [] and (there["blas"] != here["blas"] or here["blas"] == [OLDER_CORE]), (here, there)
    again, _ = from_scratch(tmp_path_factory.mktemp("determinism") / "again", synthetic_dir, cpu)
    built, _ = shared_baseline(tmp_path_factory, synthetic_dir)  # built meanwhile on another worker, or now
    for record, calibration in (("selection", "calibration"), ("production", "production/calibration")):
        assert json.loads((built / "metrics" / f"{record}.json").read_text())["model"] == "svc"
        assert json.loads((built / "models" / f"{calibration}.json").read_text())["method"] == "sigmoid"
    lock, lock_again = lock_outputs((built / "dvc.lock").read_text()), lock_outputs((again / "dvc.lock").read_text())
    assert lock.keys() == lock_again.keys()
    assert [path for path in lock if lock[path] != lock_again[path]] == []
    first, second = digests(built), digests(again)
    assert first.keys() == second.keys()
    assert [path for path in first if first[path] != second[path]] == []
    assert (built / "dvc.lock").read_bytes() == (again / "dvc.lock").read_bytes()
    # as on a fresh clone of the baseline's commit: git status after the run shows nothing
    run(["git", "fetch", "-q", str(built), "main"], again)
    run(["git", "reset", "-q", "FETCH_HEAD"], again)
    assert run(["git", "status", "--porcelain"], again).stdout == ""
