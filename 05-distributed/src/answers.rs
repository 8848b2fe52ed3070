//! One switch between your answers and the reference's.
//!
//! [`Answers`] is a value: for each exercise, whether it runs your answer (`exercise.rs`)
//! or the reference's (`solution.rs`), with one method per exercise that calls the one
//! picked. `exercise-05` runs `program::main(Answers::EXERCISE)` and `solution-05` runs
//! `program::main(Answers::SOLUTION)`. The tests call the functions of `crate::answer`,
//! which is `exercise`, or `solution` with `--features solution`. `scheduler-05` and `worker-05`
//! run [`Answers::TESTED`]: yours, or the reference's when built with `--features solution`,
//! as the tests do. See lesson 1's
//! `answers` module for why these are methods and not function pointers.

use crossbeam_channel::Receiver;
use futures::future::Either;
use serde::de::DeserializeOwned;
use shared::answers::Picks;
use shared::progress::ProgressBar;

use crate::client::{ClientError, TaskFuture};
use crate::protocol::{Finished, Job, WorkerId};
use crate::state::{Place, State};
use crate::tasks::Context;
use crate::{exercise, solution};

/// Which answers lesson 5 runs: yours or the reference's, exercise by exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answers(Picks);

impl Answers {
    /// `exercise-05`: your answer for every exercise.
    pub const EXERCISE: Answers = Answers(Picks::exercise(5, 4));
    /// `solution-05`: the reference's answer for every exercise.
    pub const SOLUTION: Answers = Answers(Picks::solution(5, 4));
    /// The answers the tests check, and `scheduler-05` and `worker-05` run: yours, or the
    /// reference's when built with `--features solution`.
    pub const TESTED: Answers = if cfg!(feature = "solution") {
        Answers::SOLUTION
    } else {
        Answers::EXERCISE
    };

    /// For a test of exercise 5.`m`: [`Answers::TESTED`] for it, the reference's for the
    /// others, so that its tests depend on that exercise alone.
    pub const fn tested_for(m: u8) -> Answers {
        if cfg!(feature = "solution") {
            Answers::SOLUTION
        } else {
            Answers::yours_for(m)
        }
    }

    /// These answers, with the reference's in place of each exercise whose check (a call
    /// of its answer on a tiny input, `checks[m - 1]` for exercise 5.m) panics: see
    /// [`shared::answers::probe`].
    pub fn probed(self, checks: Vec<shared::answers::Check<'_>>, quiet: bool) -> Answers {
        Answers(shared::answers::probe(self.0, checks, quiet))
    }

    /// Your answer for exercise 5.`m` and the reference's for the others.
    pub const fn yours_for(m: u8) -> Answers {
        Answers(Picks::yours_for(5, 4, m))
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

    /// Exercise 5.1.
    pub fn execute(
        self,
        jobs: &Receiver<Job>,
        worker: &Context,
        send: &mut dyn FnMut(Vec<Finished>) -> bool,
    ) {
        if self.0.reference(1) {
            solution::execute(jobs, worker, send)
        } else {
            exercise::execute(jobs, worker, send)
        }
    }

    /// Exercise 5.2.
    pub fn gather<T: DeserializeOwned + Send>(
        self,
        futures: Vec<TaskFuture<T>>,
        progress: &ProgressBar,
    ) -> impl Future<Output = Result<Vec<T>, ClientError>> + Send {
        if self.0.reference(2) {
            Either::Left(solution::gather(futures, progress))
        } else {
            Either::Right(exercise::gather(futures, progress))
        }
    }

    /// Exercise 5.3.
    pub fn worker_lost(self, state: &mut State, lost: WorkerId) {
        if self.0.reference(3) {
            solution::worker_lost(state, lost)
        } else {
            exercise::worker_lost(state, lost)
        }
    }

    /// Exercise 5.4, as the function the scheduler's state places tasks with.
    pub fn choose_worker(self) -> Place {
        if self.0.reference(4) {
            solution::choose_worker
        } else {
            exercise::choose_worker
        }
    }
}
