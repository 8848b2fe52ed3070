//! # Lesson 3: high-level collections
//!
//! Describe a computation as a few high-level steps over a collection (map, filter,
//! product, max, fold, group by) and let the library run it in parallel: 2016's Spark RDDs
//! and `dask.bag`, here rayon's parallel iterators. Then dataframe questions on the minute
//! CSVs, and an open-ended cross-validated parameter search. Read the book's chapter 3
//! alongside; exercise 3.M is in its section 3.M.
//!
//! - [`bag`] (given): each bag step beside its 2016 line, laziness, and the sequential
//!   correlation loop.
//! - [`frame`] (given): the answers' types for the dataframe exercises, the progress
//!   callback, resampling buckets, the read-and-parse limits.
//! - [`strategy`] (given, from the `market` crate that lessons 4 to 6 share): the
//!   moving-average crossover, its score, the grid and the random
//!   sample of windows.
//! - [`exercise`] (**yours**): 3.1 the max correlation as one pipeline, 3.2 the max high and
//!   its date, 3.3 the same for every year, 3.4 the daily mean close, 3.5 hourly and weekly
//!   resampling, 3.6 per-symbol yearly stats over the whole dataset, 3.7 the parameter
//!   search. Checked by `tests/ex3_1.rs` … `tests/ex3_7.rs`.
//! - [`solution`]: the reference answers, same signatures.
//! - [`answers`] (given): the one switch between the two: an [`Answers`](answers::Answers)
//!   value says which exercises run yours and which the reference's.
//! - [`program`] (given): what the `exercise-03` and `solution-03` binaries run.
//!
//! [`answer`] is [`exercise`], or [`solution`] with `--features solution`: the tests check
//! `answer`, so `cargo test -p lesson-03-datasets --test ex3_1` checks your exercise 3.1.

pub mod answers;
pub mod bag;
pub mod exercise;
pub mod frame;
pub mod program;
pub mod solution;
pub use market::strategy;

#[cfg(not(feature = "solution"))]
pub use exercise as answer;
#[cfg(feature = "solution")]
pub use solution as answer;
