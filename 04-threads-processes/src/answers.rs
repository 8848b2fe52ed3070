//! One switch between your answers and the reference's.
//!
//! [`Answers`] is a value: for each exercise, whether it runs your answer (`exercise.rs`)
//! or the reference's (`solution.rs`), with one method per exercise that calls the one
//! picked. `exercise-04` runs `program::main(Answers::EXERCISE)` and `solution-04` runs
//! `program::main(Answers::SOLUTION)`. The tests call the functions of `crate::answer`,
//! which is `exercise`, or `solution` with `--features solution`. See lesson 1's
//! `answers` module for why these are methods and not function pointers.

use shared::answers::Picks;

use crate::aggregate::{Aggregate, AtomicExtremes, Record};
use crate::pool::{Output, PoolError, StartWorker, Task};
use crate::{exercise, solution};

/// Which answers lesson 4 runs: yours or the reference's, exercise by exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answers(Picks);

impl Answers {
    /// `exercise-04`: your answer for every exercise.
    pub const EXERCISE: Answers = Answers(Picks::exercise(4, 4));
    /// `solution-04`: the reference's answer for every exercise.
    pub const SOLUTION: Answers = Answers(Picks::solution(4, 4));

    /// Your answer for exercise 4.`m` and the reference's for the others.
    pub const fn yours_for(m: u8) -> Answers {
        Answers(Picks::yours_for(4, 4, m))
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

    /// Exercise 4.1.
    pub fn partials<A: Aggregate>(self, records: &[A::Record], threads: usize) -> A {
        if self.0.reference(1) {
            solution::partials(records, threads)
        } else {
            exercise::partials(records, threads)
        }
    }

    /// Exercise 4.2.
    pub fn add_atomic(self, table: &[AtomicExtremes], record: &Record) {
        if self.0.reference(2) {
            solution::add_atomic(table, record)
        } else {
            exercise::add_atomic(table, record)
        }
    }

    /// Exercise 4.3.
    pub fn pipeline<C, A>(
        self,
        count: usize,
        read: impl Fn(usize) -> C + Sync,
        parse: impl Fn(C) -> Vec<A::Record> + Sync,
        bound: Option<usize>,
        parsers: usize,
    ) -> A
    where
        C: Send,
        A: Aggregate,
        A::Record: Send,
    {
        if self.0.reference(3) {
            solution::pipeline(count, read, parse, bound, parsers)
        } else {
            exercise::pipeline(count, read, parse, bound, parsers)
        }
    }

    /// Exercise 4.4.
    pub fn run_pool(
        self,
        start: &StartWorker,
        workers: usize,
        tasks: &[Task],
    ) -> Result<Vec<Output>, PoolError> {
        if self.0.reference(4) {
            solution::run_pool(start, workers, tasks)
        } else {
            exercise::run_pool(start, workers, tasks)
        }
    }
}
