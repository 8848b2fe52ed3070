"""Lesson 5's jobs on dask.distributed, the system lesson 5 is modelled on, on the same
machine, to compare with the tables of `solution-05`.

1. Empty tasks: a LocalCluster of 1 and of 2 worker processes (1 thread each), N no-op
   tasks submitted with `client.map(..., pure=False)` and gathered: tasks per second and
   microseconds per task, as in the table "Empty tasks".
2. Lesson 3's per-symbol, per-year statistics of the close over the minute files of some
   years, one task per group of 16 files (as `solution-05` does), each task reading its
   files with Polars and aggregating them; the partial results are merged in the client.
   On 1 and 2 worker processes, and with Polars alone in this process (no dask) for the
   single-machine baseline. On 2 worker processes also as section 5.4's tree: the partial
   results kept on the workers (futures) and merged two by two by tasks that take them
   (`client.submit(merge2, a, b)`), only the root gathered.

Medians of --runs runs, the variants interleaved round by round. These packages are NOT
dependencies of the course. To repeat the comparison:

    python3 -m venv /tmp/compare && /tmp/compare/bin/pip install "dask[distributed]" polars
    /tmp/compare/bin/python scripts/compare/05-distributed.py [DATASET_DIR] [--runs 3] [--only files]
"""

import argparse
import os
import statistics
import time

import polars as pl
from dask.distributed import Client, LocalCluster


def noop(_):
    return None


def stats_of(paths):
    """Per (symbol, year): count, sum, min, max of the close, over some minute files."""
    frames = [
        pl.read_csv(p, columns=["timestamp", "close"], schema_overrides={"timestamp": pl.String})
        .with_columns(pl.lit(os.path.basename(os.path.dirname(p))).alias("symbol"))
        for p in paths
    ]
    return (
        pl.concat(frames)
        .with_columns(pl.col("timestamp").str.slice(0, 4).cast(pl.Int32).alias("year"))
        .group_by("symbol", "year")
        .agg(
            pl.len().alias("count"),
            pl.col("close").sum().alias("sum"),
            pl.col("close").min().alias("min"),
            pl.col("close").max().alias("max"),
        )
    )


def merge(parts):
    return (
        pl.concat(parts)
        .group_by("symbol", "year")
        .agg(pl.col("count").sum(), pl.col("sum").sum(), pl.col("min").min(), pl.col("max").max())
        .sort("symbol", "year")
    )


def merge2(a, b):
    return merge([a, b])


def tree(client, groups):
    """Section 5.4's tree of merges: the leaves and inner merges stay on the workers."""
    level = client.map(stats_of, groups, pure=False)
    while len(level) > 1:
        level = [
            client.submit(merge2, *level[i : i + 2], pure=False) if i + 1 < len(level) else level[i]
            for i in range(0, len(level), 2)
        ]
    return level[0].result().sort("symbol", "year")


def interleaved(runs, variants):
    """Times each variant once per round; returns {name: (median, times, last result)}."""
    times = {name: [] for name, _ in variants}
    results = {}
    for _ in range(runs):
        for name, work in variants:
            start = time.perf_counter()
            results[name] = work()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(t), t, results[name]) for name, t in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "..", "data"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tasks", type=int, nargs="+", default=[10_000, 20_000])
    parser.add_argument("--year", type=int, default=2012)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--files-per-task", type=int, default=16)
    parser.add_argument("--only", choices=["tasks", "files"], help="run one of the two parts")
    args = parser.parse_args()

    clusters = {}
    try:
        run(args, clusters)
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()


def run(args, clusters):
    for n in (1, 2):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        clusters[n] = (cluster, Client(cluster))

    print(f"dask {__import__('dask').__version__}, {os.cpu_count()} cores", flush=True)
    for tasks in args.tasks if args.only != "files" else []:
        variants = [
            (f"{n} worker process{'es' if n > 1 else ''}",
             lambda c=client: c.gather(c.map(noop, range(tasks), pure=False)))
            for n, (_, client) in clusters.items()
        ]
        for name, (median, times, result) in interleaved(args.runs, variants).items():
            assert len(result) == tasks
            runs = ", ".join(f"{t:.2f}" for t in times)
            print(
                f"empty tasks, {tasks}, {name}: median {median:.2f} s ({runs}): "
                f"{tasks / median:,.0f} tasks/s, {median / tasks * 1e6:,.0f} µs per task",
                flush=True,
            )

    if args.only == "tasks":
        return
    minute = os.path.join(args.root, "minute")
    years = tuple(str(y) for y in range(args.year, args.year + args.years))
    files = sorted(
        os.path.join(minute, s, f)
        for s in os.listdir(minute)
        for f in os.listdir(os.path.join(minute, s))
        if f.startswith(years)
    )
    groups = [files[i : i + args.files_per_task] for i in range(0, len(files), args.files_per_task)]
    variants = [("Polars in this process, no dask", lambda: merge([stats_of(g) for g in groups]))]
    for n, (_, client) in clusters.items():
        name = f"dask, {n} worker process{'es' if n > 1 else ''}"
        variants.append((name, lambda c=client: merge(c.gather(c.map(stats_of, groups, pure=False)))))
    variants.append(("dask, 2 worker processes, tree of merges", lambda c=clusters[2][1]: tree(c, groups)))
    timed = interleaved(args.runs, variants)
    print(f"yearly stats {args.year}-{args.year + args.years - 1}: {len(files)} files in {len(groups)} tasks")
    for name, (median, times, result) in timed.items():
        runs = ", ".join(f"{t:.2f}" for t in times)
        bars = result["count"].sum()
        print(f"  {name}: median {median:.2f} s ({runs}); {len(result)} symbol-years, {bars:,} bars")


if __name__ == "__main__":
    main()
