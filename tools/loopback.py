"""A Dask scheduler and worker processes on 127.0.0.1, for the cluster tests and the benchmark.

Each is a `dask scheduler` / `dask worker` command of this environment, started in a process group of its
own and stopped by that group's id (a worker's nanny forks the worker process), so nothing outlives its user.
"""

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent


def start(args: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env)


def stop(process: subprocess.Popen) -> None:
    """The process and its children, by process group id."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_workers(address: str, log: Path, workers: int, env: dict | None = None) -> subprocess.Popen:
    """`workers` single-thread worker processes (one nanny each) for the scheduler at `address`."""
    return start([str(BIN / "dask"), "worker", address, "--nworkers", str(workers), "--nthreads", "1",
                  "--host", "127.0.0.1", "--no-dashboard"], log, env)


def workers_of(address: str) -> int:
    from dask.distributed import Client

    with Client(address, timeout="10s") as client:
        return len(client.scheduler_info()["workers"])


@contextmanager
def loopback_cluster(log_dir: Path, workers: int = 2):
    """Yield (address, [scheduler, workers] processes) of a scheduler with `workers` worker processes."""
    file = log_dir / "scheduler.json"
    scheduler = start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                       "--scheduler-file", str(file)], log_dir / "scheduler.log")
    processes = [scheduler]
    try:
        deadline = time.monotonic() + 30
        while not file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        processes.append(start_workers(address, log_dir / "workers.log", workers))
        from dask.distributed import Client

        with Client(address, timeout="10s") as client:
            client.wait_for_workers(workers, timeout=60)
        yield address, processes
    finally:
        for process in reversed(processes):
            stop(process)
