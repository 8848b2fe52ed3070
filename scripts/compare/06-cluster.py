"""Lesson 6's group-by (every symbol's daily open, high, low, close and volume over the
whole minute tree) with what a user would reach for instead, on the same machine, to
compare with the table of `solution-06`:

1. dask.dataframe on a LocalCluster of 2 worker processes (1 thread each): `read_csv` over
   every file (one partition per file, as dask does for many small files), a `symbol`
   column from the path, then `groupby([symbol, date]).agg(first, max, min, last, sum)`.
2. Polars alone in this process (its own thread pool, every core): `scan_csv` over the same
   files, the same aggregation, collected.

Medians of --runs runs. These packages are NOT dependencies of the course. To repeat:

    python3 -m venv /tmp/compare && /tmp/compare/bin/pip install "dask[distributed,dataframe]" polars
    /tmp/compare/bin/python scripts/compare/06-cluster.py [DATASET_DIR] [--runs 3] [--only dask|polars]
"""

import argparse
import glob
import os
import statistics
import time


def dask_groupby(files, client):
    import dask.dataframe as dd

    frame = dd.read_csv(files, include_path_column="path", dtype={"volume": "int64"})
    frame["symbol"] = frame["path"].str.split("/").str[-2]
    frame["date"] = frame["timestamp"].str.slice(0, 10)
    daily = frame.groupby(["symbol", "date"]).agg(
        {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
    )
    return len(daily.compute())


def polars_groupby(files):
    import polars as pl

    frame = pl.scan_csv(files, include_file_paths="path", schema_overrides={"timestamp": pl.String})
    daily = (
        frame.with_columns(
            pl.col("path").str.split("/").list.get(-2).alias("symbol"),
            pl.col("timestamp").str.slice(0, 10).alias("date"),
        )
        .group_by(["symbol", "date"])
        .agg(
            pl.col("open").first(),
            pl.col("high").max(),
            pl.col("low").min(),
            pl.col("close").last(),
            pl.col("volume").sum(),
        )
    )
    return daily.collect().height


def timed(runs, work):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data", nargs="?", default="data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["dask", "polars"])
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(args.data, "minute", "*", "*.csv")))
    print(f"{len(files)} files under {args.data}/minute, median of {args.runs} runs")
    if args.only in (None, "polars"):
        seconds, days = timed(args.runs, lambda: polars_groupby(files))
        print(f"polars, 1 process ({os.cpu_count()} cores): {seconds:.2f} s, {days} days")
    if args.only in (None, "dask"):
        from dask.distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
            with Client(cluster) as client:
                seconds, days = timed(args.runs, lambda: dask_groupby(files, client))
        print(f"dask.dataframe, 2 worker processes x 1 thread: {seconds:.2f} s, {days} days")


if __name__ == "__main__":
    main()
