//! Lesson 3: the reference answers, same items as `exercise.rs`.
//!
//! Every answer is one rayon pipeline. The group-bys share one shape: `fold` builds a small
//! map per piece of work (no lock, no shared map), `reduce` merges the maps pairwise. A key
//! that spans files (a year, a date, a week) is merged like any other, which is why the
//! weekly resample that broke 2016's dask.dataframe needs no special care here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use shared::read::{ReadError, read_csv};
use shared::{Bar, Timestamp};

use crate::bag::Best;
use crate::frame::{MaxHigh, OnFile, Period, Stats, YearlyStats, symbol_of, year};
use crate::strategy::{Fold, Scored, Search, Window};

// ANCHOR: max_correlation
/// Exercise 3.1: product, filter, map, max, in one pipeline.
pub fn max_correlation<T, F>(items: &[T], correlate: F) -> Option<Best>
where
    T: Sync,
    F: Fn(&T, &T) -> Option<f64> + Sync,
{
    let n = items.len();
    (0..n)
        .into_par_iter()
        // The product of the indices with themselves, filtered to a < b as it is built:
        // `(a + 1..n)` skips the pairs the filter would drop (a pair with itself, and each
        // pair's mirror image, whose correlation is the same).
        .flat_map(|a| (a + 1..n).into_par_iter().map(move |b| (a, b)))
        .filter_map(|(a, b)| {
            let r = correlate(&items[a], &items[b]).filter(|r| !r.is_nan())?;
            Some(Best { a, b, r })
        })
        // Larger r wins; between equal r, the earlier pair. Comparing the pairs too makes
        // the order total, so the winner does not depend on how the work was split.
        .max_by(|x, y| x.r.total_cmp(&y.r).then((y.a, y.b).cmp(&(x.a, x.b))))
}
// ANCHOR_END: max_correlation

// ANCHOR: max_high
/// Exercise 3.2: the max high of each file, then the max of the maxima.
pub fn max_high(files: &[PathBuf], on_file: &OnFile) -> Result<Option<MaxHigh>, ReadError> {
    files
        .par_iter()
        .map(|path| {
            let bars = read(path, on_file)?;
            Ok(bars
                .iter()
                .fold(None, |best, bar| higher(best, of_bar(bar))))
        })
        .try_reduce(|| None, |a, b| Ok(higher_of(a, b)))
}

/// One bar as a `MaxHigh` of one date.
fn of_bar(bar: &Bar) -> MaxHigh {
    MaxHigh {
        high: bar.high,
        dates: vec![bar.timestamp.date()],
    }
}

/// The higher of two maxima; on equal highs, both sets of dates, sorted, each once.
fn higher(a: Option<MaxHigh>, b: MaxHigh) -> Option<MaxHigh> {
    Some(match a {
        None => b,
        Some(a) if a.high > b.high => a,
        Some(a) if a.high < b.high => b,
        Some(mut a) => {
            a.dates.extend(b.dates);
            a.dates.sort_unstable();
            a.dates.dedup();
            a
        }
    })
}

fn higher_of(a: Option<MaxHigh>, b: Option<MaxHigh>) -> Option<MaxHigh> {
    match b {
        None => a,
        Some(b) => higher(a, b),
    }
}
// ANCHOR_END: max_high

/// Reads one file and reports it.
fn read(path: &Path, on_file: &OnFile) -> Result<Vec<Bar>, ReadError> {
    let bars = read_csv(path)?;
    on_file(path);
    Ok(bars)
}

// ANCHOR: max_high_by_year
/// Exercise 3.3: a map year → max high per piece of work, merged year by year.
pub fn max_high_by_year(
    files: &[PathBuf],
    on_file: &OnFile,
) -> Result<BTreeMap<i32, MaxHigh>, ReadError> {
    files
        .par_iter()
        .try_fold(BTreeMap::new, |mut years, path| {
            for bar in read(path, on_file)? {
                let best = years.remove(&year(&bar));
                if let Some(best) = higher(best, of_bar(&bar)) {
                    years.insert(year(&bar), best);
                }
            }
            Ok(years)
        })
        .try_reduce(BTreeMap::new, |mut a, b| {
            for (y, best) in b {
                let merged = higher(a.remove(&y), best);
                a.extend(merged.map(|m| (y, m)));
            }
            Ok(a)
        })
}
// ANCHOR_END: max_high_by_year

// ANCHOR: mean_close_by
/// Exercises 3.4 and 3.5 are one group-by with two keys: the mean close per key, where
/// `key` picks a bar's group. Sums and counts are merged, and divided only at the end.
fn mean_close_by<K: Ord + Send>(
    files: &[PathBuf],
    on_file: &OnFile,
    key: impl Fn(&Bar) -> K + Sync,
) -> Result<BTreeMap<K, f64>, ReadError> {
    let sums = files
        .par_iter()
        .try_fold(BTreeMap::new, |mut sums: BTreeMap<K, (f64, u64)>, path| {
            for bar in read(path, on_file)? {
                let (sum, count) = sums.entry(key(&bar)).or_default();
                *sum += bar.close;
                *count += 1;
            }
            Ok(sums)
        })
        .try_reduce(BTreeMap::new, |mut a, b| {
            for (k, (sum, count)) in b {
                let total = a.entry(k).or_default();
                total.0 += sum;
                total.1 += count;
            }
            Ok(a)
        })?;
    Ok(sums
        .into_iter()
        .map(|(k, (sum, count))| (k, sum / count as f64))
        .collect())
}
// ANCHOR_END: mean_close_by

// ANCHOR: daily_mean_close
/// Exercise 3.4: group by the bar's date.
pub fn daily_mean_close(
    files: &[PathBuf],
    on_file: &OnFile,
) -> Result<BTreeMap<NaiveDate, f64>, ReadError> {
    mean_close_by(files, on_file, |bar| bar.timestamp.date())
}
// ANCHOR_END: daily_mean_close

// ANCHOR: resample_close
/// Exercise 3.5: group by the start of the bar's period.
pub fn resample_close(
    files: &[PathBuf],
    period: Period,
    on_file: &OnFile,
) -> Result<BTreeMap<Timestamp, f64>, ReadError> {
    mean_close_by(files, on_file, |bar| period.start(bar.timestamp))
}
// ANCHOR_END: resample_close

// ANCHOR: yearly_stats
/// Exercise 3.6: per thread, a map (symbol, year) → stats and a list of errors; merged.
pub fn yearly_stats(files: &[PathBuf], on_file: &OnFile) -> YearlyStats {
    let mut all = files
        .par_iter()
        .fold(YearlyStats::default, |mut acc, path| {
            let symbol = symbol_of(path).unwrap_or_default();
            match file_stats(path) {
                Ok(years) => {
                    for (year, stats) in years {
                        let key = (symbol.to_string(), year);
                        acc.stats.entry(key).or_default().merge(&stats);
                    }
                }
                Err(e) => acc.errors.push(e),
            }
            on_file(path);
            acc
        })
        .reduce(YearlyStats::default, |mut a, b| {
            for (key, stats) in b.stats {
                a.stats.entry(key).or_default().merge(&stats);
            }
            a.errors.extend(b.errors);
            a
        });
    all.errors.sort_by(|a, b| a.path().cmp(b.path()));
    all
}

/// One file's stats per year, read with the lean reader (timestamp and close only). A file
/// of the dataset is one day, so nearly always one year, but each bar's year is its own:
/// the stats go into a tiny local list (one entry per year met), and the thread's map (and
/// the symbol's `String`) is touched once per file, not once per bar. Nothing is kept of a
/// file that fails half-way.
fn file_stats(path: &Path) -> Result<Vec<(i32, Stats)>, ReadError> {
    let mut years: Vec<(i32, Stats)> = Vec::with_capacity(1);
    shared::read::for_each_close(path, |timestamp, close| {
        let y = timestamp.date().year();
        match years.last_mut() {
            Some((last, stats)) if *last == y => stats.push(close),
            _ => {
                let mut stats = Stats::EMPTY;
                stats.push(close);
                years.push((y, stats));
            }
        }
    })?;
    Ok(years)
}

// ANCHOR_END: yearly_stats

// ANCHOR: search
/// Exercise 3.7: every (window, year) pair in parallel, then the folds, also in parallel.
pub fn search<F>(candidates: &[Window], years: usize, score: F) -> Search
where
    F: Fn(Window, usize) -> f64 + Sync,
{
    // The product windows × years, as nested parallel iterators: rayon balances the inner
    // loops across threads too, and `collect` keeps both orders.
    let scored: Vec<Scored> = candidates
        .par_iter()
        .map(|&window| {
            let per_year: Vec<f64> = (0..years)
                .into_par_iter()
                .map(|y| score(window, y))
                .collect();
            // Summed in year order on one thread: the same bits whatever the thread count.
            let mean = per_year.iter().sum::<f64>() / years.max(1) as f64;
            Scored {
                window,
                per_year,
                mean,
            }
        })
        .collect();
    let folds = if years < 2 {
        Vec::new()
    } else {
        (0..years)
            .into_par_iter()
            .filter_map(|held_out| fold(&scored, held_out))
            .collect()
    };
    Search { scored, folds }
}

/// One fold: the best candidate on the training years, scored on the held-out one.
fn fold(scored: &[Scored], held_out: usize) -> Option<Fold> {
    let train = |s: &Scored| {
        let others = s.per_year.len() - 1;
        let sum: f64 = (s.per_year.iter().enumerate())
            .filter(|&(y, _)| y != held_out)
            .map(|(_, v)| v)
            .sum();
        sum / others as f64
    };
    let mut best: Option<(&Scored, f64)> = None;
    for s in scored {
        let t = train(s);
        if best.is_none_or(|(_, b)| t > b) {
            best = Some((s, t));
        }
    }
    best.map(|(s, train)| Fold {
        held_out,
        chosen: s.window,
        train,
        validation: s.per_year[held_out],
    })
}
// ANCHOR_END: search
