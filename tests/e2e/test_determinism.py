"""Same params and data give byte-identical outputs, on this machine and on another CPU: two runs from scratch in
two folders, at once, the second on numpy's and OpenBLAS's code paths of an older x86-64 machine (other_cpu), as a
colleague's clone would run. An SVC wins there (the sandbox's params of workspace.py without its forest), so the
floats that differ from CPU to CPU in the last bits are in play: the Platt sigmoids of the calibration and of the
SVC's own probabilities, fitted by L-BFGS on numpy's SIMD and OpenBLAS's kernels."""

import hashlib
import json
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from workspace import FAST_BASELINE, commit, make_workspace, run

from tools.sandbox import lock_outputs

pytestmark = pytest.mark.e2e

OUTPUTS = ("data", "models", "metrics", "plots", "reports")
# An SVC wins both passes without the forest, and its probabilities are calibrated again by a sigmoid (auto would
# choose none for them): both Platt fits are in the outputs.
SVC_WINS = {**FAST_BASELINE, "models.extra_trees": None, "calibrate.method": "sigmoid"}
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


def from_scratch(ws, raw_dir, extra_env=None):
    """The store's export imported and the pipeline run, in a sandbox `ws` (as shared_baseline builds)."""
    run([sys.executable, "-m", "oneclick.raw_import", str(raw_dir), "--name", "store"], ws, extra_env=extra_env)
    run(["dvc", "repro"], ws, extra_env=extra_env)


def test_a_second_run_from_scratch_on_another_cpu_is_byte_identical(tmp_path, synthetic_dir):
    built, again = (make_workspace(tmp_path / name, SVC_WINS, git=True) for name in ("built", "again"))
    here = code_paths(again)
    cpu = other_cpu(here)
    there = code_paths(again, cpu)
    assert there["simd"] == [] and (there["blas"] != here["blas"] or here["blas"] == [OLDER_CORE]), (here, there)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(from_scratch, (built, again), (synthetic_dir, synthetic_dir), (None, cpu)))
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
    # as on a fresh clone of the first run's commit: git status after the run shows nothing
    commit(built, "the store's export under DVC, a run on it")
    run(["git", "fetch", "-q", str(built), "main"], again)
    run(["git", "reset", "-q", "FETCH_HEAD"], again)
    assert run(["git", "status", "--porcelain"], again).stdout == ""
