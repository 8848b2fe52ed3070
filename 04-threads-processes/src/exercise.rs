//! Your answers to lesson 4. Replace each `todo!()` with your code; the book's section 4.M
//! explains exercise 4.M, and `cargo test -p lesson-04-threads-processes --test ex4_M`
//! checks it. Run the program with `cargo run --release -p lesson-04-threads-processes --bin
//! exercise-04` to see your answers timed against the given versions.

use crate::aggregate::{Aggregate, AtomicExtremes, Record};
use crate::pool::{Output, PoolError, StartWorker, Task};

// ANCHOR: partials
/// Exercise 4.1: the aggregate of `records`, computed by `threads` threads, each adding the
/// records of its own slice into its own partial aggregate (`A::default()`), no lock in
/// sight; the partials are merged into one at the end. `records` may be empty, and `threads`
/// may be more than the records.
pub fn partials<A: Aggregate>(records: &[A::Record], threads: usize) -> A {
    let _ = (records, threads);
    todo!(
        "exercise 4.1: one partial aggregate per thread, merged at the end — see book section 4.1"
    )
}
// ANCHOR_END: partials

// ANCHOR: add_atomic
/// Exercise 4.2: adds `record` to `table[record.symbol]` through a shared reference, so
/// that many threads may call it at once: one more in `count`, and the close into `min` and
/// `max` (as `f64::to_bits`, see [`AtomicExtremes`]). No update may be lost, whatever the
/// threads do at the same moment.
pub fn add_atomic(table: &[AtomicExtremes], record: &Record) {
    let _ = (table, record);
    todo!("exercise 4.2: count, min and max with atomic operations — see book section 4.2")
}
// ANCHOR_END: add_atomic

// ANCHOR: pipeline
/// Exercise 4.3: a pipeline of threads joined by channels. One reader thread calls
/// `read(0)`, `read(1)`, … `read(count - 1)` in order and sends each chunk on; `parsers`
/// threads each take chunks and `parse` them into records; the calling thread adds every
/// record into one `A`, which it returns. With `bound = Some(n)`, every channel holds at
/// most `n` messages, so a stage that runs ahead waits (backpressure); with `None`, the
/// channels are unbounded.
pub fn pipeline<C, A>(
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
    let _ = (count, read, parse, bound, parsers);
    todo!(
        "exercise 4.3: reader → parsers → aggregator over crossbeam channels — see book section 4.3"
    )
}
// ANCHOR_END: pipeline

// ANCHOR: run_pool
/// Exercise 4.4: runs `tasks` on a pool of `workers` worker processes, each started with
/// `start()`, and returns their outputs in the order of `tasks`. Task `i` goes to a worker
/// as job `i` ([`Worker::call`](crate::pool::Worker::call)). A worker that is lost
/// mid-task is dropped and its task runs again on another worker (a fresh one, if need be),
/// so that every task gives exactly one output; a task tried
/// [`MAX_ATTEMPTS`](crate::pool::MAX_ATTEMPTS) times in vain is an error
/// ([`PoolError::TaskFailed`]), and so is a worker that cannot start.
pub fn run_pool(
    start: &StartWorker,
    workers: usize,
    tasks: &[Task],
) -> Result<Vec<Output>, PoolError> {
    let _ = (start, workers, tasks);
    todo!(
        "exercise 4.4: a pool of worker processes that survives a lost worker — see book section 4.4"
    )
}
// ANCHOR_END: run_pool
