"""The sandbox with small, quick params for the end-to-end tests, and running its experiment queue."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tools.sandbox import commit, env, make_sandbox, ran_stages, run, set_params  # noqa: F401

# small and quick: every stage of the default run, with two of its model families (a neighbour and a kernel); every
# default family is fitted, saved and loaded in test_model_file.py, explained in test_explain.py, and its args and
# grid checked by params validation; a forest is added to a sandbox by `dvc exp run -S` in test_experiments.py
FAST = {
    "synthesize.n_customers": 300,
    "models.tree": None,
    "models.logreg": None,
    "models.knn_trees": None,
    "models.extra_trees": None,
    "cv.folds": 5,  # repeated twice: paired verdicts need the folds (test_review_verdict.py), fits are cheap here
    "cv.repeats": 2,
    "models.knn.grid": {"n_neighbors": [10, 25]},
    "models.svc.grid": {"C": [1]},
    "cv.n_jobs": 1,  # pytest-xdist runs a test file per core: stages in one thread, forests without processes
    "explain.n_jobs": 1,
    "explain.background_size": 5,
    "explain.production_rows": 10,
}


def make_workspace(dest, changes=None, git=False):
    return make_sandbox(dest, {**FAST, **(changes or {})}, git=git)


def run_queue(ws, jobs: int = 2, timeout: float = 600) -> str:
    """`dvc queue start -j jobs`, wait until nothing is queued or running; the last `dvc queue status`."""
    # The workers `dvc queue start` leaves behind inherit its stdout: no pipe, or the call waits for them.
    subprocess.run(["dvc", "queue", "start", "-j", str(jobs)], cwd=ws, env=env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = run(["dvc", "queue", "status"], ws).stdout
            if "Queued" not in status and "Running" not in status:
                break
            wait_for_workers(ws, min(30.0, deadline - time.monotonic()))
    finally:
        stop_workers(ws)
    return status


def worker_pids(ws) -> list[int]:
    """The queue's worker processes that are alive (their records in .dvc/tmp/exps/celery)."""
    pids = []
    for record in (Path(ws) / ".dvc" / "tmp" / "exps" / "celery").glob("dvc-exp-worker-*.json"):
        try:  # a record being written or removed, a process that has just ended: not alive
            pid = json.loads(record.read_text())["pid"]
            if b"queue-worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                pids.append(pid)
        except (OSError, ValueError):
            continue
    return pids


def wait_for_workers(ws, seconds: float) -> None:
    """Sleep until no worker is alive, or `seconds`: a look at /proc, where a `dvc queue status` costs seconds of
    CPU that the queue's workers need (a worker that outlives the queue is caught by the next status)."""
    deadline = time.monotonic() + seconds
    time.sleep(max(0.0, min(5.0, seconds)))  # a status every 5 s at most, should no worker have written its record
    while worker_pids(ws) and time.monotonic() < deadline:
        time.sleep(1)


def stop_workers(ws) -> None:
    """Kill the queue's workers that are still alive: with two workers, dvc-task sometimes leaves one running
    after the queue is empty (its monitor shut down while its task ran), and `dvc queue stop` does not end it."""
    for pid in worker_pids(ws):
        with contextlib.suppress(ProcessLookupError):  # it ended since the look at /proc
            os.kill(pid, signal.SIGTERM)


# The baseline's params beside FAST: an imported export, and the SVC's probabilities calibrated again by a sigmoid
# (auto would choose none for them), so that the Platt fits of the calibration and of the SVC itself, whose last bits
# differ from CPU to CPU, are in its outputs (test_determinism.py).
FAST_BASELINE = {"data.raw_dir": "data/raw/store", "calibrate.method": "sigmoid"}


def from_scratch(dest: Path, raw_source, extra_env: dict | None = None):
    """The baseline's sandbox at `dest`, `raw_source` imported as data/raw/store and the pipeline run (with
    `extra_env`): (the repository, the output of its `dvc repro`)."""
    ws = make_workspace(dest, FAST_BASELINE, git=True)
    run([sys.executable, "-m", "oneclick.raw_import", str(raw_source), "--name", "store"], ws, extra_env=extra_env)
    return ws, run(["dvc", "repro"], ws, extra_env=extra_env)


def shared_baseline(tmp_path_factory, raw_source) -> tuple[Path, dict]:
    """(a repository, the output of its first `dvc repro`): the FAST sandbox with `raw_source` imported as
    data/raw/store (as a team imports its export), run once and committed. Built once per test session, by the
    first pytest-xdist worker that asks (a file lock guards it), in the workers' common temporary folder. It is
    read only: a caller that changes anything works on its own copy (copy_of), so the end-to-end modules can run on
    several workers at once."""
    from filelock import FileLock

    common = tmp_path_factory.getbasetemp()
    common = common.parent if os.environ.get("PYTEST_XDIST_WORKER") else common
    built, record = common / "baseline" / "repo", common / "baseline" / "first_run.json"
    with FileLock(str(common / "baseline.lock")):
        if not record.is_file():
            ws, first = from_scratch(built, raw_source)
            commit(ws, "baseline: the store's export under DVC, a run on it")
            record.write_text(json.dumps({"stdout": first.stdout, "stderr": first.stderr}))
    return built, json.loads(record.read_text())


def copy_of(source: Path, dest: Path) -> Path:
    """A copy of a repository with its git history and DVC cache; DVC re-hashes what it sees (new inodes)."""
    shutil.copytree(source, dest, symlinks=True)
    shutil.rmtree(dest / ".dvc" / "tmp", ignore_errors=True)  # locks and state of the original
    return dest
