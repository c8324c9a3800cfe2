"""The sandbox with small, quick params for the end-to-end tests, and running its experiment queue."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tools.sandbox import commit, env, make_sandbox, ran_stages, run, set_params  # noqa: F401

# small and quick, but the same stages and models as the default run
FAST = {
    "synthesize.n_customers": 300,
    "cv.folds": 3,
    "cv.repeats": 1,
    "models.knn.grid": {"n_neighbors": [10, 25]},
    "models.tree.grid": {"max_depth": [3, 5]},
    "models.logreg.grid": {"C": [0.5, 1]},
    "models.svc.grid": {"C": [1]},
    "models.extra_trees.args": {"n_estimators": 30, "random_state": 42},
    "models.extra_trees.grid": {"min_samples_leaf": [1, 4]},
    "models.knn_trees.members.extra_trees.args": {"n_estimators": 30, "random_state": 42},
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
            time.sleep(2)
    finally:
        stop_workers(ws)
    return status


def stop_workers(ws) -> None:
    """Kill the queue's workers that are still alive: with two workers, dvc-task sometimes leaves one running
    after the queue is empty (its monitor shut down while its task ran), and `dvc queue stop` does not end it."""
    for record in (Path(ws) / ".dvc" / "tmp" / "exps" / "celery").glob("dvc-exp-worker-*.json"):
        pid = json.loads(record.read_text())["pid"]
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.is_file() and b"queue-worker" in cmdline.read_bytes():
            os.kill(pid, signal.SIGTERM)
