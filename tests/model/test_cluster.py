"""`cv.backend: dask` against a real scheduler and two worker processes on 127.0.0.1, started and stopped here."""

import json
import os
import signal
import threading
import time

import numpy as np
import pytest

from oneclick.common.errors import ClusterError, ParamsError
from oneclick.model import cluster as cluster_module
from oneclick.model.cluster import cluster
from oneclick.model.features import xy
from oneclick.model.pipeline import build_pipeline
from oneclick.model.scoring import out_of_fold
from oneclick.model.search import run_search
from tools.loopback import loopback_cluster, start_workers, stop, workers_of
from tools.sandbox import lock_outputs

pytestmark = pytest.mark.e2e

FEATURES = {"trends": False, "ratios": False, "log_counts": False}
SPECS = {
    "logreg": {"estimator": "logreg", "args": {"solver": "liblinear", "random_state": 0},
               "grid": {"C": [0.1, 1], "l1_ratio": [0, 1]}, "scalers": ["standard"], "search": {"method": "grid"}},
    "svc": {"estimator": "svc", "args": {"random_state": 0}, "grid": {"C": [0.5, 2]}, "scalers": ["standard"],
            "search": {"method": "grid"}},
}
CV = {"folds": 3, "repeats": 2, "seed": 0, "n_jobs": 2, "backend": "threads", "scheduler": None}


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """tcp://127.0.0.1:PORT of a scheduler with two single-thread worker processes."""
    with loopback_cluster(tmp_path_factory.mktemp("dask"), workers=2) as (address, _):
        yield address


def on(address: str) -> dict:
    return {**CV, "backend": "dask", "scheduler": address}


@pytest.mark.parametrize("model", SPECS)
def test_cluster_gives_the_scores_of_threads(scheduler, synthetic_table, model):
    X, y = xy(synthetic_table.set_index("id"))
    here = run_search("t", SPECS[model], FEATURES, CV, X, y)
    with cluster(on(scheduler)):
        there = run_search("t", SPECS[model], FEATURES, on(scheduler), X, y)
    assert there[0] == here[0] and there[1] == here[1]  # the record and every fold's score


def test_out_of_fold_scores_on_the_cluster_are_those_of_threads(scheduler, synthetic_table):
    """The calibrate stage's leak-free scores: each fold's forest fitted on a worker."""
    spec = {"estimator": "extra_trees", "args": {"n_estimators": 30, "random_state": 0}}
    X, y = xy(synthetic_table)
    pipeline = build_pipeline(spec).fit(X, y)
    here = out_of_fold(pipeline, X, y, CV)
    with cluster(on(scheduler)):
        there = out_of_fold(pipeline, X, y, on(scheduler))
    np.testing.assert_array_equal(there, here)


def test_a_fits_inner_loops_stay_in_its_worker(scheduler):
    """joblib's dask backend would send each inner loop (a forest's trees) to the cluster as tasks of their own."""
    from joblib import Parallel, delayed, parallel_config

    def a_fit():  # a closure: sent by value, so the scheduler needs no module of ours
        return os.getpid(), set(Parallel(n_jobs=2)(delayed(os.getpid)() for _ in range(8)))

    with cluster(on(scheduler)), parallel_config(backend="dask"):
        seen = Parallel(n_jobs=-1)(delayed(a_fit)() for _ in range(4))
    assert all(inner == {own} for own, inner in seen), seen


def test_the_environment_variable_names_the_scheduler(scheduler, monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", scheduler)
    with cluster(on("tcp://127.0.0.1:1")) as client:
        assert client.scheduler.address == scheduler


def test_an_unreachable_scheduler_is_one_error_within_bounded_time(monkeypatch):
    monkeypatch.setattr(cluster_module, "CONNECT_SECONDS", 2)  # the queue test below waits the real 10 s
    start_ = time.monotonic()
    with pytest.raises(ClusterError, match=r"tcp://127\.0\.0\.1:1: not reachable within 2 s"):
        with cluster(on("tcp://127.0.0.1:1")):
            pass
    assert time.monotonic() - start_ < 6
    with pytest.raises(ParamsError, match="cv.scheduler"):
        with cluster({**CV, "backend": "dask"}):
            pass


def test_a_worker_with_other_package_versions_is_refused(scheduler, tmp_path):
    """A third worker process whose Python path puts another joblib release's metadata first (what
    Client.get_versions reads, as from an environment installed apart from requirements.txt)."""
    from importlib.metadata import version

    other = tmp_path / "site" / "joblib-1.0.0.dist-info"
    other.mkdir(parents=True)
    (other / "METADATA").write_text("Metadata-Version: 2.1\nName: joblib\nVersion: 1.0.0\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    worker = start_workers(scheduler, tmp_path / "other.log", 1, env)
    try:
        from dask.distributed import Client

        with Client(scheduler, timeout="10s") as client:
            client.wait_for_workers(3, timeout=60)
        mismatch = rf"Dask cluster {scheduler} runs other package versions: joblib {version('joblib')} here, " \
                   r"1\.0\.0 on worker tcp://127\.0\.0\.1:\d+$"
        with pytest.raises(ClusterError, match=mismatch):
            with cluster(on(scheduler)):
                pass
    finally:
        stop(worker)
        deadline = time.monotonic() + 30
        while workers_of(scheduler) != 2 and time.monotonic() < deadline:  # gone, for the tests after this one
            time.sleep(0.2)


def test_a_worker_killed_mid_search_is_one_error_naming_the_cluster(scheduler, synthetic_table):
    """joblib's dask backend does not retry the lost worker's batch: the search stops with one error."""
    from dask.distributed import Client

    X, y = xy(synthetic_table.set_index("id"))
    spec = {"estimator": "extra_trees", "args": {"n_estimators": 300, "random_state": 0},
            "grid": {"min_samples_leaf": [1, 2, 3, 4, 6, 8, 12, 16]}, "scalers": ["none"], "search": {"method": "grid"}}
    raised = []

    def search():
        try:
            with cluster(on(scheduler)):
                run_search("t", spec, FEATURES, on(scheduler), X, y)
        except ClusterError as err:
            raised.append(str(err))

    thread = threading.Thread(target=search)
    thread.start()
    with Client(scheduler, timeout="10s") as client:
        pids = client.run(os.getpid)
        deadline = time.monotonic() + 60
        busy = []
        while not busy and time.monotonic() < deadline:  # a worker with a fit in hand: its loss loses that fit
            busy = sorted(address for address, keys in client.processing().items() if keys)
            time.sleep(0.05)
        assert busy and thread.is_alive()
        victim = pids[busy[0]]
    os.kill(victim, signal.SIGKILL)
    thread.join(120)
    assert not thread.is_alive() and len(raised) == 1 and raised[0].startswith(f"Dask cluster {scheduler}: ")
    with Client(scheduler, timeout="10s") as client:  # the nanny's new worker, for the tests after this one
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            workers = client.scheduler_info()["workers"]
            if busy[0] not in workers and len(workers) == 2:
                break
            time.sleep(0.2)
        assert victim not in client.run(os.getpid).values()


TARGET = "select@train"  # the searches on the cluster, and the model fitted on their choice


def test_a_queue_of_experiments_shares_the_cluster_and_writes_the_bytes_of_threads(scheduler, tmp_path):
    """Threads first; then three queued experiments run at once against the one cluster: the same params
    (every output byte-identical to threads), another SVC grid, and an unreachable scheduler (fails, named).
    The project's queued-experiment test: `dvc queue` runs the same way whatever `cv.backend` the stages use."""
    from workspace import commit, make_workspace, run, run_queue

    others = ("knn", "tree", "logreg", "extra_trees", "knn_trees")  # SVC alone: the fits are not what is tested
    small = {"synthesize.n_customers": 300, "cv.folds": 3, "cv.repeats": 1, "models.svc.grid": {"C": [1]},
             **{f"models.{name}": None for name in others}}
    ws = make_workspace(tmp_path / "repo", small, git=True)
    run(["dvc", "repro", TARGET], ws)
    commit(ws, "threads")
    dask = ["-S", "cv.backend=dask", "-S", f"cv.scheduler={scheduler}"]
    for name, args in {"same": dask, "svc-c2": [*dask, "-S", "models.svc.grid.C=[2]"],
                       "unreachable": ["-S", "cv.backend=dask", "-S", "cv.scheduler=tcp://127.0.0.1:1"]}.items():
        run(["dvc", "exp", "run", "--queue", "-n", name, *args, TARGET], ws)
    status = run_queue(ws, jobs=3)  # all at once: the unreachable one mostly waits
    assert status.count("Success") == 2 and status.count("Failed") == 1, status
    failed = run(["dvc", "queue", "logs", "unreachable"], ws).stdout
    assert "error: Dask scheduler tcp://127.0.0.1:1: not reachable within 10 s" in failed
    shown = json.loads(run(["dvc", "exp", "show", "--json"], ws).stdout)
    done = {exp["name"]: exp["revs"][0] for rev in shown for exp in (rev.get("experiments") or [])}
    for name, c in (("same", 1), ("svc-c2", 2)):  # each experiment shows its own params and metrics
        data = done[name]["data"]
        assert data["params"]["params.yaml"]["data"]["models"]["svc"]["grid"]["C"] == [c]
        svc = data["metrics"]["metrics/cv/train/svc.json"]["data"]
        assert svc["best_params"]["C"] == c and 0 < svc["cv_roc_auc"] <= 1
        assert data["metrics"]["metrics/selection.json"]["data"]["cv_roc_auc"] == svc["cv_roc_auc"]

    def outputs(rev: str) -> dict:
        return lock_outputs(run(["git", "show", f"{rev}:dvc.lock"], ws).stdout)

    threads = outputs("HEAD")
    assert len(threads) >= 12 and outputs(done["same"]["rev"]) == threads  # models, metrics, plots, reports
