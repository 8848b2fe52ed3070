//! Lesson 2 exercises: THE file you edit. Exercise N.M is explained in book section N.M.
//! Replace its `todo!` with your code, then check that exercise alone:
//!
//! ```text
//! cargo test -p lesson-02-futures --test ex2_1     # exercise 2.1; likewise ex2_2 … ex2_4
//! cargo course                                     # where you stand on every exercise
//! ```

use std::future::Future;
use std::sync::Arc;

use futures::executor::ThreadPool;

use crate::correlate::Correlation;
use crate::slow::Slow;

// ANCHOR: double_loop_submit
/// Exercise 2.1: the double loop of [`crate::slow::double_loop_sequential`], with every call
/// submitted to `pool` instead of made on the spot.
///
/// For every `i` and `j` in `0..n`: submit `slow.add(i, j)` when `i < j`, `slow.sub(i, j)`
/// when `i > j`, nothing when `i == j`, and keep each handle. Only when all are submitted,
/// wait for the handles (`futures::executor::block_on`), in submit order. Return the results
/// in the sequential version's order.
pub fn double_loop_submit(n: i64, slow: &Slow, pool: &ThreadPool) -> Vec<i64> {
    let _ = (n, slow, pool);
    todo!("exercise 2.1: submit every slowadd and slowsub, then gather — see book section 2.1")
}
// ANCHOR_END: double_loop_submit

// ANCHOR: correlations_submit
/// Exercise 2.2: the correlation of every pair of series, each pair submitted to `pool` as a
/// task: what [`crate::correlate::correlations_sequential`] computes, in the same order
/// ([`crate::correlate::pairs`] order), with [`crate::correlate::correlate`] doing one pair.
///
/// A task on a pool must own what it uses (`'static`): give each one a clone of the `Arc`,
/// not of the series.
pub fn correlations_submit(series: &Arc<Vec<Vec<f64>>>, pool: &ThreadPool) -> Vec<Correlation> {
    let _ = (series, pool);
    todo!("exercise 2.2: one task per pair of series, then gather — see book section 2.2")
}
// ANCHOR_END: correlations_submit

// ANCHOR: submit_as_completed
/// Exercise 2.3: submit every task to `pool`, then call `on_result(i, result)` for each one
/// *as it completes*, whatever the order: `i` is the task's index in `tasks`.
///
/// Gathering in submit order (exercise 2.1) waits for the slowest early task while later
/// results sit ready. Put the handles in a `futures::stream::FuturesUnordered` and take
/// them with `StreamExt::next`, inside one `block_on`. A task that panics must make this
/// function panic with the task's message.
pub fn submit_as_completed<T, F, G>(pool: &ThreadPool, tasks: Vec<F>, on_result: G)
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
    G: FnMut(usize, T),
{
    let _ = (pool, tasks, on_result);
    todo!("exercise 2.3: take each result as its task completes — see book section 2.3")
}
// ANCHOR_END: submit_as_completed

// ANCHOR: spawn_all
/// Exercise 2.4: start `call(i)` for every `i` in `0..count` as its own tokio task
/// (`tokio::spawn`), then await them all and return their outputs in order of `i`.
///
/// Awaiting each `call(i)` in turn would run them one after the other; spawning them first
/// lets all of them wait at the same time. A task that panics must make this function panic
/// with the task's message (see `JoinError::into_panic`).
pub async fn spawn_all<F, Fut, R>(count: usize, call: F) -> Vec<R>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    let _ = (count, call);
    todo!("exercise 2.4: every call as its own tokio task — see book section 2.4")
}
// ANCHOR_END: spawn_all
