"""Lesson 4's questions asked of Python, the language of the 2016 tutorial: what threads
do under the GIL, and what a process pool costs per task. Standard library only (plus
Polars for the per-symbol stats, the tool a Python user would pick for them).

1. Per-symbol count / sum / min / max over N records (symbol, close), in pure Python:
   one thread; two threads (the GIL lets one run at a time); two processes
   (multiprocessing, each with half the records, merged). Same shape as exercise 4.1.
   Then the same stats with Polars' group_by, which runs in native code on every core.
2. concurrent.futures: 20,000 tiny tasks (a sum of 16 numbers) on a ThreadPoolExecutor
   and a ProcessPoolExecutor of two workers each, with the default chunksize of 1 and
   with chunksize 500 (batching), to compare with the table "4.4 20,000 tiny tasks".

Medians of --runs runs. These packages are NOT dependencies of the course:

    python3 -m venv /tmp/compare && /tmp/compare/bin/pip install polars
    /tmp/compare/bin/python scripts/compare/04-threads-processes.py [--records 5394000] [--runs 3]
"""

import argparse
import concurrent.futures as cf
import multiprocessing as mp
import random
import statistics
import threading
import time


def median_time(runs, work):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def aggregate(symbols, closes):
    stats = {}
    for s, c in zip(symbols, closes):
        st = stats.get(s)
        if st is None:
            stats[s] = [1, c, c, c]
        else:
            st[0] += 1
            st[1] += c
            if c < st[2]:
                st[2] = c
            if c > st[3]:
                st[3] = c
    return stats


def merge(parts):
    out = {}
    for part in parts:
        for s, (n, total, lo, hi) in part.items():
            if s in out:
                o = out[s]
                out[s] = [o[0] + n, o[1] + total, min(o[2], lo), max(o[3], hi)]
            else:
                out[s] = [n, total, lo, hi]
    return out


def on_threads(symbols, closes, k):
    parts = [None] * k
    step = (len(symbols) + k - 1) // k

    def work(i):
        parts[i] = aggregate(symbols[i * step:(i + 1) * step], closes[i * step:(i + 1) * step])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(k)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return merge(parts)


def chunk_work(args):
    return aggregate(*args)


def on_processes(pool, symbols, closes, k):
    step = (len(symbols) + k - 1) // k
    chunks = [(symbols[i * step:(i + 1) * step], closes[i * step:(i + 1) * step]) for i in range(k)]
    return merge(pool.map(chunk_work, chunks))


def tiny(values):
    return sum(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=5_394_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=20_000)
    args = parser.parse_args()

    rng = random.Random(4)
    symbols = [rng.randrange(29) for _ in range(args.records)]
    closes = [rng.uniform(10, 100) for _ in range(args.records)]

    print(f"1. Per-symbol stats of {args.records:,} records (median of {args.runs} runs)")
    one, expected = median_time(args.runs, lambda: aggregate(symbols, closes))
    print(f"   pure Python, 1 thread      {one:7.3f} s  1.00×")
    two, got = median_time(args.runs, lambda: on_threads(symbols, closes, 2))
    assert {s: v[0] for s, v in got.items()} == {s: v[0] for s, v in expected.items()}
    print(f"   pure Python, 2 threads     {two:7.3f} s  {one / two:.2f}×  (the GIL)")
    with mp.get_context("fork").Pool(2) as pool:
        procs, got = median_time(args.runs, lambda: on_processes(pool, symbols, closes, 2))
    assert {s: v[0] for s, v in got.items()} == {s: v[0] for s, v in expected.items()}
    print(f"   pure Python, 2 processes   {procs:7.3f} s  {one / procs:.2f}×  (records pickled to the workers)")
    try:
        import polars as pl

        frame = pl.DataFrame({"symbol": symbols, "close": closes})
        query = lambda: frame.group_by("symbol").agg(
            pl.len(),
            pl.col("close").sum().alias("sum"),
            pl.col("close").min().alias("min"),
            pl.col("close").max().alias("max"),
        )
        polars, _ = median_time(args.runs, query)
        print(f"   Polars group_by            {polars:7.3f} s  {one / polars:.2f}×  (native code, all cores)")
    except ImportError:
        print("   (Polars not installed: pip install polars)")

    print(f"\n2. {args.tasks:,} tiny tasks (a sum of 16 numbers), 2 workers (median of {args.runs} runs)")
    tasks = [[float(i * 16 + k) for k in range(16)] for i in range(args.tasks)]
    for name, make in [("ThreadPoolExecutor", cf.ThreadPoolExecutor), ("ProcessPoolExecutor", cf.ProcessPoolExecutor)]:
        with make(max_workers=2) as pool:
            list(pool.map(tiny, tasks[:100]))  # start the workers first
            for chunksize in [1, 500]:
                t, out = median_time(args.runs, lambda: list(pool.map(tiny, tasks, chunksize=chunksize)))
                assert len(out) == args.tasks
                print(f"   {name:20} chunksize {chunksize:3}  {t:7.3f} s  {t / args.tasks * 1e6:6.1f} µs per task")


if __name__ == "__main__":
    main()
