//! Waiting, not computing: calls that spend their time waiting for an answer (a web request,
//! a database query), stood in for by sleeps. The ways of waiting that exercise 2.4 (tokio
//! tasks) is compared with: one OS thread per wait, and a fixed pool of threads.

use std::io;
use std::time::Duration;

use rayon::prelude::*;

// ANCHOR: fake_request
/// A stand-in for a network call: waits `wait` without holding a thread (the runtime parks
/// the task and wakes it when its timer fires), then answers `id`.
pub async fn fake_request(id: usize, wait: Duration) -> usize {
    tokio::time::sleep(wait).await;
    id
}

/// The same call made by a blocking client: the calling thread sleeps for `wait`.
pub fn fake_request_blocking(id: usize, wait: Duration) -> usize {
    std::thread::sleep(wait);
    id
}
// ANCHOR_END: fake_request

/// Stack size for the thread-per-wait variant: a waiting thread needs little, and the
/// default (2 MiB of address space each) adds up over thousands of threads.
const SMALL_STACK: usize = 64 * 1024;

// ANCHOR: one_thread_each
/// One OS thread per wait: every call starts at once, at the price of a thread each (a
/// stack, a kernel task, a context switch per wake-up). Fails if the system refuses to start
/// that many threads (see `ulimit -u`); the threads already started are waited for first.
pub fn one_thread_each(count: usize, wait: Duration) -> io::Result<Vec<usize>> {
    let mut handles = Vec::with_capacity(count);
    for id in 0..count {
        let started = std::thread::Builder::new()
            .stack_size(SMALL_STACK)
            .spawn(move || fake_request_blocking(id, wait));
        match started {
            Ok(handle) => handles.push(handle),
            Err(error) => {
                handles.into_iter().for_each(|h| drop(h.join()));
                return Err(io::Error::new(
                    error.kind(),
                    format!("could not start thread {id} of {count}: {error}"),
                ));
            }
        }
    }
    Ok(handles
        .into_iter()
        .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        .collect())
}
// ANCHOR_END: one_thread_each

// ANCHOR: fixed_pool
/// A fixed pool of `threads` threads (rayon's, sized by hand): at most `threads` waits at a
/// time, so `count` waits take about `count / threads` rounds of `wait`.
pub fn fixed_pool(count: usize, wait: Duration, threads: usize) -> io::Result<Vec<usize>> {
    // The default stack, not SMALL_STACK: a rayon thread that waits in a join steals other
    // jobs and runs them on top of its own stack, so its depth is not one wait's (64 KiB
    // overflowed now and then in a debug build, in CI).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(io::Error::other)?;
    Ok(pool.install(|| {
        (0..count)
            .into_par_iter()
            .with_max_len(1) // one wait per task, so every thread stays busy to the end
            .map(|id| fake_request_blocking(id, wait))
            .collect()
    }))
}
// ANCHOR_END: fixed_pool
