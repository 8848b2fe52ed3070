//! What the dataframe exercises (3.2 to 3.6) share: the types of their answers, the
//! progress callback, time buckets for resampling, and the limits their times are
//! compared with.
//!
//! The minute CSVs are one file per symbol per day (`minute/{SYM}/{YYYY-MM-DD}.csv`), read
//! with [`shared::read::read_csv`], which parses each row into a typed [`Bar`] straight
//! from the `csv` crate's `ByteRecord`: no `String` per field, one `Vec` per file. 2016's
//! `dd.read_csv('minute/aig/2012-*.csv')` becomes a list of paths and a parallel iterator
//! over it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use shared::read::ReadError;
use shared::{Bar, Timestamp};

// ANCHOR: types
/// Called once for every file an answer has read, on the thread that read it. The programs
/// move a progress bar with it; the tests record which threads read files. Pass `&|_| {}`
/// when you need neither.
pub type OnFile<'a> = dyn Fn(&Path) + Sync + 'a;

/// The largest `high` of some bars, and every date on which a bar reached it (sorted, each
/// date once): 2016's `df.high.max()` and `df[df.high == max_value].timestamp.dt.date`.
#[derive(Debug, Clone, PartialEq)]
pub struct MaxHigh {
    pub high: f64,
    pub dates: Vec<NaiveDate>,
}

/// Count, sum, smallest and largest of some prices. The mean is `sum / count`.
// Serde: lesson 5's workers send these back to its client.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    pub count: u64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    /// The stats of no prices at all: count 0, and a min and max that any price replaces.
    pub const EMPTY: Stats = Stats {
        count: 0,
        sum: 0.0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };

    /// Adds one price.
    pub fn push(&mut self, price: f64) {
        self.count += 1;
        self.sum += price;
        self.min = self.min.min(price);
        self.max = self.max.max(price);
    }

    /// The mean price, `None` for no prices.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }
}

impl Default for Stats {
    fn default() -> Self {
        Stats::EMPTY
    }
}

/// The per-symbol, per-year stats of the close over many files (exercise 3.6), and the
/// files that could not be read. Symbols are the files' folder names.
#[derive(Debug, Default)]
pub struct YearlyStats {
    pub stats: BTreeMap<(String, i32), Stats>,
    pub errors: Vec<ReadError>,
}
// ANCHOR_END: types

/// The symbol a minute file belongs to: the name of its folder (`minute/AIG/…` → `AIG`).
/// `None` for a path without a parent folder.
pub fn symbol_of(path: &Path) -> Option<&str> {
    path.parent()?.file_name()?.to_str()
}

/// The files among `files` whose name starts with `{year}-`: 2016's `2012-*.csv`.
pub fn files_of_year(files: &[PathBuf], year: i32) -> Vec<PathBuf> {
    let prefix = format!("{year}-");
    files
        .iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .cloned()
        .collect()
}

/// The year of a bar.
pub fn year(bar: &Bar) -> i32 {
    bar.timestamp.date().year()
}

// ANCHOR: period
/// A resampling period: 2016's `resample('1h')` and `resample('1w')`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Hour,
    Week,
}

impl Period {
    /// The start of the bucket `t` falls in: the top of its hour, or Monday 00:00 of its
    /// week. Every timestamp of a bucket maps to the same start, so a start is a group-by
    /// key.
    pub fn start(self, t: Timestamp) -> Timestamp {
        const HOUR: i64 = 3_600;
        const DAY: i64 = 24 * HOUR;
        match self {
            Period::Hour => Timestamp(t.0.div_euclid(HOUR) * HOUR),
            Period::Week => {
                let day = t.0.div_euclid(DAY);
                let monday = day - i64::from(t.date().weekday().num_days_from_monday());
                Timestamp(monday * DAY)
            }
        }
    }
}

// ANCHOR_END: period

/// The limit of the whole-dataset job (3.6): read every file and parse its timestamps and
/// closes with [`shared::read::for_each_close`], in parallel, keeping nothing but a count.
/// An answer does this and more, so it cannot be faster.
pub fn read_and_parse_closes(files: &[PathBuf]) -> u64 {
    files
        .par_iter()
        .map(|path| shared::read::for_each_close(path, |_, _| {}).unwrap_or(0))
        .sum()
}

/// The same with every field parsed into a [`Bar`] and checked ([`shared::read::read_csv`]):
/// what an answer that reads whole bars pays.
pub fn read_and_parse_bars(files: &[PathBuf]) -> usize {
    files
        .par_iter()
        .map(|path| shared::read::read_csv(path).map_or(0, |bars| bars.len()))
        .sum()
}

/// The limit under that: read every file's bytes, in parallel, and parse nothing.
pub fn read_only(files: &[PathBuf]) -> u64 {
    files
        .par_iter()
        .map(|path| std::fs::read(path).map_or(0, |bytes| bytes.len() as u64))
        .sum()
}

/// Runs `work` on a rayon pool of `threads` threads (its own, not the global one): the
/// programs time an answer on one thread against the same answer on all cores, and the
/// tests check that a group-by gives the same result on 1, 2 and 4 threads.
pub fn on_threads<R: Send>(
    threads: usize,
    work: impl FnOnce() -> R + Send,
) -> Result<R, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(move |i| format!("pool{threads}-{i}"))
        .build()?;
    Ok(pool.install(work))
}
