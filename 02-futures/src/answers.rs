//! One switch between your answers and the reference's.
//!
//! [`Answers`] is a value: for each exercise, whether it runs your answer (`exercise.rs`)
//! or the reference's (`solution.rs`), with one method per exercise that calls the one
//! picked. `exercise-02` runs `program::main(Answers::EXERCISE)` and `solution-02` runs
//! `program::main(Answers::SOLUTION)`. The tests call the functions of `crate::answer`,
//! which is `exercise`, or `solution` with `--features solution`. See lesson 1's
//! `answers` module for why these are methods and not function pointers.

use std::future::Future;
use std::sync::Arc;

use futures::executor::ThreadPool;
use futures::future::Either;
use shared::answers::Picks;

use crate::correlate::Correlation;
use crate::slow::Slow;
use crate::{exercise, solution};

/// Which answers lesson 2 runs: yours or the reference's, exercise by exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answers(Picks);

impl Answers {
    /// `exercise-02`: your answer for every exercise.
    pub const EXERCISE: Answers = Answers(Picks::exercise(2, 4));
    /// `solution-02`: the reference's answer for every exercise.
    pub const SOLUTION: Answers = Answers(Picks::solution(2, 4));

    /// Your answer for exercise 2.`m` and the reference's for the others.
    pub const fn yours_for(m: u8) -> Answers {
        Answers(Picks::yours_for(2, 4, m))
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

    /// Exercise 2.1.
    pub fn double_loop_submit(self, n: i64, slow: &Slow, pool: &ThreadPool) -> Vec<i64> {
        if self.0.reference(1) {
            solution::double_loop_submit(n, slow, pool)
        } else {
            exercise::double_loop_submit(n, slow, pool)
        }
    }

    /// Exercise 2.2.
    pub fn correlations_submit(
        self,
        series: &Arc<Vec<Vec<f64>>>,
        pool: &ThreadPool,
    ) -> Vec<Correlation> {
        if self.0.reference(2) {
            solution::correlations_submit(series, pool)
        } else {
            exercise::correlations_submit(series, pool)
        }
    }

    /// Exercise 2.3.
    pub fn submit_as_completed<T, F, G>(self, pool: &ThreadPool, tasks: Vec<F>, on_result: G)
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
        G: FnMut(usize, T),
    {
        if self.0.reference(3) {
            solution::submit_as_completed(pool, tasks, on_result)
        } else {
            exercise::submit_as_completed(pool, tasks, on_result)
        }
    }

    /// Exercise 2.4.
    pub fn spawn_all<F, Fut, R>(self, count: usize, call: F) -> impl Future<Output = Vec<R>>
    where
        F: Fn(usize) -> Fut,
        Fut: Future<Output = R> + Send + 'static,
        R: Send + 'static,
    {
        if self.0.reference(4) {
            Either::Left(solution::spawn_all(count, call))
        } else {
            Either::Right(exercise::spawn_all(count, call))
        }
    }
}
