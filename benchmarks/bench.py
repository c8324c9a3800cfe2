"""Benchmark: `make bench` writes benchmarks/results.md (medians of repeated runs, this machine).

Measures, each in a sandbox copy of the repo:
  1. full `dvc repro --force` on the real files as `make real` runs them (the demo campaign and months of the
     synthetic store left out), beside a base revision (`--base`, default main) in the same run, alternately:
     machines here differ by up to 2x, so the verdict is on the ratio to the base (at most 0.85); per-stage times;
  2. no-op `dvc repro` (at most the base's time) and `dvc repro` after editing the report's module (<= 10 s);
  3. one model's grid changed via `dvc exp run -S`: time and the stages that ran;
  4. 100 000 synthetic customers end to end (target <= 5 min, <= 4 GB peak), per-stage table, with the
     threads backend and again on a loopback Dask cluster of two single-thread worker processes;
  5. 1 000 000 synthetic customers end to end (target <= 15 min, <= 8 GB peak), per-stage table.
Peak memory is sampled every 0.25 s over every process of the run (dvc, the stage, its worker processes,
and the cluster's), summed: a conservative figure, since processes share library pages.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tools.loopback import loopback_cluster
from tools.sandbox import commit, env, export_revision, lock_outputs, make_sandbox, ran_stages, run

TARGETS = {"real_ratio": 0.85, "noop_ratio": 1.0, "edit_report": 10.0, "large": 300.0, "large_mb": 4096,
           "million": 900.0, "million_mb": 8192}
# the params `make real` sets beside data.raw_dir: no simulated campaign or month informs a real plan or report
MAKE_REAL = {"readout.campaigns": {}, "monitor.exports": {}}
# At 100k customers the searches (both passes) run on stratified subsamples (search.subsample): 2000 rows
# for the kernel and neighbour models and the votes (their cost grows with the square of the rows), 4000
# for ExtraTrees, 5000 for liblinear (one thread), 20000 for the single tree; the explain stage explains
# 300 test customers (a vote of k-NN and trees gets permutation SHAP, linear in the rows). Documented in the README.
LARGE = {
    "synthesize.n_customers": 100_000,
    "models.svc.search": {"method": "grid", "subsample": 2000},
    "models.knn.search": {"method": "grid", "subsample": 2000},
    "models.knn_trees.search": {"method": "grid", "subsample": 2000},
    "models.extra_trees.search": {"method": "grid", "subsample": 4000},
    "models.logreg.search": {"method": "grid", "subsample": 5000},
    "models.tree.search": {"method": "grid", "subsample": 20000},
    "explain.max_rows": 300,
}
MILLION = {**LARGE, "synthesize.n_customers": 1_000_000}  # the same subsamples: their cost does not grow


def timed(cmd, cwd):
    start = time.perf_counter()
    result = run(cmd, cwd)
    return time.perf_counter() - start, result


def tree_rss_mb(roots: list[int]) -> float:
    """Resident memory of the processes `roots` and all their descendants, summed, in MB (from /proc)."""
    children, rss = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we looked
            continue
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21])
    total, todo = 0, list(roots)
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def measured(cmd, cwd, also: list[int] = ()) -> tuple[float, float]:
    """Wall seconds of `cmd` and the peak of tree_rss_mb over it and the processes `also` (a cluster's)."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak, done = [0.0], threading.Event()

    def sample():
        while not done.wait(0.25):
            peak[0] = max(peak[0], tree_rss_mb([process.pid, *also]))

    sampler = threading.Thread(target=sample)
    sampler.start()
    output = process.communicate()[0]
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({process.returncode}):\n{output[-5000:]}")
    return time.perf_counter() - start, peak[0]


def last_run(repo: Path) -> list[dict]:
    """Seconds and peak memory per stage of the last run (logs/stages.jsonl), slowest first."""
    last = {}
    for line in (repo / "logs" / "stages.jsonl").read_text().splitlines():
        record = json.loads(line)
        last[record["stage"]] = record
    return sorted(last.values(), key=lambda r: -r["seconds"])


def stage_table(repo: Path) -> tuple[str, float]:
    records = last_run(repo)
    rows = ["| stage | seconds | peak RSS MB |", "|---|---|---|"]
    rows += [f"| {r['stage']} | {r['seconds']:.1f} | {r['peak_rss_mb']} |" for r in records]
    return "\n".join(rows), max(r["peak_rss_mb"] for r in records)


def where_time_goes(repo: Path, wall: float) -> str:
    """The last full run split into the stage processes (searches apart) and DVC's own time between them."""
    records = last_run(repo)
    stages = sum(r["seconds"] for r in records)
    searches = sum(r["seconds"] for r in records if r["stage"].startswith("search@"))
    return (f"Where the last full run's {wall:.1f} s go: {len(records)} stage processes {stages:.1f} s (imports "
            f"included; the {sum(r['stage'].startswith('search@') for r in records)} searches {searches:.1f} s), "
            f"and {wall - stages:.1f} s of DVC's own work around them (it re-reads and rewrites dvc.lock after "
            "every stage).")


def probe() -> float:
    """Seconds of a fixed pure-Python loop: how fast this machine's shared cores are at the moment."""
    start = time.perf_counter()
    sum(i * i for i in range(3_000_000))
    return time.perf_counter() - start


def verdict(value, target, unit="s"):
    if value <= target:
        return f"met (target <= {target:g} {unit})"
    return f"**missed** by {value - target:.1f} {unit} (target <= {target:g} {unit})"


def warm_up(repo: Path) -> None:
    run(["dvc", "repro"], repo)  # imports compiled, OS caches filled
    (repo / "logs" / "stages.jsonl").unlink()


def full_run(repo: Path) -> float:
    return timed(["dvc", "repro", "--force"], repo)[0]


def real_params(source: Path, raw_dir: Path, demo: bool) -> dict:
    """The params of a real run in a tree: the raw folder, and `make real`'s other settings where it has them."""
    import yaml

    keys = yaml.safe_load((source / "params.yaml").read_text(encoding="utf-8"))
    extra = {} if demo else {k: v for k, v in MAKE_REAL.items() if k.split(".")[0] in keys}
    return {"data.raw_dir": str(raw_dir.resolve()), **extra}


REPORT_MODULES = ("oneclick/report/report.py", "oneclick/report.py")  # the report's code, after and before #29


def edit_report_run(repo: Path) -> float:
    """Seconds of `dvc repro` after a one-line edit of the report's module (then put back, and re-run)."""
    module = next(repo / m for m in REPORT_MODULES if (repo / m).is_file())
    original = module.read_bytes()
    module.write_bytes(original + b"# an edit of the report's wording\n")
    try:
        return timed(["dvc", "repro"], repo)[0]
    finally:
        module.write_bytes(original)
        run(["dvc", "repro"], repo)


def bench_real(tmp: Path, raw_dir: Path, repeats: int, base: str) -> list[str]:
    base_src = export_revision(base, tmp / "base_src")
    base_repo = make_sandbox(tmp / "base", real_params(base_src, raw_dir, False), git=True, source=base_src)
    repo = make_sandbox(tmp / "real", real_params(Path("."), raw_dir, False), git=True)
    for sandbox in (base_repo, repo):
        warm_up(sandbox)
    base_full, head_full, speed = [], [], []
    for _ in range(repeats):  # alternated, so a change in the machine's speed hits both alike
        speed.append(probe())
        base_full.append(full_run(base_repo))
        head_full.append(full_run(repo))
    where = where_time_goes(repo, head_full[-1])
    table, peak = stage_table(repo)
    base_noop, head_noop, base_edit, head_edit = [], [], [], []
    for sandbox in (base_repo, repo):
        commit(sandbox, "baseline")
    for _ in range(repeats):
        base_noop += [timed(["dvc", "repro"], base_repo)[0]]
        head_noop += [timed(["dvc", "repro"], repo)[0]]
        base_edit += [edit_report_run(base_repo)]
        head_edit += [edit_report_run(repo)]
    grid_s, result = timed(["dvc", "exp", "run", "-S", "models.svc.grid.C=[0.25,0.5,1]"], repo)
    ran = ran_stages(result.stdout)
    med, base_med = statistics.median(head_full), statistics.median(base_full)
    ratio = med / base_med
    noop_ratio = statistics.median(head_noop) / statistics.median(base_noop)
    edit_med = statistics.median(head_edit)
    pairs = ", ".join(f"{h / b:.2f}" for h, b in zip(head_full, base_full, strict=True))

    def runs(values):
        return ", ".join(f"{s:.1f}" for s in values)

    return [
        "## Real data (../shared/data/market, 1040 customers)",
        "",
        f"`{base}` and this tree timed alternately in the same run: machines here differ by up to 2x, so the "
        "verdicts are ratios.",
        "",
        f"- full `dvc repro --force` as `make real` runs it: median **{med:.1f} s** of {repeats} ({runs(head_full)}); "
        f"`{base}`: median {base_med:.1f} s ({runs(base_full)}); ratio of the medians **{ratio:.2f}** (run by run: "
        f"{pairs}): " + verdict(ratio, TARGETS["real_ratio"], "x"),
        f"- no-op `dvc repro`: median **{statistics.median(head_noop):.2f} s** ({runs(head_noop)}); `{base}` "
        f"{statistics.median(base_noop):.2f} s ({runs(base_noop)}); ratio **{noop_ratio:.2f}**: "
        + verdict(noop_ratio, TARGETS["noop_ratio"], "x"),
        f"- `dvc repro` after a one-line edit of the report's module: median **{edit_med:.1f} s** ({runs(head_edit)}): "
        f"{verdict(edit_med, TARGETS['edit_report'])}; `{base}` {statistics.median(base_edit):.1f} s "
        f"({runs(base_edit)}), where every stage depends on the whole package",
        f"- `dvc exp run -S models.svc.grid.C=[0.25,0.5,1]`: {grid_s:.1f} s; stages that ran: "
        + ", ".join(f"`{s}`" for s in ran),
        f"- peak memory of any stage: {peak} MB",
        f"- machine speed probe before each round (a fixed Python loop; lower is faster): "
        f"{', '.join(f'{s:.2f}' for s in speed)} s; the cores are shared, and stage times move with it.",
        "",
        where,
        "",
        "Per stage (the last full run of this tree; wall time of the stage's process, imports included):",
        "",
        table,
        "",
    ]


def search_work(repo: Path) -> dict:
    """Per search stage: (fits, seconds of fitting and scoring summed over them): the work a backend shares out."""
    out = {}
    for timing in (repo / "logs" / "timing").glob("search_*.json"):
        record = json.loads(timing.read_text())
        part, model = record["stage"].split("-", 1)
        cv = json.loads((repo / "metrics" / "cv" / part / f"{model}.json").read_text())
        out[f"search@{record['stage']}"] = (cv["candidates"] * cv["folds"] * cv["repeats"], record["search_seconds"])
    return out


def bench_large(tmp: Path) -> list[str]:
    """100 000 customers with the threads backend, then on a loopback cluster of two worker processes."""
    threads_repo = make_sandbox(tmp / "large", LARGE, git=True)
    threads_s, threads_mb = measured(["dvc", "repro"], threads_repo)
    with loopback_cluster(tmp, workers=2) as (address, processes):
        dask_repo = make_sandbox(tmp / "large_dask", {**LARGE, "cv.backend": "dask", "cv.scheduler": address},
                                 git=True)
        dask_s, dask_mb = measured(["dvc", "repro"], dask_repo, also=[p.pid for p in processes])
    threads, dask = ({r["stage"]: r for r in last_run(repo)} for repo in (threads_repo, dask_repo))
    work = search_work(threads_repo)
    same = lock_outputs((threads_repo / "dvc.lock").read_text()) == lock_outputs((dask_repo / "dvc.lock").read_text())
    rows = ["| stage | threads s | cluster s | threads peak MB | cluster peak MB (client) | fits | fit + score s |",
            "|---|---|---|---|---|---|---|"]
    for stage, record in sorted(threads.items(), key=lambda item: -item[1]["seconds"]):
        fits, seconds = work.get(stage, ("", ""))
        rows.append(f"| {stage} | {record['seconds']:.1f} | {dask[stage]['seconds']:.1f} | {record['peak_rss_mb']} "
                    f"| {dask[stage]['peak_rss_mb']} | {fits} | {seconds if seconds == '' else f'{seconds:.1f}'} |")
    searches = [s for s in threads if s.startswith("search@")]
    return [
        "## 100 000 synthetic customers, end to end",
        "",
        "Params: " + ", ".join(f"`{k}={v}`" for k, v in LARGE.items()),
        "",
        f"- threads backend, `dvc repro` from scratch: **{threads_s:.0f} s**: {verdict(threads_s, TARGETS['large'])}; "
        f"peak memory of the whole run **{threads_mb:.0f} MB**: {verdict(threads_mb, TARGETS['large_mb'], 'MB')}",
        f"- `cv.backend=dask` on a loopback cluster (`dask scheduler` and `dask worker --nworkers 2 --nthreads 1` "
        f"on 127.0.0.1, the same 2 cores): **{dask_s:.0f} s**, peak memory with the cluster's processes "
        f"{dask_mb:.0f} MB",
        f"- the {len(searches)} searches: {sum(threads[s]['seconds'] for s in searches):.0f} s with threads, "
        f"{sum(dask[s]['seconds'] for s in searches):.0f} s on the cluster; their fits and scoring add up to "
        f"{sum(work[s][1] for s in searches):.0f} s of work (the `fit + score s` column)",
        f"- every output of the two runs byte-identical (md5 in dvc.lock): **{'yes' if same else 'NO'}**",
        "",
        "Per stage, slowest first (wall time of the stage's process, imports included; on the cluster the fits",
        "run in the workers, whose memory is not in the stage's column):",
        "",
        *rows,
        "",
    ]


def bench_million(tmp: Path) -> list[str]:
    repo = make_sandbox(tmp / "million", MILLION, git=True)
    seconds, peak = measured(["dvc", "repro"], repo)
    table, stage_peak = stage_table(repo)
    return [
        "## 1 000 000 synthetic customers, end to end",
        "",
        "Params: the 100 000 run's, with `synthesize.n_customers=1000000`",
        "",
        f"- `dvc repro` from scratch, threads backend: **{seconds:.0f} s**: {verdict(seconds, TARGETS['million'])}",
        f"- peak memory of the whole run: **{peak:.0f} MB**: {verdict(peak, TARGETS['million_mb'], 'MB')} "
        f"(largest stage process: {stage_peak} MB)",
        "",
        where_time_goes(repo, seconds),
        "",
        table,
        "",
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=Path("../shared/data/market"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--base", default="main", help="git revision timed beside the working copy")
    parser.add_argument("--only", choices=list(PARTS), action="append",
                        help="run these parts (repeatable); the others keep their old text")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results.md"))
    args = parser.parse_args(argv)
    lines = ["# Benchmark results", "",
             f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; "
             "written by `make bench` (benchmarks/bench.py). Times are wall-clock.", ""]
    old = _sections(args.output)
    with tempfile.TemporaryDirectory() as tmp:
        for part in PARTS:
            if args.only and part not in args.only:
                lines += old.get(part, [])
                continue
            if part == "real":
                lines += bench_real(Path(tmp), args.raw_dir, args.repeats, args.base)
            else:
                lines += {"large": bench_large, "million": bench_million}[part](Path(tmp))
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


PARTS = {"real": "## Real", "large": "## 100 000", "million": "## 1 000 000"}  # part -> its section's heading


def _sections(path: Path) -> dict:
    """The sections of an earlier results file by part, to keep those not re-run."""
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8").splitlines(keepends=False)
    marks = [i for i, line in enumerate(text) if line.startswith("## ")]
    out = {}
    for start, end in zip(marks, marks[1:] + [len(text)], strict=True):
        part = next((p for p, heading in PARTS.items() if text[start].startswith(heading)), None)
        if part:
            out[part] = text[start:end]
    return out


if __name__ == "__main__":
    main()
