//! One switch between your answers and the reference's.
//!
//! [`Answers`] is the lesson's exercises as one trait, implemented by [`Exercise`] (your
//! `exercise.rs`) and [`Solution`] (`solution.rs`); a macro writes the two impls. The jobs
//! in [`job`](crate::job) and the programs are generic over it: `exercise-06` runs
//! `program::main::<Exercise>()`, `solution-06` runs `program::main::<Solution>()`, and
//! each starts its cluster's other processes as copies of itself. The tests call the
//! functions of `crate::answer`, which is `exercise`, or `solution` with
//! `--features solution`.

use lesson_03_datasets::strategy::{Scored, Window};
use shared::Bar;
use timely::dataflow::StreamVec;

use crate::records::{BadInput, Day, GroupBy, Problem, Read, Score};

/// The exercises of lesson 6. See each function in `exercise.rs` for what it must do.
pub trait Answers: 'static {
    /// `"exercise"` or `"solution"`: printed above the program's tables.
    const NAME: &'static str;
    /// The binary that runs these answers.
    const BINARY: &'static str;

    /// Exercise 6.1.
    fn daily_bars<'scope>(
        files: StreamVec<'scope, u64, (String, Vec<Bar>)>,
    ) -> StreamVec<'scope, u64, (String, Vec<Day>)>;

    /// Exercise 6.2.
    fn scores<'scope>(
        windows: StreamVec<'scope, u64, (usize, Window)>,
        years: usize,
        score: Score,
    ) -> StreamVec<'scope, u64, (usize, Scored)>;

    /// Exercise 6.3, in the dataflow.
    #[allow(clippy::type_complexity)]
    fn split<'scope>(
        read: StreamVec<'scope, u64, Read>,
    ) -> (
        StreamVec<'scope, u64, (String, Vec<Bar>)>,
        StreamVec<'scope, u64, Problem>,
    );

    /// Exercise 6.3, at worker 0.
    fn settle(days: Vec<(String, Vec<Day>)>, problems: Vec<Problem>) -> Result<GroupBy, BadInput>;
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

            fn daily_bars<'scope>(
                files: StreamVec<'scope, u64, (String, Vec<Bar>)>,
            ) -> StreamVec<'scope, u64, (String, Vec<Day>)> {
                crate::$module::daily_bars(files)
            }

            fn scores<'scope>(
                windows: StreamVec<'scope, u64, (usize, Window)>,
                years: usize,
                score: Score,
            ) -> StreamVec<'scope, u64, (usize, Scored)> {
                crate::$module::scores(windows, years, score)
            }

            fn split<'scope>(
                read: StreamVec<'scope, u64, Read>,
            ) -> (
                StreamVec<'scope, u64, (String, Vec<Bar>)>,
                StreamVec<'scope, u64, Problem>,
            ) {
                crate::$module::split(read)
            }

            fn settle(
                days: Vec<(String, Vec<Day>)>,
                problems: Vec<Problem>,
            ) -> Result<GroupBy, BadInput> {
                crate::$module::settle(days, problems)
            }
        }
    };
}

answers_from!(Exercise, exercise, "exercise", "exercise-06");
answers_from!(Solution, solution, "solution", "solution-06");
