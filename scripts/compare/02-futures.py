"""Lesson 2's jobs done with the tools a Python user would reach for instead, and an
independent check of the pair `solution-02` reports.

1. Every pairwise correlation of the close series in data/columnar/: the 2016 notebook's
   loop (pandas `Series.corr`, sequential and submitted to a ThreadPoolExecutor of 2), and
   all pairs at once with numpy `corrcoef` and Polars `DataFrame.corr`. Prints the most
   correlated pair by prices and by daily log returns.
2. 10,000 waits of 100 ms with asyncio.

These packages are NOT dependencies of the course. To repeat the comparison:

    python3 -m venv /tmp/compare && /tmp/compare/bin/pip install numpy pandas pyarrow polars
    /tmp/compare/bin/python scripts/compare/02-futures.py [DATASET_DIR] [--runs 3]
"""

import argparse
import asyncio
import glob
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import polars as pl
import pyarrow.parquet as pq


def median_time(runs, work):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def pairs(n):
    return [(a, b) for a in range(n) for b in range(a + 1, n)]


def best(symbols, matrix):
    n = len(symbols)
    a, b = max(pairs(n), key=lambda p: matrix[p[0]][p[1]])
    return symbols[a], symbols[b], matrix[a][b]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset", nargs="?", default="data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--waits", type=int, default=10_000)
    args = parser.parse_args()

    paths = sorted(glob.glob(os.path.join(args.dataset, "columnar", "*.parquet")))
    symbols = [os.path.basename(p)[: -len(".parquet")] for p in paths]
    tables = [pq.read_table(p, columns=["timestamp", "close"]) for p in paths]
    closes = np.stack([t.column("close").to_numpy() for t in tables])
    series = {s: pd.Series(closes[i]) for i, s in enumerate(symbols)}
    n = len(symbols)
    print(f"{n} symbols, {len(pairs(n))} pairs, {closes.shape[1]} points each")

    def loop():
        return {(a, b): series[symbols[a]].corr(series[symbols[b]]) for a, b in pairs(n)}

    executor = ThreadPoolExecutor(2)

    def submitted():
        futures = {
            (a, b): executor.submit(series[symbols[a]].corr, series[symbols[b]])
            for a, b in pairs(n)
        }
        return {k: f.result() for k, f in futures.items()}

    frame = pl.DataFrame({s: closes[i] for i, s in enumerate(symbols)})
    rows = [
        ("pandas Series.corr, sequential loop (2016)", loop),
        ("pandas Series.corr, ThreadPoolExecutor(2) submit (2016)", submitted),
        ("numpy corrcoef, all pairs at once", lambda: np.corrcoef(closes)),
        ("polars DataFrame.corr, all pairs at once", lambda: frame.corr()),
    ]
    baseline = None
    for name, work in rows:
        seconds, _ = median_time(args.runs, work)
        baseline = baseline or seconds
        print(f"{name:58} {seconds * 1e3:8.1f} ms  {baseline / seconds:5.2f}x")

    matrix = np.corrcoef(closes)
    a, b, r = best(symbols, matrix)
    print(f"most correlated by prices (numpy): {a} & {b}, r = {r:.4f}")
    days = pd.to_datetime(tables[0].column("timestamp").to_numpy(), unit="s").normalize()
    ends = np.flatnonzero(np.append(days[1:] != days[:-1], True))
    daily_returns = np.diff(np.log(closes[:, ends]), axis=1)
    a, b, r = best(symbols, np.corrcoef(daily_returns))
    print(f"most correlated by daily log returns (numpy): {a} & {b}, r = {r:.4f}")

    async def waits():
        await asyncio.gather(*(asyncio.sleep(0.1) for _ in range(args.waits)))

    seconds, _ = median_time(args.runs, lambda: asyncio.run(waits()))
    print(f"asyncio: {args.waits} waits of 100 ms in {seconds * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
