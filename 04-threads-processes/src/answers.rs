//! One switch between your answers and the reference's.
//!
//! [`Answers`] is the lesson's exercises as one trait, implemented by [`Exercise`] (your
//! `exercise.rs`) and [`Solution`] (`solution.rs`); a macro writes the two impls. The
//! programs are generic over it: `exercise-04` runs `program::main::<Exercise>()` and
//! `solution-04` runs `program::main::<Solution>()`. The tests call the functions of
//! `crate::answer`, which is `exercise`, or `solution` with `--features solution`. See
//! lesson 1's `answers` module for why this is a trait.

use crate::aggregate::{Aggregate, AtomicExtremes, Record};
use crate::pool::{Output, PoolError, StartWorker, Task};

/// The exercises of lesson 4. See each function in `exercise.rs` for what it must do.
pub trait Answers {
    /// `"exercise"` or `"solution"`: printed above the program's tables.
    const NAME: &'static str;
    /// The binary that runs these answers.
    const BINARY: &'static str;

    /// Exercise 4.1.
    fn partials<A: Aggregate>(records: &[A::Record], threads: usize) -> A;

    /// Exercise 4.2.
    fn add_atomic(table: &[AtomicExtremes], record: &Record);

    /// Exercise 4.3.
    fn pipeline<C, A>(
        count: usize,
        read: impl Fn(usize) -> C + Sync,
        parse: impl Fn(C) -> Vec<A::Record> + Sync,
        bound: Option<usize>,
        parsers: usize,
    ) -> A
    where
        C: Send,
        A: Aggregate,
        A::Record: Send;

    /// Exercise 4.4.
    fn run_pool(
        start: &StartWorker,
        workers: usize,
        tasks: &[Task],
    ) -> Result<Vec<Output>, PoolError>;
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

            fn partials<A: Aggregate>(records: &[A::Record], threads: usize) -> A {
                crate::$module::partials(records, threads)
            }

            fn add_atomic(table: &[AtomicExtremes], record: &Record) {
                crate::$module::add_atomic(table, record)
            }

            fn pipeline<C, A>(
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
                crate::$module::pipeline(count, read, parse, bound, parsers)
            }

            fn run_pool(
                start: &StartWorker,
                workers: usize,
                tasks: &[Task],
            ) -> Result<Vec<Output>, PoolError> {
                crate::$module::run_pool(start, workers, tasks)
            }
        }
    };
}

answers_from!(Exercise, exercise, "exercise", "exercise-04");
answers_from!(Solution, solution, "solution", "solution-04");
