//! One switch between your answers and the reference's.
//!
//! [`Answers`] is the lesson's exercises as one trait, implemented by [`Exercise`] (your
//! `exercise.rs`) and [`Solution`] (`solution.rs`); a macro writes the two impls. The
//! programs are generic over it: `exercise-03` runs `program::main::<Exercise>()` and
//! `solution-03` runs `program::main::<Solution>()`. The tests call the functions of
//! `crate::answer`, which is `exercise`, or `solution` with `--features solution`. See
//! lesson 1's `answers` module for why this is a trait.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use shared::Timestamp;
use shared::read::ReadError;

use crate::bag::Best;
use crate::frame::{MaxHigh, OnFile, Period, YearlyStats};
use crate::strategy::{Search, Window};

/// The exercises of lesson 3. See each function in `exercise.rs` for what it must do.
pub trait Answers {
    /// `"exercise"` or `"solution"`: printed above the program's tables.
    const NAME: &'static str;
    /// The binary that runs these answers.
    const BINARY: &'static str;

    /// Exercise 3.1.
    fn max_correlation<T, F>(items: &[T], correlate: F) -> Option<Best>
    where
        T: Sync,
        F: Fn(&T, &T) -> Option<f64> + Sync;

    /// Exercise 3.2.
    fn max_high(files: &[PathBuf], on_file: &OnFile) -> Result<Option<MaxHigh>, ReadError>;

    /// Exercise 3.3.
    fn max_high_by_year(
        files: &[PathBuf],
        on_file: &OnFile,
    ) -> Result<BTreeMap<i32, MaxHigh>, ReadError>;

    /// Exercise 3.4.
    fn daily_mean_close(
        files: &[PathBuf],
        on_file: &OnFile,
    ) -> Result<BTreeMap<NaiveDate, f64>, ReadError>;

    /// Exercise 3.5.
    fn resample_close(
        files: &[PathBuf],
        period: Period,
        on_file: &OnFile,
    ) -> Result<BTreeMap<Timestamp, f64>, ReadError>;

    /// Exercise 3.6.
    fn yearly_stats(files: &[PathBuf], on_file: &OnFile) -> YearlyStats;

    /// Exercise 3.7.
    fn search<F>(candidates: &[Window], years: usize, score: F) -> Search
    where
        F: Fn(Window, usize) -> f64 + Sync;
}

/// Your answers, from `src/exercise.rs`.
pub struct Exercise;

/// The reference answers, from `src/solution.rs`.
pub struct Solution;

/// Implements [`Answers`] for `$answers` by calling the functions of module `$module`.
macro_rules! answers_from {
    ($answers:ty, $module:ident, $name:literal, $binary:literal) => {
        impl Answers for $answers {
            const NAME: &'static str = $name;
            const BINARY: &'static str = $binary;

            fn max_correlation<T, F>(items: &[T], correlate: F) -> Option<Best>
            where
                T: Sync,
                F: Fn(&T, &T) -> Option<f64> + Sync,
            {
                crate::$module::max_correlation(items, correlate)
            }

            fn max_high(files: &[PathBuf], on_file: &OnFile) -> Result<Option<MaxHigh>, ReadError> {
                crate::$module::max_high(files, on_file)
            }

            fn max_high_by_year(
                files: &[PathBuf],
                on_file: &OnFile,
            ) -> Result<BTreeMap<i32, MaxHigh>, ReadError> {
                crate::$module::max_high_by_year(files, on_file)
            }

            fn daily_mean_close(
                files: &[PathBuf],
                on_file: &OnFile,
            ) -> Result<BTreeMap<NaiveDate, f64>, ReadError> {
                crate::$module::daily_mean_close(files, on_file)
            }

            fn resample_close(
                files: &[PathBuf],
                period: Period,
                on_file: &OnFile,
            ) -> Result<BTreeMap<Timestamp, f64>, ReadError> {
                crate::$module::resample_close(files, period, on_file)
            }

            fn yearly_stats(files: &[PathBuf], on_file: &OnFile) -> YearlyStats {
                crate::$module::yearly_stats(files, on_file)
            }

            fn search<F>(candidates: &[Window], years: usize, score: F) -> Search
            where
                F: Fn(Window, usize) -> f64 + Sync,
            {
                crate::$module::search(candidates, years, score)
            }
        }
    };
}

answers_from!(Exercise, exercise, "exercise", "exercise-03");
answers_from!(Solution, solution, "solution", "solution-03");
