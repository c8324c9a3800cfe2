"""`cv.backend: dask` against a real scheduler and two worker processes on 127.0.0.1, started and stopped here."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from oneclick.cluster import cluster, version_mismatches
from oneclick.errors import ClusterError, ParamsError
from oneclick.features import xy
from oneclick.search import run_search

BIN = Path(sys.executable).parent
FEATURES = {"trends": False, "ratios": False, "log_counts": False}
SPECS = {
    "logreg": {"estimator": "logreg", "args": {"solver": "liblinear", "random_state": 0},
               "grid": {"C": [0.1, 1], "l1_ratio": [0, 1]}, "scalers": ["standard"], "search": {"method": "grid"}},
    "svc": {"estimator": "svc", "args": {"random_state": 0}, "grid": {"C": [0.5, 2]}, "scalers": ["standard"],
            "search": {"method": "grid"}},
}
CV = {"folds": 3, "repeats": 2, "seed": 0, "n_jobs": 2, "backend": "threads", "scheduler": None}


def start(args: list[str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    """The process and its children (a worker's nanny forks the worker), by process group id."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """tcp://127.0.0.1:PORT of a scheduler with two single-thread worker processes."""
    tmp = tmp_path_factory.mktemp("dask")
    file = tmp / "scheduler.json"
    sched = start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                   "--scheduler-file", str(file)], tmp / "scheduler.log")
    workers = None
    try:
        deadline = time.monotonic() + 30
        while not file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = __import__("json").loads(file.read_text())["address"]
        workers = start([str(BIN / "dask"), "worker", address, "--nworkers", "2", "--nthreads", "1",
                         "--host", "127.0.0.1", "--no-dashboard"], tmp / "workers.log")
        from dask.distributed import Client

        with Client(address, timeout="10s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in (workers, sched):
            if process is not None:
                stop(process)


@pytest.mark.parametrize("model", SPECS)
def test_cluster_gives_the_scores_of_threads(scheduler, synthetic_table, model):
    X, y = xy(synthetic_table.set_index("id"))
    here = run_search("t", SPECS[model], FEATURES, CV, X, y)
    with cluster({**CV, "backend": "dask", "scheduler": scheduler}):
        there = run_search("t", SPECS[model], FEATURES, {**CV, "backend": "dask", "scheduler": scheduler}, X, y)
    assert there[1] == here[1] and there[2] == here[2]  # the record and every fold's score
    np.testing.assert_array_equal(there[0].predict_proba(X), here[0].predict_proba(X))


def test_the_environment_variable_names_the_scheduler(scheduler, monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", scheduler)
    with cluster({**CV, "backend": "dask", "scheduler": "tcp://127.0.0.1:1"}) as client:
        assert client.scheduler.address == scheduler


def test_an_unreachable_scheduler_is_one_error_within_bounded_time():
    start_ = time.monotonic()
    with pytest.raises(ClusterError, match=r"tcp://127\.0\.0\.1:1: not reachable"):
        with cluster({**CV, "backend": "dask", "scheduler": "tcp://127.0.0.1:1"}):
            pass
    assert time.monotonic() - start_ < 20
    with pytest.raises(ParamsError, match="cv.scheduler"):
        with cluster({**CV, "backend": "dask"}):
            pass


def test_other_package_versions_are_named():
    versions = {"client": {"packages": {"sklearn": "1.9.1", "numpy": "2.3.0"}},
                "workers": {"tcp://10.0.0.2:4000": {"packages": {"sklearn": "1.8.0", "numpy": "2.3.0"}}}}
    assert version_mismatches(versions)[0] == "sklearn 1.9.1 here, 1.8.0 on worker tcp://10.0.0.2:4000"
    same = {"client": versions["client"], "workers": {"w": {"packages": versions["client"]["packages"]}}}
    assert [m for m in version_mismatches(same) if m.startswith(("sklearn", "numpy"))] == []


def test_a_worker_killed_mid_search_is_one_error_naming_the_cluster(scheduler, synthetic_table):
    """joblib's dask backend does not retry the lost worker's batch: the search stops with one error."""
    import threading

    from dask.distributed import Client

    X, y = xy(synthetic_table.set_index("id"))
    spec = {"estimator": "extra_trees", "args": {"n_estimators": 300, "random_state": 0},
            "grid": {"min_samples_leaf": [1, 2, 4, 8]}, "scalers": ["none"], "search": {"method": "grid"}}
    dask_cv = {**CV, "backend": "dask", "scheduler": scheduler}
    raised = []

    def search():
        try:
            with cluster(dask_cv):
                run_search("t", spec, FEATURES, dask_cv, X, y)
        except ClusterError as err:
            raised.append(str(err))

    with Client(scheduler, timeout="10s") as client:
        victim = sorted(client.run(os.getpid).items())[0][1]  # one worker process
    thread = threading.Thread(target=search)
    thread.start()
    time.sleep(3)  # connected and fitting: the search takes about 10 s on the two workers
    assert thread.is_alive()
    os.kill(victim, signal.SIGKILL)
    thread.join(120)
    assert not thread.is_alive() and len(raised) == 1 and raised[0].startswith(f"Dask cluster {scheduler}: ")
    with Client(scheduler, timeout="10s") as client:
        client.wait_for_workers(2, timeout=60)  # the nanny's new worker, for the tests after this one
        assert victim not in client.run(os.getpid).values()


def test_dvc_exp_run_on_the_cluster_writes_the_same_bytes(scheduler, tmp_path):
    """The searches of a small sandbox, first in threads, then on the cluster: every output byte-identical.
    The backend is a param, so the searches re-run; what they write does not change."""
    from workspace import make_workspace, run

    small = {"synthesize.n_customers": 300, "cv.folds": 3, "cv.repeats": 1, "models.tree": None,
             "models.extra_trees": None, "models.knn_trees": None, "models.svc.grid": {"C": [1]}}
    ws = make_workspace(tmp_path / "repo", small, git=True)
    targets = ["evaluate", "select@labelled"]
    run(["dvc", "repro", *targets], ws)
    outputs = sorted(p for top in ("metrics", "reports", "models", "plots") for p in (ws / top).rglob("*")
                     if p.is_file())
    threads = {p: p.read_bytes() for p in outputs}
    run(["git", "add", "-A"], ws)
    run(["git", "commit", "-qm", "threads"], ws)
    bad = run(["dvc", "exp", "run", "-S", "cv.backend=dask", "-S", "cv.scheduler=tcp://127.0.0.1:1", *targets],
              ws, check=False)
    assert bad.returncode != 0 and "Dask scheduler tcp://127.0.0.1:1: not reachable" in bad.stderr + bad.stdout
    run(["git", "reset", "-q", "--hard"], ws)
    result = run(["dvc", "exp", "run", "-S", "cv.backend=dask", "-S", f"cv.scheduler={scheduler}", *targets], ws)
    assert "search@train-logreg" in result.stdout  # it did run, on the cluster
    assert {p: p.read_bytes() for p in outputs} == threads
