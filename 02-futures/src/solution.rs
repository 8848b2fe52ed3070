//! Lesson 2, the reference answers: the same functions as `exercise.rs`, in the same order.

use std::future::Future;
use std::panic::resume_unwind;
use std::sync::Arc;

use futures::StreamExt;
use futures::executor::{ThreadPool, block_on};
use futures::stream::FuturesUnordered;
use futures::task::SpawnExt;

use crate::correlate::{Correlation, correlate, pairs};
use crate::slow::Slow;
use crate::submit::POOL_ACCEPTS;

// ANCHOR: double_loop_submit
/// Exercise 2.1: submit every call, keep the handles in loop order, then block on each.
pub fn double_loop_submit(n: i64, slow: &Slow, pool: &ThreadPool) -> Vec<i64> {
    let mut handles = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let slow = slow.clone(); // each task owns its copy: a cheap clone
            let handle = if i < j {
                pool.spawn_with_handle(async move { slow.add(i, j) })
            } else if i > j {
                pool.spawn_with_handle(async move { slow.sub(i, j) })
            } else {
                continue;
            };
            handles.push(handle.expect(POOL_ACCEPTS));
        }
    }
    // Every call is running or queued by now; waiting starts only here.
    handles.into_iter().map(block_on).collect()
}
// ANCHOR_END: double_loop_submit

// ANCHOR: correlations_submit
/// Exercise 2.2: one task per pair; each holds the `Arc` (a pointer and a count), so the
/// series are shared by all tasks, never copied.
pub fn correlations_submit(series: &Arc<Vec<Vec<f64>>>, pool: &ThreadPool) -> Vec<Correlation> {
    let handles: Vec<_> = pairs(series.len())
        .map(|(a, b)| {
            let series = Arc::clone(series);
            pool.spawn_with_handle(async move { correlate(&series, a, b) })
                .expect(POOL_ACCEPTS)
        })
        .collect();
    handles.into_iter().map(block_on).collect()
}
// ANCHOR_END: correlations_submit

// ANCHOR: submit_as_completed
/// Exercise 2.3: the handles go into a `FuturesUnordered`, a set of futures that yields each
/// output when that future is ready. Each task returns its index along with its result.
pub fn submit_as_completed<T, F, G>(pool: &ThreadPool, tasks: Vec<F>, mut on_result: G)
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
    G: FnMut(usize, T),
{
    let mut pending: FuturesUnordered<_> = tasks
        .into_iter()
        .enumerate()
        .map(|(i, task)| {
            pool.spawn_with_handle(async move { (i, task()) })
                .expect(POOL_ACCEPTS)
        })
        .collect();
    // A `RemoteHandle` raises its task's panic again when polled, so a panic comes through.
    block_on(async {
        while let Some((i, result)) = pending.next().await {
            on_result(i, result);
        }
    });
}
// ANCHOR_END: submit_as_completed

// ANCHOR: spawn_all
/// Exercise 2.4: spawn first, await after. Each `JoinHandle` resolves to `Err` if its task
/// panicked; the panic is raised again here with its own message.
pub async fn spawn_all<F, Fut, R>(count: usize, call: F) -> Vec<R>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    let handles: Vec<_> = (0..count).map(|i| tokio::spawn(call(i))).collect();
    let mut outputs = Vec::with_capacity(count);
    for handle in handles {
        match handle.await {
            Ok(output) => outputs.push(output),
            Err(error) if error.is_panic() => resume_unwind(error.into_panic()),
            Err(error) => panic!("a task was cancelled: {error}"),
        }
    }
    outputs
}
// ANCHOR_END: spawn_all
