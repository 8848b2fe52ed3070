//! One switch between your answers and the reference's.
//!
//! [`Answers`] is the lesson's exercises as one trait, implemented by [`Exercise`] (your
//! `exercise.rs`) and [`Solution`] (`solution.rs`); a macro writes the two impls. The
//! programs are generic over it: `exercise-02` runs `program::main::<Exercise>()` and
//! `solution-02` runs `program::main::<Solution>()`. The tests call the functions of
//! `crate::answer`, which is `exercise`, or `solution` with `--features solution`. See
//! lesson 1's `answers` module for why this is a trait.

use std::future::Future;
use std::sync::Arc;

use futures::executor::ThreadPool;

use crate::correlate::Correlation;
use crate::slow::Slow;

/// The exercises of lesson 2. See each function in `exercise.rs` for what it must do.
pub trait Answers {
    /// `"exercise"` or `"solution"`: printed above the program's tables.
    const NAME: &'static str;
    /// The binary that runs these answers.
    const BINARY: &'static str;

    /// Exercise 2.1.
    fn double_loop_submit(n: i64, slow: &Slow, pool: &ThreadPool) -> Vec<i64>;

    /// Exercise 2.2.
    fn correlations_submit(series: &Arc<Vec<Vec<f64>>>, pool: &ThreadPool) -> Vec<Correlation>;

    /// Exercise 2.3.
    fn submit_as_completed<T, F, G>(pool: &ThreadPool, tasks: Vec<F>, on_result: G)
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
        G: FnMut(usize, T);

    /// Exercise 2.4.
    fn spawn_all<F, Fut, R>(count: usize, call: F) -> impl Future<Output = Vec<R>>
    where
        F: Fn(usize) -> Fut,
        Fut: Future<Output = R> + Send + 'static,
        R: Send + 'static;
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

            fn double_loop_submit(n: i64, slow: &Slow, pool: &ThreadPool) -> Vec<i64> {
                crate::$module::double_loop_submit(n, slow, pool)
            }

            fn correlations_submit(
                series: &Arc<Vec<Vec<f64>>>,
                pool: &ThreadPool,
            ) -> Vec<Correlation> {
                crate::$module::correlations_submit(series, pool)
            }

            fn submit_as_completed<T, F, G>(pool: &ThreadPool, tasks: Vec<F>, on_result: G)
            where
                T: Send + 'static,
                F: FnOnce() -> T + Send + 'static,
                G: FnMut(usize, T),
            {
                crate::$module::submit_as_completed(pool, tasks, on_result)
            }

            fn spawn_all<F, Fut, R>(count: usize, call: F) -> impl Future<Output = Vec<R>>
            where
                F: Fn(usize) -> Fut,
                Fut: Future<Output = R> + Send + 'static,
                R: Send + 'static,
            {
                crate::$module::spawn_all(count, call)
            }
        }
    };
}

answers_from!(Exercise, exercise, "exercise", "exercise-02");
answers_from!(Solution, solution, "solution", "solution-02");
