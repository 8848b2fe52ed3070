//! # Lesson 6: cluster computing on a real dataflow engine, timely-dataflow
//!
//! Part one's analyses at cluster scale: the same program runs as `W` worker threads in
//! each of `P` processes, on one machine or on many, and timely-dataflow moves records
//! between them. Read the book's chapter 6 alongside; exercise 6.M is in its section 6.M.
//!
//! - [`engine`] (given): a small layer over timely — timely's flags, a worker's share,
//!   exchange by key, aggregate at the frontier, collect at worker 0, progress from a probe.
//! - [`job`] (given): the group-by and the parameter search, wired from the answers, and
//!   their types.
//! - [`launcher`] (given): a local cluster — P processes of this program on 127.0.0.1.
//! - [`exercise`] (**yours**): 6.1 the distributed group-by, 6.2 the distributed parameter
//!   search, 6.3 a bad file, carried to worker 0. Checked by `tests/ex6_1.rs` …
//!   `tests/ex6_3.rs`.
//! - [`solution`]: the reference answers, same signatures.
//! - [`answers`] (given): the one switch between the two: an [`Answers`](answers::Answers)
//!   value says which exercises run yours and which the reference's.
//! - [`program`] (given): what `exercise-06` and `solution-06` run.
//!
//! [`answer`] is [`exercise`], or [`solution`] with `--features solution`: the tests check
//! `answer`, so `cargo test -p lesson-06-cluster --test ex6_1` checks your exercise 6.1.

pub mod answers;
pub mod engine;
pub mod exercise;
pub mod job;
pub mod launcher;
pub mod program;
pub mod records;
pub mod solution;

#[cfg(not(feature = "solution"))]
pub use exercise as answer;
#[cfg(feature = "solution")]
pub use solution as answer;
