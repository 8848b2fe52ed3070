//! Submit: start one call in the background and get a handle to its result, four ways.
//! Each function submits `slow.add(1, 2)`, could do other work while it runs, then blocks on
//! the handle. Then: many submits and one gather, and results taken as they complete.

use std::panic::resume_unwind;
use std::sync::mpsc;
use std::time::Duration;

use futures::executor::{ThreadPool, block_on};
use futures::future::RemoteHandle;
use futures::task::SpawnExt;
use shared::progress::ProgressBar;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

use crate::slow::Slow;

/// Why `spawn_with_handle` on a futures `ThreadPool` cannot fail: its `Spawn` impl queues
/// every task and returns `Ok`, for as long as the pool exists.
pub const POOL_ACCEPTS: &str = "a futures ThreadPool accepts every task while it exists";

/// A futures `ThreadPool` of `threads` threads named `{name}-0`, `{name}-1`, …: the
/// `ThreadPoolExecutor(4)` of the 2016 notebook.
pub fn thread_pool(threads: usize, name: &str) -> std::io::Result<ThreadPool> {
    ThreadPool::builder()
        .pool_size(threads.max(1))
        .name_prefix(format!("{name}-"))
        .create()
}

// ANCHOR: std_thread
/// A new OS thread for one call: `JoinHandle::join` is the future's `.result()`. A panic in
/// the call comes back as `Err` from `join`; pass it on.
pub fn submit_std_thread(slow: &Slow) -> i64 {
    let slow = slow.clone(); // the thread may outlive this function: it must own its data
    let handle: std::thread::JoinHandle<i64> = std::thread::spawn(move || slow.add(1, 2));
    // … free to do other work here while the call runs …
    handle.join().unwrap_or_else(|panic| resume_unwind(panic))
}
// ANCHOR_END: std_thread

// ANCHOR: rayon_spawn
/// Rayon's pool has no handle type: `rayon::spawn` runs a closure and returns nothing, so
/// the result travels back over a channel. Beware: a panic inside `rayon::spawn` aborts the
/// whole process (rayon's default panic handler), which is one reason to prefer a pool that
/// returns handles.
pub fn submit_rayon(slow: &Slow) -> i64 {
    let slow = slow.clone();
    let (sender, receiver) = mpsc::sync_channel(1);
    rayon::spawn(move || {
        // The receiver is gone only if the caller stopped waiting: nothing to do then.
        let _ = sender.send(slow.add(1, 2));
    });
    receiver
        .recv()
        .expect("the task ended without sending its result")
}
// ANCHOR_END: rayon_spawn

// ANCHOR: futures_pool
/// The futures crate's `ThreadPool`: `spawn_with_handle` returns a `RemoteHandle`, itself a
/// future; `block_on` waits for it. A panic in the task is raised again by the handle.
pub fn submit_futures(pool: &ThreadPool, slow: &Slow) -> i64 {
    let slow = slow.clone();
    let handle: RemoteHandle<i64> = pool
        .spawn_with_handle(async move { slow.add(1, 2) })
        .expect(POOL_ACCEPTS);
    block_on(handle)
}
// ANCHOR_END: futures_pool

// ANCHOR: tokio_blocking
/// Tokio runs blocking calls on a separate pool of threads: `spawn_blocking` returns a
/// `JoinHandle`, a future whose output is `Err` if the call panicked.
pub fn submit_tokio(runtime: &Runtime, slow: &Slow) -> i64 {
    let slow = slow.clone();
    let handle = runtime.spawn_blocking(move || slow.add(1, 2));
    match runtime.block_on(handle) {
        Ok(sum) => sum,
        Err(error) if error.is_panic() => resume_unwind(error.into_panic()),
        Err(error) => panic!("the task was cancelled: {error}"),
    }
}
// ANCHOR_END: tokio_blocking

// ANCHOR: submit_many
/// Many submits, then one gather: `n` calls of `slow.add(i, i)` start at once (the pool runs
/// as many at a time as it has threads), then the handles are waited for in submit order,
/// so the results are in submit order too.
pub fn submit_many(pool: &ThreadPool, slow: &Slow, n: i64) -> Vec<i64> {
    let handles: Vec<RemoteHandle<i64>> = (0..n)
        .map(|i| {
            let slow = slow.clone();
            pool.spawn_with_handle(async move { slow.add(i, i) })
                .expect(POOL_ACCEPTS)
        })
        .collect();
    handles.into_iter().map(block_on).collect()
}
// ANCHOR_END: submit_many

// ANCHOR: as_completed
/// Results as they complete (2016's `as_completed`): naps of the given lengths as tokio
/// tasks in a `JoinSet`, which hands back each result when its task ends, whatever the order
/// of submission. Each one moves the progress bar on. Returns the naps' indices in the order
/// they ended.
pub fn naps_as_completed(
    runtime: &Runtime,
    naps: &[Duration],
    progress: &ProgressBar,
) -> Vec<usize> {
    runtime.block_on(async {
        let mut tasks = JoinSet::new();
        for (i, &nap) in naps.iter().enumerate() {
            tasks.spawn(async move {
                tokio::time::sleep(nap).await;
                i
            });
        }
        let mut order = Vec::with_capacity(naps.len());
        while let Some(ended) = tasks.join_next().await {
            match ended {
                Ok(i) => order.push(i),
                Err(error) if error.is_panic() => resume_unwind(error.into_panic()),
                Err(error) => panic!("a nap was cancelled: {error}"),
            }
            progress.inc(1);
        }
        order
    })
}
// ANCHOR_END: as_completed

/// A multi-threaded tokio runtime with `threads` workers and timers on.
pub fn tokio_runtime(threads: usize) -> std::io::Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_time()
        .build()
}
