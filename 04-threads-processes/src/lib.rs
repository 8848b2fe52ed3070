//! # Lesson 4: processes and threads, communication, contention
//!
//! Rust has no GIL; what it has is the cost the GIL hid: threads that wait for one lock,
//! cache lines that move between cores, and the price of moving data between processes.
//! Read the book's chapter 4 alongside; exercise 4.M is in its section 4.M.
//!
//! - [`aggregate`] (given): per-symbol statistics, the [`Aggregate`](aggregate::Aggregate)
//!   trait, the sequential and the shared-`Mutex` versions, the atomic table of 4.2.
//! - [`sharing`] (given): false sharing, packed counters against padded ones.
//! - [`pipeline`] (given): the pipeline's read and parse steps, and memory measurement.
//! - [`pool`] (given): the tasks, the frames, a worker process and its loop, threads for
//!   comparison.
//! - [`exercise`] (**yours**): 4.1 per-thread partials merged, 4.2 atomics, 4.3 a bounded
//!   pipeline, 4.4 a process pool that survives a lost worker. Checked by
//!   `tests/ex4_1.rs` … `tests/ex4_4.rs`.
//! - [`solution`]: the reference answers, same signatures.
//! - [`answers`] (given): the one switch between the two: an [`Answers`](answers::Answers)
//!   value says which exercises run yours and which the reference's.
//! - [`program`] (given): what the `exercise-04` and `solution-04` binaries run, and what
//!   they run as `--worker`.
//!
//! [`answer`] is [`exercise`], or [`solution`] with `--features solution`: the tests check
//! `answer`, so `cargo test -p lesson-04-threads-processes --test ex4_1` checks your
//! exercise 4.1.

pub mod aggregate;
pub mod answers;
pub mod exercise;
pub mod pipeline;
pub mod pool;
pub mod program;
pub mod sharing;
pub mod solution;

#[cfg(not(feature = "solution"))]
pub use exercise as answer;
#[cfg(feature = "solution")]
pub use solution as answer;
