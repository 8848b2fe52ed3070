//! The rosetta stone: lesson 1's job, "convert every file, keep the order", in five of
//! Rust's concurrency tools. Each returns exactly what
//! [`convert_all_sequential`](crate::convert::convert_all_sequential) returns.
//!
//! The first three borrow the inputs: their threads are scoped (or rayon's), so the compiler
//! knows they end before the inputs do. The last two spawn tasks that may outlive the call,
//! so everything a task touches must be owned (`'static`): each task gets its own path, and
//! the output folder is shared through an `Arc`.
//!
//! They are written for this job, not as generic maps, so that none of them is a ready-made
//! answer to exercise 1.1 or 1.2.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::convert::{Outcome, Parser, convert_file};

// ANCHOR: std_threads
/// std threads: split the inputs into one contiguous chunk per core, one scoped thread each.
/// Simple and fast when every file costs the same; a slow chunk holds everyone up.
pub fn convert_std_threads(inputs: &[PathBuf], out: &Path, parse: Parser) -> Vec<Outcome> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = inputs.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .chunks(chunk)
            .map(|c| {
                scope.spawn(move || {
                    c.iter()
                        .map(|input| convert_file(input, out, parse))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}
// ANCHOR_END: std_threads

// ANCHOR: crossbeam
/// crossbeam-channel: a bounded queue of input indices that worker threads pull from, and a
/// channel of results back. The queue balances the load like rayon's work stealing, and its
/// bound keeps a fast producer from running ahead of the workers.
pub fn convert_crossbeam(inputs: &[PathBuf], out: &Path, parse: Parser) -> Vec<Outcome> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (todo, queue) = crossbeam_channel::bounded::<usize>(2 * threads);
    let (done, results) = crossbeam_channel::unbounded::<(usize, Outcome)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (queue, done) = (queue.clone(), done.clone());
            scope.spawn(move || {
                for index in queue {
                    let outcome = convert_file(&inputs[index], out, parse);
                    // `results` lives until the scope ends, so sending cannot fail.
                    done.send((index, outcome))
                        .expect("results receiver is alive");
                }
            });
        }
        for index in 0..inputs.len() {
            todo.send(index).expect("workers are alive");
        }
        drop(todo); // closes the queue: each worker's `for` loop ends
    });
    drop(done);
    let mut slots: Vec<Option<Outcome>> =
        std::iter::repeat_with(|| None).take(inputs.len()).collect();
    for (index, result) in results {
        slots[index] = Some(result);
    }
    slots
        .into_iter()
        .map(|s| s.expect("every index was sent once"))
        .collect()
}
// ANCHOR_END: crossbeam

// ANCHOR: rayon
/// rayon: a work-stealing pool behind an iterator. The line that changes is `par_iter`.
pub fn convert_rayon(inputs: &[PathBuf], out: &Path, parse: Parser) -> Vec<Outcome> {
    use rayon::prelude::*;
    inputs
        .par_iter()
        .map(|input| convert_file(input, out, parse))
        .collect()
}
// ANCHOR_END: rayon

// ANCHOR: futures
/// futures: submit each file to a thread pool and get a handle (a future) back, then wait
/// for all the handles: the shape of Python's `executor.submit` and `future.result()`.
pub fn convert_futures(
    inputs: &[PathBuf],
    out: &Path,
    parse: Parser,
) -> Result<Vec<Outcome>, std::io::Error> {
    use futures::executor::{ThreadPool, block_on};
    use futures::future::join_all;
    use futures::task::SpawnExt;

    let pool = ThreadPool::new()?;
    let out: Arc<Path> = out.into();
    let handles: Vec<_> = inputs
        .iter()
        .map(|input| {
            let (input, out) = (input.clone(), Arc::clone(&out));
            pool.spawn_with_handle(async move { convert_file(&input, &out, parse) })
                .map_err(|e| std::io::Error::other(e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    Ok(block_on(join_all(handles)))
}
// ANCHOR_END: futures

// ANCHOR: tokio
/// tokio: an async runtime. CPU-bound work does not belong on its async worker threads (it
/// would stall every other task), so each file goes to `spawn_blocking`'s thread pool.
pub fn convert_tokio(
    inputs: &[PathBuf],
    out: &Path,
    parse: Parser,
) -> Result<Vec<Outcome>, std::io::Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread().build()?;
    let out: Arc<Path> = out.into();
    runtime.block_on(async {
        let tasks: Vec<_> = inputs
            .iter()
            .map(|input| {
                let (input, out) = (input.clone(), Arc::clone(&out));
                tokio::task::spawn_blocking(move || convert_file(&input, &out, parse))
            })
            .collect();
        let mut results = Vec::with_capacity(tasks.len());
        for task in tasks {
            // A task only fails to join if it panicked: pass the panic on.
            results.push(
                task.await
                    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())),
            );
        }
        Ok(results)
    })
}
// ANCHOR_END: tokio
