//! One switch between your answers and the reference's.
//!
//! [`Answers`] is a value: for each exercise, whether it runs your answer (`exercise.rs`)
//! or the reference's (`solution.rs`), with one method per exercise that calls the one
//! picked. `exercise-03` runs `program::main(Answers::EXERCISE)` and `solution-03` runs
//! `program::main(Answers::SOLUTION)`. The tests call the functions of `crate::answer`,
//! which is `exercise`, or `solution` with `--features solution`. See lesson 1's
//! `answers` module for why these are methods and not function pointers.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use shared::Timestamp;
use shared::answers::Picks;
use shared::read::ReadError;

use crate::bag::Best;
use crate::frame::{MaxHigh, OnFile, Period, YearlyStats};
use crate::strategy::{Search, Window};
use crate::{exercise, solution};

/// Which answers lesson 3 runs: yours or the reference's, exercise by exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answers(Picks);

impl Answers {
    /// `exercise-03`: your answer for every exercise.
    pub const EXERCISE: Answers = Answers(Picks::exercise(3, 7));
    /// `solution-03`: the reference's answer for every exercise.
    pub const SOLUTION: Answers = Answers(Picks::solution(3, 7));

    /// Your answer for exercise 3.`m` and the reference's for the others.
    pub const fn yours_for(m: u8) -> Answers {
        Answers(Picks::yours_for(3, 7, m))
    }

    /// Which exercises run the reference's answer.
    pub const fn picks(self) -> Picks {
        self.0
    }

    /// `"exercise"` or `"solution"`: printed above the program's tables.
    pub const fn name(self) -> &'static str {
        self.0.name()
    }

    /// The binary that runs these answers.
    pub fn binary(self) -> String {
        self.0.binary()
    }

    /// Exercise 3.1.
    pub fn max_correlation<T, F>(self, items: &[T], correlate: F) -> Option<Best>
    where
        T: Sync,
        F: Fn(&T, &T) -> Option<f64> + Sync,
    {
        if self.0.reference(1) {
            solution::max_correlation(items, correlate)
        } else {
            exercise::max_correlation(items, correlate)
        }
    }

    /// Exercise 3.2.
    pub fn max_high(
        self,
        files: &[PathBuf],
        on_file: &OnFile,
    ) -> Result<Option<MaxHigh>, ReadError> {
        if self.0.reference(2) {
            solution::max_high(files, on_file)
        } else {
            exercise::max_high(files, on_file)
        }
    }

    /// Exercise 3.3.
    pub fn max_high_by_year(
        self,
        files: &[PathBuf],
        on_file: &OnFile,
    ) -> Result<BTreeMap<i32, MaxHigh>, ReadError> {
        if self.0.reference(3) {
            solution::max_high_by_year(files, on_file)
        } else {
            exercise::max_high_by_year(files, on_file)
        }
    }

    /// Exercise 3.4.
    pub fn daily_mean_close(
        self,
        files: &[PathBuf],
        on_file: &OnFile,
    ) -> Result<BTreeMap<NaiveDate, f64>, ReadError> {
        if self.0.reference(4) {
            solution::daily_mean_close(files, on_file)
        } else {
            exercise::daily_mean_close(files, on_file)
        }
    }

    /// Exercise 3.5.
    pub fn resample_close(
        self,
        files: &[PathBuf],
        period: Period,
        on_file: &OnFile,
    ) -> Result<BTreeMap<Timestamp, f64>, ReadError> {
        if self.0.reference(5) {
            solution::resample_close(files, period, on_file)
        } else {
            exercise::resample_close(files, period, on_file)
        }
    }

    /// Exercise 3.6.
    pub fn yearly_stats(self, files: &[PathBuf], on_file: &OnFile) -> YearlyStats {
        if self.0.reference(6) {
            solution::yearly_stats(files, on_file)
        } else {
            exercise::yearly_stats(files, on_file)
        }
    }

    /// Exercise 3.7.
    pub fn search<F>(self, candidates: &[Window], years: usize, score: F) -> Search
    where
        F: Fn(Window, usize) -> f64 + Sync,
    {
        if self.0.reference(7) {
            solution::search(candidates, years, score)
        } else {
            exercise::search(candidates, years, score)
        }
    }
}
