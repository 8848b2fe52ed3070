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
use shared::Timestamp;
use shared::read::ReadError;

pub use market::Stats;
pub use market::files::{files_of_year, on_threads, read_and_parse_bars, symbol_of, year};

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

/// The per-symbol, per-year stats of the close over many files (exercise 3.6), and the
/// files that could not be read. Symbols are the files' folder names.
#[derive(Debug, Default)]
pub struct YearlyStats {
    pub stats: BTreeMap<(String, i32), Stats>,
    pub errors: Vec<ReadError>,
}
// ANCHOR_END: types

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

/// The limit under that: read every file's bytes, in parallel, and parse nothing.
pub fn read_only(files: &[PathBuf]) -> u64 {
    files
        .par_iter()
        .map(|path| shared::read::read_bytes(path).map_or(0, |bytes| bytes.len() as u64))
        .sum()
}
