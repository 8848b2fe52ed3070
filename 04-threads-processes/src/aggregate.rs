//! Per-symbol statistics from many threads: the records, what is computed from them, and the
//! two given ways to compute it (one thread; many threads through one shared `Mutex`).
//! Exercises 4.1 and 4.2 are the two better ways.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use rayon::prelude::*;
use shared::read::ReadError;
use shared::testing::step;

/// One minute bar, reduced to what the statistics need: which symbol (an index into the
/// dataset's symbol list) and its close. 16 bytes, so a year of bars fits in memory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    pub symbol: u16,
    pub close: f64,
}

// ANCHOR: aggregate
/// Something many threads can compute in parts: start empty (`Default`), `add` records one
/// at a time, and `merge` two parts into one. Merging must not depend on how the records were
/// split: the sum of the parts is the whole.
pub trait Aggregate: Default + Send {
    /// What is added.
    type Record: Sync;
    /// Adds one record.
    fn add(&mut self, record: &Self::Record);
    /// Adds everything `other` has seen.
    fn merge(&mut self, other: Self);
}
// ANCHOR_END: aggregate

/// Count, sum, min and max of the closes of one symbol: the same [`Stats`] as lessons 3
/// and 5 (from the `market` crate).
pub use market::Stats;

// ANCHOR: symbol_stats
/// [`Stats`] per symbol: the aggregate of this lesson.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SymbolStats(pub HashMap<u16, Stats>);

impl Aggregate for SymbolStats {
    type Record = Record;

    fn add(&mut self, record: &Record) {
        self.0.entry(record.symbol).or_default().push(record.close);
    }

    fn merge(&mut self, other: SymbolStats) {
        for (symbol, stats) in other.0 {
            self.0.entry(symbol).or_default().merge(&stats);
        }
    }
}
// ANCHOR_END: symbol_stats

/// What two aggregates of the same records share exactly, whatever the split: counts, mins
/// and maxes per symbol, and the mean to 9 significant digits (float sums depend on order in
/// their last bits). For the program's output check.
pub fn summary(stats: &SymbolStats) -> String {
    let mut symbols: Vec<_> = stats.0.iter().collect();
    symbols.sort_by_key(|(symbol, _)| **symbol);
    symbols
        .iter()
        .map(|(symbol, s)| {
            let mean = s.mean().unwrap_or(f64::NAN);
            format!("{symbol}:{}:{}:{}:{mean:.9e}", s.count, s.min, s.max)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// ANCHOR: sequential
/// The baseline: one thread adds every record.
pub fn sequential<A: Aggregate>(records: &[A::Record]) -> A {
    let mut all = A::default();
    for record in records {
        all.add(record);
    }
    all
}
// ANCHOR_END: sequential

// ANCHOR: shared_mutex
/// Many threads, one aggregate behind one lock: `threads` threads take a slice of the
/// records each and lock the shared aggregate for every record. Correct, and slower on two
/// threads than on one: the threads spend their time waiting for the lock, and the cache
/// line that holds the lock and the map moves from core to core at every record.
pub fn shared_mutex<A: Aggregate>(records: &[A::Record], threads: usize) -> A {
    let all = Mutex::new(A::default());
    let chunk = records.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        for part in records.chunks(chunk) {
            let all = &all;
            s.spawn(move || {
                for record in part {
                    all.lock().unwrap_or_else(|p| p.into_inner()).add(record);
                }
            });
        }
    });
    all.into_inner().unwrap_or_else(|p| p.into_inner())
}
// ANCHOR_END: shared_mutex

// ANCHOR: atomic_extremes
/// Count, min and max of one symbol's closes as three atomics, so that many threads can
/// update them through a shared reference, without a lock. Prices are positive, and the
/// bits of a non-negative `f64`, read as a `u64`, order like the numbers themselves: so
/// `min` and `max` hold `f64::to_bits` of the closes, and `fetch_min`/`fetch_max` on the
/// bits compare prices. There is no atomic floating-point add, so no sum here.
#[derive(Debug)]
pub struct AtomicExtremes {
    pub count: AtomicU64,
    /// `f64::to_bits` of the lowest close so far (of `+∞` before the first).
    pub min: AtomicU64,
    /// `f64::to_bits` of the highest close so far (of `0.0` before the first).
    pub max: AtomicU64,
}
// ANCHOR_END: atomic_extremes

/// [`std::sync::atomic::AtomicU64`]'s operations that exercise 4.2 may use, `load`,
/// `store`, `swap`, `fetch_add`, `fetch_sub`, `fetch_min`, `fetch_max`, `compare_exchange`
/// (and `_weak`) and `fetch_update`, each forwarding to std's with the same meaning, and
/// each also one [`shared::testing::step`]: a test can make threads take
/// turns, one atomic operation each, to force the interleaving in which a `load` followed
/// by a `store` loses an update (see the book's appendix on testing without a clock).
/// Outside such a test, the extra cost is one relaxed load.
// ANCHOR: stepped_atomic
#[derive(Debug, Default)]
pub struct AtomicU64(std::sync::atomic::AtomicU64);

impl AtomicU64 {
    pub const fn new(value: u64) -> AtomicU64 {
        AtomicU64(std::sync::atomic::AtomicU64::new(value))
    }
    pub fn load(&self, order: Ordering) -> u64 {
        step(|| self.0.load(order))
    }
    pub fn store(&self, value: u64, order: Ordering) {
        step(|| self.0.store(value, order))
    }
    // ANCHOR_END: stepped_atomic
    pub fn swap(&self, value: u64, order: Ordering) -> u64 {
        step(|| self.0.swap(value, order))
    }
    pub fn fetch_add(&self, value: u64, order: Ordering) -> u64 {
        step(|| self.0.fetch_add(value, order))
    }
    pub fn fetch_sub(&self, value: u64, order: Ordering) -> u64 {
        step(|| self.0.fetch_sub(value, order))
    }
    pub fn fetch_min(&self, value: u64, order: Ordering) -> u64 {
        step(|| self.0.fetch_min(value, order))
    }
    pub fn fetch_max(&self, value: u64, order: Ordering) -> u64 {
        step(|| self.0.fetch_max(value, order))
    }
    pub fn compare_exchange(
        &self,
        current: u64,
        new: u64,
        success: Ordering,
        failure: Ordering,
    ) -> Result<u64, u64> {
        step(|| self.0.compare_exchange(current, new, success, failure))
    }
    pub fn compare_exchange_weak(
        &self,
        current: u64,
        new: u64,
        success: Ordering,
        failure: Ordering,
    ) -> Result<u64, u64> {
        step(|| self.0.compare_exchange_weak(current, new, success, failure))
    }
    /// A `load`, then `compare_exchange_weak` until it succeeds: each is a step.
    pub fn fetch_update<F>(
        &self,
        set_order: Ordering,
        fetch_order: Ordering,
        mut f: F,
    ) -> Result<u64, u64>
    where
        F: FnMut(u64) -> Option<u64>,
    {
        let mut previous = self.load(fetch_order);
        while let Some(next) = f(previous) {
            match self.compare_exchange_weak(previous, next, set_order, fetch_order) {
                Ok(value) => return Ok(value),
                Err(now) => previous = now,
            }
        }
        Err(previous)
    }
    pub fn into_inner(self) -> u64 {
        self.0.into_inner()
    }
}

impl Default for AtomicExtremes {
    fn default() -> Self {
        AtomicExtremes {
            count: AtomicU64::new(0),
            min: AtomicU64::new(f64::INFINITY.to_bits()),
            max: AtomicU64::new(0.0f64.to_bits()),
        }
    }
}

/// What an [`AtomicExtremes`] holds, read back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extremes {
    pub count: u64,
    pub min: f64,
    pub max: f64,
}

impl AtomicExtremes {
    /// Reads the three values (once every thread that updates them has finished).
    pub fn load(&self) -> Extremes {
        Extremes {
            count: self.count.load(Ordering::Relaxed),
            min: f64::from_bits(self.min.load(Ordering::Relaxed)),
            max: f64::from_bits(self.max.load(Ordering::Relaxed)),
        }
    }
}

/// `threads` threads share one table of [`AtomicExtremes`] (one per symbol) and call `add`
/// for each record of their slice: the driver of exercise 4.2. Returns the table read back.
pub fn atomic_extremes(
    records: &[Record],
    symbols: usize,
    threads: usize,
    add: impl Fn(&[AtomicExtremes], &Record) + Sync,
) -> Vec<Extremes> {
    let table: Vec<AtomicExtremes> = (0..symbols).map(|_| AtomicExtremes::default()).collect();
    let chunk = records.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        for part in records.chunks(chunk) {
            let (table, add) = (&table, &add);
            s.spawn(move || {
                for record in part {
                    add(table, record);
                }
            });
        }
    });
    table.iter().map(AtomicExtremes::load).collect()
}

/// The [`Extremes`] of each symbol in `stats`, as a table of `symbols` rows, for comparing
/// exercise 4.2 with the other aggregations.
pub fn extremes_of(stats: &SymbolStats, symbols: usize) -> Vec<Extremes> {
    (0..symbols)
        .map(|i| {
            let s = u16::try_from(i)
                .ok()
                .and_then(|i| stats.0.get(&i))
                .copied()
                .unwrap_or_default();
            Extremes {
                count: s.count,
                min: s.min,
                max: if s.count == 0 { 0.0 } else { s.max },
            }
        })
        .collect()
}

/// Every close of `files` as [`Record`]s, read in parallel; `symbol_of(i)` is file `i`'s
/// symbol index. Stops at the first unreadable file, which the error names.
pub fn load_records(
    files: &[PathBuf],
    symbol_of: impl Fn(usize) -> u16 + Sync,
) -> Result<Vec<Record>, ReadError> {
    let parts: Vec<Vec<Record>> = files
        .par_iter()
        .enumerate()
        .map(|(i, path)| {
            let symbol = symbol_of(i);
            let mut records = Vec::new();
            shared::read::for_each_close(path, |_, close| records.push(Record { symbol, close }))?;
            Ok(records)
        })
        .collect::<Result<_, ReadError>>()?;
    Ok(parts.concat())
}
