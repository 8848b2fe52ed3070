//! One switch between your answers and the reference's.
//!
//! [`Answers`] is the lesson's exercises as one trait, implemented by [`Exercise`] (your
//! `exercise.rs`) and [`Solution`] (`solution.rs`); a macro writes the two impls. The
//! scheduler, the worker and the programs are generic over it: `exercise-05` runs your
//! answers in its scheduler, its workers and its client, and `solution-05` the reference's.
//! The tests call the functions of `crate::answer`, which is `exercise`, or `solution` with
//! `--features solution`; so do `scheduler-05` and `worker-05` ([`Chosen`]). See lesson 1's
//! `answers` module for why this is a trait.

use crossbeam_channel::Receiver;
use serde::de::DeserializeOwned;
use shared::progress::ProgressBar;

use crate::client::{ClientError, TaskFuture};
use crate::protocol::{Finished, Job, WorkerId};
use crate::state::State;
use crate::tasks::Context;

/// The exercises of lesson 5. See each function in `exercise.rs` for what it must do.
pub trait Answers: Send + Sync + 'static {
    /// `"exercise"` or `"solution"`: printed above the program's tables.
    const NAME: &'static str;
    /// The binary that runs these answers.
    const BINARY: &'static str;

    /// Exercise 5.1.
    fn execute(jobs: &Receiver<Job>, worker: &Context, send: &mut dyn FnMut(Vec<Finished>) -> bool);

    /// Exercise 5.2.
    fn gather<T: DeserializeOwned + Send>(
        futures: Vec<TaskFuture<T>>,
        progress: &ProgressBar,
    ) -> impl Future<Output = Result<Vec<T>, ClientError>> + Send;

    /// Exercise 5.3.
    fn worker_lost(state: &mut State, lost: WorkerId);
}

/// Your answers, from `src/exercise.rs`.
pub struct Exercise;

/// The reference answers, from `src/solution.rs`.
pub struct Solution;

/// The answers `scheduler-05` and `worker-05` run: yours, or the reference's when built
/// with `--features solution`, as the tests do.
#[cfg(not(feature = "solution"))]
pub type Chosen = Exercise;
/// The answers `scheduler-05` and `worker-05` run: yours, or the reference's when built
/// with `--features solution`, as the tests do.
#[cfg(feature = "solution")]
pub type Chosen = Solution;

/// Implements [`Answers`] for `$answers` by calling the functions of module `$module`.
macro_rules! answers_from {
    ($answers:ty, $module:ident, $name:literal, $binary:literal) => {
        impl Answers for $answers {
            const NAME: &'static str = $name;
            const BINARY: &'static str = $binary;

            fn execute(
                jobs: &Receiver<Job>,
                worker: &Context,
                send: &mut dyn FnMut(Vec<Finished>) -> bool,
            ) {
                crate::$module::execute(jobs, worker, send)
            }

            fn gather<T: DeserializeOwned + Send>(
                futures: Vec<TaskFuture<T>>,
                progress: &ProgressBar,
            ) -> impl Future<Output = Result<Vec<T>, ClientError>> + Send {
                crate::$module::gather(futures, progress)
            }

            fn worker_lost(state: &mut State, lost: WorkerId) {
                crate::$module::worker_lost(state, lost)
            }
        }
    };
}

answers_from!(Exercise, exercise, "exercise", "exercise-05");
answers_from!(Solution, solution, "solution", "solution-05");
