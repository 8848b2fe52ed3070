//! The rosetta stone: one parallel map, "apply `work` to every item, keep the order", in five
//! of Rust's concurrency tools. Each returns exactly what the sequential
//! `items.iter().map(work).collect()` returns.
//!
//! The first three borrow the items: their threads are scoped (or rayon's), so the compiler
//! knows they end before the items do. The last two spawn tasks that may outlive the call,
//! so everything a task touches must be owned (`'static`): items move in, `work` is shared
//! through an `Arc`.

use std::sync::Arc;

// ANCHOR: std_threads
/// std threads: split the items into one contiguous chunk per core, one scoped thread each.
/// Simple and fast when every item costs the same; a slow chunk holds everyone up.
pub fn map_std_threads<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| scope.spawn(move || c.iter().map(work).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}
// ANCHOR_END: std_threads

// ANCHOR: crossbeam
/// crossbeam-channel: a bounded queue of item indices that worker threads pull from, and a
/// channel of results back. The queue balances the load like rayon's work stealing, and its
/// bound keeps a fast producer from running ahead of the workers.
pub fn map_crossbeam<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (todo, queue) = crossbeam_channel::bounded::<usize>(2 * threads);
    let (done, results) = crossbeam_channel::unbounded::<(usize, R)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (queue, done, work) = (queue.clone(), done.clone(), &work);
            scope.spawn(move || {
                for index in queue {
                    // `results` lives until the scope ends, so sending cannot fail.
                    done.send((index, work(&items[index])))
                        .expect("results receiver is alive");
                }
            });
        }
        for index in 0..items.len() {
            todo.send(index).expect("workers are alive");
        }
        drop(todo); // closes the queue: each worker's `for` loop ends
    });
    drop(done);
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
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
pub fn map_rayon<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    items.par_iter().map(work).collect()
}
// ANCHOR_END: rayon

// ANCHOR: futures
/// futures: submit each item to a thread pool and get a handle (a future) back, then wait
/// for all the handles: the shape of Python's `executor.submit` and `future.result()`.
pub fn map_futures<T, R, F>(items: Vec<T>, work: F) -> Result<Vec<R>, std::io::Error>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(&T) -> R + Send + Sync + 'static,
{
    use futures::executor::{ThreadPool, block_on};
    use futures::future::join_all;
    use futures::task::SpawnExt;

    let pool = ThreadPool::new()?;
    let work = Arc::new(work);
    let handles: Vec<_> = items
        .into_iter()
        .map(|item| {
            let work = Arc::clone(&work);
            pool.spawn_with_handle(async move { work(&item) })
                .map_err(|e| std::io::Error::other(e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    Ok(block_on(join_all(handles)))
}
// ANCHOR_END: futures

// ANCHOR: tokio
/// tokio: an async runtime. CPU-bound work does not belong on its async worker threads (it
/// would stall every other task), so each item goes to `spawn_blocking`'s thread pool.
pub fn map_tokio<T, R, F>(items: Vec<T>, work: F) -> Result<Vec<R>, std::io::Error>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(&T) -> R + Send + Sync + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread().build()?;
    let work = Arc::new(work);
    runtime.block_on(async {
        let tasks: Vec<_> = items
            .into_iter()
            .map(|item| {
                let work = Arc::clone(&work);
                tokio::task::spawn_blocking(move || work(&item))
            })
            .collect();
        let mut results = Vec::with_capacity(tasks.len());
        for task in tasks {
            // A task only fails to join if `work` panicked: pass the panic on.
            results.push(
                task.await
                    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())),
            );
        }
        Ok(results)
    })
}
// ANCHOR_END: tokio

#[cfg(all(test, feature = "solution"))]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn square(x: &u64) -> u64 {
        x * x
    }

    /// `f`, counting its calls: every variant must call `work` once per item.
    fn counting<'a, T>(
        calls: &'a AtomicUsize,
        f: impl Fn(&T) -> u64 + 'a,
    ) -> impl Fn(&T) -> u64 + 'a {
        move |item| {
            calls.fetch_add(1, Ordering::Relaxed);
            f(item)
        }
    }

    #[test]
    fn every_variant_is_the_sequential_map() {
        for n in [0, 1, 7, 1000] {
            let items: Vec<u64> = (0..n).collect();
            let expected: Vec<u64> = items.iter().map(square).collect();
            let calls = AtomicUsize::new(0);
            assert_eq!(
                map_std_threads(&items, counting(&calls, square)),
                expected,
                "std threads, {n} items"
            );
            assert_eq!(
                map_crossbeam(&items, counting(&calls, square)),
                expected,
                "crossbeam, {n} items"
            );
            assert_eq!(
                map_rayon(&items, counting(&calls, square)),
                expected,
                "rayon, {n} items"
            );
            assert_eq!(calls.load(Ordering::Relaxed), 3 * n as usize);
            assert_eq!(
                map_futures(items.clone(), square).unwrap(),
                expected,
                "futures, {n} items"
            );
            assert_eq!(
                map_tokio(items.clone(), square).unwrap(),
                expected,
                "tokio, {n} items"
            );
        }
    }
}
