//! # Lesson 5: distributed deployment — a small dask, built with tokio
//!
//! A scheduler, workers and clients talking over TCP, built small enough to read in an
//! afternoon and well enough to lose a worker mid-batch without losing a result. Read the
//! book's chapter 5 alongside; exercise 5.M is in its section 5.M.
//!
//! - [`protocol`] (given): the messages, their frames, the handshake.
//! - [`tasks`] (given): the registry of tasks a worker can run, and the data it holds.
//! - [`scheduler`] (given, but for 5.3): the [`State`](scheduler::State) that decides, and
//!   the actor and connections that carry its decisions.
//! - [`worker`] (given, but for 5.1): connect, receive, run on task threads, send back.
//! - [`client`] (given, but for 5.2): `submit`, `map`, `scatter`, `run_on_all`, futures.
//! - [`cluster`] (given): a whole cluster in this process, or as worker processes.
//! - [`exercise`] (**yours**): 5.1 the worker's execute loop, 5.2 the client's gather, 5.3
//!   re-running a lost worker's tasks. Checked by `tests/ex5_1.rs` … `tests/ex5_3.rs`.
//! - [`solution`]: the reference answers, same signatures.
//! - [`answers`] (given): the one switch between the two: an [`Answers`](answers::Answers)
//!   value says which exercises run yours and which the reference's.
//! - [`program`] (given): what `exercise-05`, `solution-05`, `scheduler-05` and `worker-05`
//!   run.
//!
//! [`answer`] is [`exercise`], or [`solution`] with `--features solution`: the tests check
//! `answer`, so `cargo test -p lesson-05-distributed --test ex5_1` checks your exercise 5.1.

pub mod answers;
pub mod auth;
pub mod client;
pub mod cluster;
pub mod dashboard;
pub mod exercise;
pub mod program;
pub mod protocol;
pub mod scheduler;
pub mod solution;
pub mod state;
pub mod tasks;
pub mod worker;

#[cfg(not(feature = "solution"))]
pub use exercise as answer;
#[cfg(feature = "solution")]
pub use solution as answer;
