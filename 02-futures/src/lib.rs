//! # Lesson 2: ad-hoc computations with futures
//!
//! When the work is not one map over a list, start one call at a time and get a handle to
//! its result back: *submit*. Then gather the handles in order, or take the results as they
//! complete. Read the book's chapter 2 alongside; exercise 2.M is in its section 2.M.
//!
//! - [`slow`] (given): the 2016 notebook's `slowadd` and `slowsub`, and their double loop.
//! - [`submit`] (given): submit one call four ways (a thread, rayon, a futures pool, tokio),
//!   many submits and one gather, results as they complete.
//! - [`correlate`] (given): the correlation job: loading the `close` series, one pair's
//!   correlation, the sequential baseline, the chart.
//! - [`waits`] (given): I/O-bound waits with one thread each and with a fixed pool.
//! - [`dangerous`] (given): sharing what must not be shared is a compile error in Rust.
//! - [`exercise`] (**yours**): 2.1 the double loop with submit, 2.2 every pairwise
//!   correlation with submit, 2.3 results as they complete, 2.4 ten thousand waits as tokio
//!   tasks. Checked by `tests/ex2_1.rs` … `tests/ex2_4.rs`.
//! - [`solution`]: the reference answers, same signatures.
//! - [`answers`] (given): the one switch between the two: an [`Answers`](answers::Answers)
//!   value says which exercises run yours and which the reference's.
//! - [`program`] (given): what the `exercise-02` and `solution-02` binaries run.
//!
//! [`answer`] is [`exercise`], or [`solution`] with `--features solution`: the tests check
//! `answer`, so `cargo test -p lesson-02-futures --test ex2_1` checks your exercise 2.1.

pub mod answers;
pub mod correlate;
pub mod dangerous;
pub mod exercise;
pub mod program;
pub mod slow;
pub mod solution;
pub mod submit;
pub mod waits;

#[cfg(not(feature = "solution"))]
pub use exercise as answer;
#[cfg(feature = "solution")]
pub use solution as answer;
