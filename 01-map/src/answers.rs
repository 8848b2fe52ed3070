//! One switch between your answers and the reference's.
//!
//! [`Answers`] is the lesson's exercises as one trait, implemented by [`Exercise`] (your
//! `exercise.rs`) and [`Solution`] (`solution.rs`); a macro writes the two impls, so the
//! two modules only need the same functions. The programs are generic over it:
//! `exercise-01` runs `program::main::<Exercise>()` and `solution-01` runs
//! `program::main::<Solution>()`. The tests call the functions of `crate::answer`, which is
//! `exercise`, or `solution` with `--features solution`.
//!
//! A trait, rather than a struct of function pointers, because answers may be generic
//! (the maps here take any item and closure types) or `async`, and a function pointer can
//! be neither.
//!
//! The rule for lessons that start processes: a child runs the same answers as its parent.
//! A program that relaunches itself launches [`Answers::BINARY`], so `exercise-0N` spawns
//! `exercise-0N` and `solution-0N` spawns `solution-0N`; tests pick the binary with the
//! `solution` feature, as `tests/program.rs` does.

use std::path::Path;

use shared::Columns;

use crate::convert::ConvertError;

/// The exercises of lesson 1. See each function in `exercise.rs` for what it must do.
pub trait Answers {
    /// `"exercise"` or `"solution"`: printed above the program's tables.
    const NAME: &'static str;
    /// The binary that runs these answers.
    const BINARY: &'static str;

    /// Exercise 1.1.
    fn par_map_rayon<T, R, F>(items: &[T], work: F) -> Vec<R>
    where
        T: Sync,
        R: Send,
        F: Fn(&T) -> R + Sync;

    /// Exercise 1.2.
    fn par_map_by_hand<T, R, F>(items: &[T], threads: usize, work: F) -> Vec<R>
    where
        T: Sync,
        R: Send,
        F: Fn(&T) -> R + Sync;

    /// Exercise 1.3.
    fn parse_typed(path: &Path, bytes: &[u8]) -> Result<Columns, ConvertError>;
}

/// Your answers, from `src/exercise.rs`.
pub struct Exercise;

/// The reference answers, from `src/solution.rs`.
pub struct Solution;

/// Implements [`Answers`] for `$answers` by calling the functions of module `$module`.
macro_rules! answers_from {
    ($answers:ty, $module:ident, $name:literal, $binary:literal) => {
        impl Answers for $answers {
            const NAME: &'static str = $name;
            const BINARY: &'static str = $binary;

            fn par_map_rayon<T, R, F>(items: &[T], work: F) -> Vec<R>
            where
                T: Sync,
                R: Send,
                F: Fn(&T) -> R + Sync,
            {
                crate::$module::par_map_rayon(items, work)
            }

            fn par_map_by_hand<T, R, F>(items: &[T], threads: usize, work: F) -> Vec<R>
            where
                T: Sync,
                R: Send,
                F: Fn(&T) -> R + Sync,
            {
                crate::$module::par_map_by_hand(items, threads, work)
            }

            fn parse_typed(path: &Path, bytes: &[u8]) -> Result<Columns, ConvertError> {
                crate::$module::parse_typed(path, bytes)
            }
        }
    };
}

answers_from!(Exercise, exercise, "exercise", "exercise-01");
answers_from!(Solution, solution, "solution", "solution-01");
