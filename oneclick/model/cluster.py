"""`cv.backend: dask`: a search's folds run on a Dask cluster, through joblib's dask backend.

Nothing of our own schedules anything: scikit-learn's searches dispatch their fits through joblib, and
dask.distributed is a joblib backend. This module connects to the scheduler, checks that its workers run
our versions of the packages that fit and score, and turns the cluster's failures into one error naming
the address. The backend is not part of any output: the same folds give the same scores anywhere.
"""

import os
from contextlib import contextmanager

from oneclick.common.errors import ClusterError, ParamsError

CONNECT_SECONDS = 10
# what must match between this process and the workers for the scores to be the same
PACKAGES = ("sklearn", "numpy", "scipy", "pandas", "joblib")


def address(cv: dict) -> str:
    found = os.environ.get("DASK_SCHEDULER_ADDRESS") or cv.get("scheduler")
    if not found:
        raise ParamsError("params.yaml: 'cv.backend' is dask, but neither 'cv.scheduler' nor the "
                          "DASK_SCHEDULER_ADDRESS environment variable names the scheduler")
    return found


def version_mismatches(versions: dict) -> list[str]:
    """`package: ours vs worker's` for each package of PACKAGES that differs, from Client.get_versions()."""
    ours = versions["client"]["packages"]
    found = []
    for worker, info in sorted((versions.get("workers") or {}).items()):
        for package in PACKAGES:
            theirs = info["packages"].get(package)
            if theirs != ours.get(package):
                found.append(f"{package} {ours.get(package)} here, {theirs} on worker {worker}")
    return found


def keep_inner_loops_in_the_worker(client) -> None:
    """Make each fit on the cluster run its own joblib loops (a forest's trees, a ColumnTransformer's columns,
    the k-NN queries, a calibrator's folds) inside its worker process, as loky's processes do.

    joblib's dask backend runs every task under `parallel_config(backend="dask")` and ignores n_jobs there
    (joblib#1013), so by default each inner loop becomes tasks of the cluster: 300 per forest fit. Measured on
    a loopback cluster of two workers, a 300-tree ExtraTrees fit took 4.7 s instead of 1.2 s, a k-NN fit
    0.12 s instead of 0.008 s. The plugin re-registers "dask" as joblib's threading backend in each worker
    process (n_jobs=None: one thread), for every task on those workers; it is sent by value (cloudpickle), so
    the workers need no code of this package. Results do not depend on it.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class InnerLoopsInTheWorker(WorkerPlugin):
        name = "oneclick-inner-loops-in-the-worker"
        idempotent = True  # every stage registers it; the workers set it up once

        def setup(self, worker):
            from joblib import register_parallel_backend
            from joblib._parallel_backends import ThreadingBackend

            register_parallel_backend("dask", ThreadingBackend)

    client.register_plugin(InnerLoopsInTheWorker())


@contextmanager
def cluster(cv: dict):
    """A connected client for `cv.backend: dask` (joblib's dask backend uses it), nothing for threads."""
    if cv.get("backend", "threads") != "dask":
        yield None
        return
    where = address(cv)
    from dask.distributed import Client  # only with the dask backend: it costs about a second to import

    try:
        client = Client(where, timeout=f"{CONNECT_SECONDS}s", set_as_default=True)
    except (OSError, TimeoutError) as err:
        raise ClusterError(f"Dask scheduler {where}: not reachable within {CONNECT_SECONDS} s ({err})") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)  # returns at once when one is there
        mismatches = version_mismatches(client.get_versions(packages=list(PACKAGES)))
        if mismatches:
            raise ClusterError(f"Dask cluster {where} runs other package versions: " + "; ".join(mismatches))
        keep_inner_loops_in_the_worker(client)
        yield client
    except Exception as err:  # the cluster's own failures (a lost worker, a closed connection), not ours
        if isinstance(err, (OSError, TimeoutError)) or type(err).__module__.startswith("distributed"):
            raise ClusterError(f"Dask cluster {where}: {type(err).__name__}: {err}") from None
        raise
    finally:
        client.close()
