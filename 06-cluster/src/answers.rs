//! One switch between your answers and the reference's.
//!
//! [`Answers`] is a value: for each exercise, whether it runs your answer (`exercise.rs`)
//! or the reference's (`solution.rs`), with one method per exercise that calls the one
//! picked. `exercise-06` runs `program::main(Answers::EXERCISE)` and `solution-06` runs
//! `program::main(Answers::SOLUTION)`. The tests call the functions of `crate::answer`,
//! which is `exercise`, or `solution` with `--features solution`. The jobs in [`job`](crate::job) take the
//! value too, and each program starts its cluster's other processes as copies of itself,
//! which probe the same exercises and so run the same answers. See lesson 1's
//! `answers` module for why these are methods and not function pointers.

use market::strategy::{Scored, Window};
use shared::Bar;
use shared::answers::Picks;
use timely::dataflow::StreamVec;

use crate::records::{BadInput, Day, GroupBy, Problem, Read, Score};
use crate::{exercise, solution};

/// Which answers lesson 6 runs: yours or the reference's, exercise by exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answers(Picks);

impl Answers {
    /// `exercise-06`: your answer for every exercise.
    pub const EXERCISE: Answers = Answers(Picks::exercise(6, 3));
    /// `solution-06`: the reference's answer for every exercise.
    pub const SOLUTION: Answers = Answers(Picks::solution(6, 3));
    /// For a test of exercise 6.`m`: yours (or the reference's with `--features solution`,
    /// as `crate::answer` is) for it, the reference's for the others, so that its tests
    /// depend on that exercise alone.
    pub const fn tested_for(m: u8) -> Answers {
        if cfg!(feature = "solution") {
            Answers::SOLUTION
        } else {
            Answers::yours_for(m)
        }
    }

    /// These answers, with the reference's in place of each exercise whose check (a call
    /// of its answer on a tiny input, `checks[m - 1]` for exercise 6.m) panics: see
    /// [`shared::answers::probe`].
    pub fn probed(self, checks: Vec<shared::answers::Check<'_>>, quiet: bool) -> Answers {
        Answers(shared::answers::probe(self.0, checks, quiet))
    }

    /// Your answer for exercise 6.`m` and the reference's for the others.
    pub const fn yours_for(m: u8) -> Answers {
        Answers(Picks::yours_for(6, 3, m))
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

    /// Exercise 6.1.
    pub fn daily_bars<'scope>(
        self,
        files: StreamVec<'scope, u64, (String, Vec<Bar>)>,
    ) -> StreamVec<'scope, u64, (String, Vec<Day>)> {
        if self.0.reference(1) {
            solution::daily_bars(files)
        } else {
            exercise::daily_bars(files)
        }
    }

    /// Exercise 6.2.
    pub fn scores<'scope>(
        self,
        windows: StreamVec<'scope, u64, (usize, Window)>,
        years: usize,
        score: Score,
    ) -> StreamVec<'scope, u64, (usize, Scored)> {
        if self.0.reference(2) {
            solution::scores(windows, years, score)
        } else {
            exercise::scores(windows, years, score)
        }
    }

    /// Exercise 6.3, in the dataflow.
    #[allow(clippy::type_complexity)]
    pub fn split<'scope>(
        self,
        read: StreamVec<'scope, u64, Read>,
    ) -> (
        StreamVec<'scope, u64, (String, Vec<Bar>)>,
        StreamVec<'scope, u64, Problem>,
    ) {
        if self.0.reference(3) {
            solution::split(read)
        } else {
            exercise::split(read)
        }
    }

    /// Exercise 6.3, at worker 0.
    pub fn settle(
        self,
        days: Vec<(String, Vec<Day>)>,
        problems: Vec<Problem>,
    ) -> Result<GroupBy, BadInput> {
        if self.0.reference(3) {
            solution::settle(days, problems)
        } else {
            exercise::settle(days, problems)
        }
    }
}
