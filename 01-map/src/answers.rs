//! One switch between your answers and the reference's.
//!
//! [`Answers`] is a value: for each exercise of the lesson, whether it runs your answer
//! (`exercise.rs`) or the reference's (`solution.rs`), with one method per exercise that
//! calls the one picked. `exercise-01` runs `program::main(Answers::EXERCISE)` and
//! `solution-01` runs `program::main(Answers::SOLUTION)`. The tests call the functions of
//! `crate::answer`, which is `exercise`, or `solution` with `--features solution`.
//!
//! Methods, rather than function pointers, because answers may be generic (the maps here
//! take any item and closure types) or `async`, and a function pointer can be neither.
//!
//! The rule for lessons that start processes: a child runs the same answers as its parent.
//! A program that relaunches itself relaunches its own binary (`current_exe()`), which
//! starts from the same `Answers` and probes the same exercises, so `exercise-0N` spawns
//! `exercise-0N` and `solution-0N` spawns `solution-0N`.

use std::path::Path;

use shared::Columns;
use shared::answers::Picks;

use crate::convert::{ConvertError, Parser};
use crate::{exercise, solution};

/// Which answers lesson 1 runs: yours or the reference's, exercise by exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answers(Picks);

impl Answers {
    /// `exercise-01`: your answer for every exercise.
    pub const EXERCISE: Answers = Answers(Picks::exercise(1, 3));
    /// `solution-01`: the reference's answer for every exercise.
    pub const SOLUTION: Answers = Answers(Picks::solution(1, 3));

    /// Your answer for exercise 1.`m` and the reference's for the others.
    pub const fn yours_for(m: u8) -> Answers {
        Answers(Picks::yours_for(1, 3, m))
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

    /// Exercise 1.1.
    pub fn par_map_rayon<T, R, F>(self, items: &[T], work: F) -> Vec<R>
    where
        T: Sync,
        R: Send,
        F: Fn(&T) -> R + Sync,
    {
        if self.0.reference(1) {
            solution::par_map_rayon(items, work)
        } else {
            exercise::par_map_rayon(items, work)
        }
    }

    /// Exercise 1.2.
    pub fn par_map_by_hand<T, R, F>(self, items: &[T], threads: usize, work: F) -> Vec<R>
    where
        T: Sync,
        R: Send,
        F: Fn(&T) -> R + Sync,
    {
        if self.0.reference(2) {
            solution::par_map_by_hand(items, threads, work)
        } else {
            exercise::par_map_by_hand(items, threads, work)
        }
    }

    /// Exercise 1.3.
    pub fn parse_typed(self, path: &Path, bytes: &[u8]) -> Result<Columns, ConvertError> {
        (self.parser())(path, bytes)
    }

    /// Exercise 1.3 as a [`Parser`], for the converters that take one.
    pub fn parser(self) -> Parser {
        if self.0.reference(3) {
            solution::parse_typed
        } else {
            exercise::parse_typed
        }
    }
}
