"""Lesson 1's job done with the tools a Python user would reach for instead.

Converts every data/json/{SYM}.json to Parquet with Polars, DuckDB, pyarrow, and by hand
(orjson per line, a pool of processes, pyarrow to write), and prints the median of several
runs for each, in MB of JSON per second, beside the same-run ratio to the first row.

These packages are NOT dependencies of the course. To repeat the comparison:

    python3 -m venv /tmp/compare && /tmp/compare/bin/pip install polars duckdb pyarrow orjson
    /tmp/compare/bin/python scripts/compare/01-map.py [DATASET_DIR] [--runs 3]

Outputs go to /dev/shm (a RAM disk), like the Rust runs quoted in the book.
"""

import argparse
import glob
import multiprocessing
import os
import shutil
import statistics
import time

import duckdb
import orjson
import polars as pl
import pyarrow as pa
import pyarrow.json as pj
import pyarrow.parquet as pq

SCHEMA = {
    "timestamp": pl.String,
    "open": pl.Float64,
    "high": pl.Float64,
    "low": pl.Float64,
    "close": pl.Float64,
    "volume": pl.UInt64,
}


def polars_file(src, dst):
    df = pl.read_ndjson(src, schema=SCHEMA).with_columns(
        pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%S")
    )
    df.write_parquet(dst, compression="uncompressed")


def duckdb_file(src, dst):
    duckdb.sql(
        f"""COPY (SELECT * FROM read_json('{src}', format = 'newline_delimited',
                columns = {{timestamp: 'TIMESTAMP', open: 'DOUBLE', high: 'DOUBLE',
                            low: 'DOUBLE', close: 'DOUBLE', volume: 'UBIGINT'}}))
            TO '{dst}' (FORMAT parquet, COMPRESSION uncompressed)"""
    )


def pyarrow_file(src, dst):
    schema = pa.schema(
        [
            ("timestamp", pa.timestamp("s")),
            ("open", pa.float64()),
            ("high", pa.float64()),
            ("low", pa.float64()),
            ("close", pa.float64()),
            ("volume", pa.uint64()),
        ]
    )
    table = pj.read_json(src, parse_options=pj.ParseOptions(explicit_schema=schema))
    pq.write_table(table, dst, compression="none")


def by_hand_file(job):
    src, dst = job
    cols = {k: [] for k in SCHEMA}
    with open(src, "rb") as f:
        for line in f:
            if line.strip():
                rec = orjson.loads(line)
                for k in cols:
                    cols[k].append(rec[k])
    table = pa.table(cols).set_column(
        0, "timestamp", pa.array(cols["timestamp"]).cast(pa.timestamp("s"))
    )
    pq.write_table(table, dst, compression="none")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset", nargs="?", default="data")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    inputs = sorted(glob.glob(os.path.join(args.dataset, "json", "*.json")))
    size = sum(os.path.getsize(p) for p in inputs)
    for p in inputs:  # warm the page cache
        with open(p, "rb") as f:
            f.read()
    out = "/dev/shm/compare-01"
    os.makedirs(out, exist_ok=True)
    jobs = [(p, os.path.join(out, os.path.basename(p)[:-5] + ".parquet")) for p in inputs]
    cores = os.cpu_count()
    pool = multiprocessing.Pool(cores)

    variants = [
        ("Polars read_ndjson + write_parquet", lambda: [polars_file(*j) for j in jobs]),
        ("DuckDB read_json + COPY TO parquet", lambda: [duckdb_file(*j) for j in jobs]),
        ("pyarrow.json + pyarrow.parquet", lambda: [pyarrow_file(*j) for j in jobs]),
        (f"by hand: orjson per line, pool of {cores} processes", lambda: pool.map(by_hand_file, jobs)),
    ]
    print(f"{len(inputs)} files, {size / 1e6:.1f} MB of JSON, {cores} cores, median of {args.runs} runs")
    first = None
    for name, run in variants:
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        first = first or median
        print(f"{name:<48} {median:7.2f} s {size / 1e6 / median:7.0f} MB/s  {first / median:5.2f}×")
    pool.close()
    shutil.rmtree(out)


if __name__ == "__main__":
    main()
