"""Lesson 3's whole-dataset job done with Polars, the tool a Python user would reach for,
and an independent check of what `solution-03` printed and wrote.

1. Per-symbol, per-year count / mean / min / max of the close over every minute CSV
   (about 52,000 files), with Polars' lazy `scan_csv` over a glob; median of --runs runs.
   With --duckdb, the same query in DuckDB (one run; slow on many small files).
2. Checks output/03-datasets/yearly-stats.csv (written by solution-03) against Polars'
   answer: counts exactly, mean / min / max to 1e-6.
3. The max high of AIG in 2012 and the date(s) it happened (2016's dask.dataframe
   question), and the max high of every year, to compare with solution-03's tables.

These packages are NOT dependencies of the course. To repeat the comparison:

    python3 -m venv /tmp/compare && /tmp/compare/bin/pip install polars duckdb
    /tmp/compare/bin/python scripts/compare/03-datasets.py [DATASET_DIR] [--runs 3]
"""

import argparse
import csv
import os
import statistics
import time

import polars as pl


def median_time(runs, work):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def yearly_stats_polars(root):
    return (
        pl.scan_csv(
            os.path.join(root, "minute", "*", "*.csv"),
            include_file_paths="path",
            schema_overrides={"timestamp": pl.String},
        )
        .select(
            pl.col("path").str.split("/").list.get(-2).alias("symbol"),
            pl.col("timestamp").str.slice(0, 4).cast(pl.Int32).alias("year"),
            pl.col("close"),
        )
        .group_by("symbol", "year")
        .agg(
            pl.len().alias("count"),
            pl.col("close").mean().alias("mean"),
            pl.col("close").min().alias("min"),
            pl.col("close").max().alias("max"),
        )
        .sort("symbol", "year")
        .collect()
    )


def yearly_stats_duckdb(root):
    import duckdb

    glob = os.path.join(root, "minute", "*", "*.csv")
    return duckdb.sql(
        f"""select split_part(filename, '/', -2) as symbol, year(timestamp) as year,
                   count(*), avg(close), min(close), max(close)
            from read_csv('{glob}', filename = true) group by all order by all"""
    ).fetchall()


def check_against(path, polars_stats):
    if not os.path.exists(path):
        print(f"  {path} not found: run solution-03 first")
        return False
    ours = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            ours[(row["symbol"], int(row["year"]))] = row
    theirs = {(r["symbol"], r["year"]): r for r in polars_stats.iter_rows(named=True)}
    if ours.keys() != theirs.keys():
        print(f"  groups differ: {len(ours)} in {path}, {len(theirs)} from Polars")
        return False
    bad = 0
    for key, r in theirs.items():
        o = ours[key]
        if int(o["count"]) != r["count"] or any(
            abs(float(o[c]) - r[c]) > 1e-6 for c in ("mean", "min", "max")
        ):
            bad += 1
            if bad <= 3:
                print(f"  {key}: ours {dict(o)}, Polars {r}")
    print(f"  {len(theirs)} groups compared, {bad} differ")
    return bad == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", default="data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duckdb", action="store_true")
    args = parser.parse_args()
    files = sum(len(fs) for _, _, fs in os.walk(os.path.join(args.root, "minute")))
    print(f"Polars {pl.__version__}, {os.cpu_count()} cores, {files} minute files")

    median, times, stats = median_time(args.runs, lambda: yearly_stats_polars(args.root))
    runs = ", ".join(f"{t:.2f}" for t in times)
    print(f"per-symbol, per-year stats, Polars scan_csv: median {median:.2f} s ({runs})")
    if args.duckdb:
        median, _, _ = median_time(1, lambda: yearly_stats_duckdb(args.root))
        print(f"per-symbol, per-year stats, DuckDB read_csv: {median:.2f} s (one run)")

    print("check of output/03-datasets/yearly-stats.csv:")
    ok = check_against(os.path.join(args.root, "output", "03-datasets", "yearly-stats.csv"), stats)

    aig = pl.scan_csv(
        os.path.join(args.root, "minute", "AIG", "*.csv"), schema_overrides={"timestamp": pl.String}
    ).with_columns(pl.col("timestamp").str.slice(0, 10).alias("date"), pl.col("timestamp").str.slice(0, 4).alias("year"))
    y2012 = aig.filter(pl.col("year") == "2012").collect()
    top = y2012["high"].max()
    dates = sorted(set(y2012.filter(pl.col("high") == top)["date"]))
    print(f"AIG's max high in 2012: {top} on {', '.join(dates)}")
    by_year = aig.group_by("year").agg(pl.col("high").max()).sort("year").collect()
    print("AIG's max high per year:", ", ".join(f"{y} {h}" for y, h in by_year.iter_rows()))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
