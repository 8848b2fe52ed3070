//! Lesson 3 exercises: THE file you edit. Exercise N.M is explained in book section N.M.
//! Replace its `todo!` with your code, then check that exercise alone:
//!
//! ```text
//! cargo test -p lesson-03-datasets --test ex3_1     # exercise 3.1; likewise ex3_2 … ex3_7
//! cargo course                                      # where you stand on every exercise
//! ```
//!
//! Every answer here is a rayon pipeline: `par_iter`, then `map` / `filter` / `flat_map`,
//! then one consuming call (`collect`, `max_by`, `fold` + `reduce`, `try_fold` +
//! `try_reduce`). The book's section "The bag" shows each of these on small numbers.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use shared::Timestamp;
use shared::read::ReadError;

use crate::bag::Best;
use crate::frame::{MaxHigh, OnFile, Period, YearlyStats};
use crate::strategy::{Search, Window};

// ANCHOR: max_correlation
/// Exercise 3.1: [`crate::bag::max_correlation_sequential`] as one parallel pipeline: every
/// pair `a < b` of indices into `items` (a product, then a filter), `correlate` on each
/// pair, pairs whose correlation is `None` dropped, the largest kept.
///
/// On a tie, the pair that comes first (smallest `a`, then smallest `b`) wins, as in the
/// sequential loop, so the answer does not depend on how rayon split the work.
pub fn max_correlation<T, F>(items: &[T], correlate: F) -> Option<Best>
where
    T: Sync,
    F: Fn(&T, &T) -> Option<f64> + Sync,
{
    let _ = (items, correlate);
    todo!("exercise 3.1: product, filter, map, max as one rayon pipeline — see book section 3.1")
}
// ANCHOR_END: max_correlation

// ANCHOR: max_high
/// Exercise 3.2: the largest `high` in `files` and every date a bar reached it (sorted,
/// each date once), reading the files in parallel with [`shared::read::read_csv`] and
/// calling `on_file` once per file read. `Ok(None)` if the files hold no bars; the first
/// error met if a file cannot be read.
pub fn max_high(files: &[PathBuf], on_file: &OnFile) -> Result<Option<MaxHigh>, ReadError> {
    let _ = (files, on_file);
    todo!("exercise 3.2: the max high and its dates, files read in parallel — see book section 3.2")
}
// ANCHOR_END: max_high

// ANCHOR: max_high_by_year
/// Exercise 3.3: [`max_high`] for every year at once: a map from each year found in the
/// bars to that year's largest `high` and its dates. A group-by: the year comes from each
/// bar's timestamp, not from the file's name.
pub fn max_high_by_year(
    files: &[PathBuf],
    on_file: &OnFile,
) -> Result<BTreeMap<i32, MaxHigh>, ReadError> {
    let _ = (files, on_file);
    todo!("exercise 3.3: group the max high by year — see book section 3.3")
}
// ANCHOR_END: max_high_by_year

// ANCHOR: daily_mean_close
/// Exercise 3.4: the mean of every `close` on each date, over all of `files` (all symbols):
/// a group-by on the bar's date. The same date appears in many files, read on different
/// threads: merge sums and counts, never means.
pub fn daily_mean_close(
    files: &[PathBuf],
    on_file: &OnFile,
) -> Result<BTreeMap<NaiveDate, f64>, ReadError> {
    let _ = (files, on_file);
    todo!("exercise 3.4: the mean close per date — see book section 3.4")
}
// ANCHOR_END: daily_mean_close

// ANCHOR: resample_close
/// Exercise 3.5: resampling: the mean `close` of every `period` bucket that holds bars,
/// keyed by the bucket's start ([`Period::start`]). Buckets without bars are left out
/// (pandas would give them `NaN`).
pub fn resample_close(
    files: &[PathBuf],
    period: Period,
    on_file: &OnFile,
) -> Result<BTreeMap<Timestamp, f64>, ReadError> {
    let _ = (files, period, on_file);
    todo!("exercise 3.5: the mean close per hour or week — see book section 3.5")
}
// ANCHOR_END: resample_close

// ANCHOR: yearly_stats
/// Exercise 3.6: count, sum, min and max of the `close` per symbol ([`crate::frame::symbol_of`])
/// and per year, over every file in `files` (the whole dataset: about 52,000 files), near
/// the speed of reading and parsing them. Aggregate per thread, then merge.
///
/// A file that cannot be read goes into `errors` (sorted by path) and the others are still
/// aggregated.
pub fn yearly_stats(files: &[PathBuf], on_file: &OnFile) -> YearlyStats {
    let _ = (files, on_file);
    todo!("exercise 3.6: per-symbol, per-year stats over the whole dataset — see book section 3.6")
}
// ANCHOR_END: yearly_stats

// ANCHOR: search
/// Exercise 3.7: the cross-validated parameter search. `score(window, year)` scores one
/// window on year `year` (`0..years`); evaluate every candidate on every year, in parallel.
///
/// - `scored`: one [`Scored`](crate::strategy::Scored) per candidate, in the candidates'
///   order: its scores in year order, and their mean (their sum in year order, divided by
///   their number).
/// - `folds`: for each year in turn, held out: the candidate with the highest mean score
///   over the *other* years (`train`, summed in year order too; the first such candidate on
///   a tie), and its score on the held-out year (`validation`). No folds with fewer than 2
///   years.
///
/// The same candidates and scores must give the same answer, to the last bit, whatever the
/// number of threads.
pub fn search<F>(candidates: &[Window], years: usize, score: F) -> Search
where
    F: Fn(Window, usize) -> f64 + Sync,
{
    let _ = (candidates, years, score);
    todo!(
        "exercise 3.7: every window on every year in parallel, then the folds — see book section 3.7"
    )
}
// ANCHOR_END: search
