"""Run a stage's main(): a user error becomes one message on stderr and exit code 1.

A successful stage appends its wall time and peak memory to logs/stages.jsonl
(git-ignored, not a DVC output: seconds differ run to run) for the benchmark.
"""

import json
import os
import resource
import sys
import warnings
from pathlib import Path

from oneclick.common.errors import ClusterError, DataError, ParamsError
from oneclick.common.paths import STAGE_TIMINGS


def run(main) -> None:
    warnings.simplefilter("default")  # show, never hide: the pinned stack is warning-free
    try:
        main()
    except (DataError, ParamsError, ClusterError) as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
    if Path(sys.argv[0]).parent.name == "stages":  # a pipeline stage, not the predict command
        _record_timing()


def _record_timing() -> None:
    stage = os.environ.get("DVC_STAGE") or "@".join([Path(sys.argv[0]).stem] + sys.argv[1:])
    peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    record = {"stage": stage, "seconds": round(_process_seconds(), 2),
              "peak_rss_mb": round(peak_kb / 1024)}
    Path(STAGE_TIMINGS).parent.mkdir(parents=True, exist_ok=True)
    with Path(STAGE_TIMINGS).open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def _process_seconds() -> float:
    """Wall time since this process started, interpreter start-up and imports included.

    From /proc (clock ticks since boot), not psutil's create_time(), whose
    boot time is rounded to whole seconds.
    """
    start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
