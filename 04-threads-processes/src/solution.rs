//! The reference answers to lesson 4: same functions as `exercise.rs`, solved. Read them
//! after trying; the book's solutions page walks through them.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use crossbeam_channel::{Receiver, Sender};

use crate::aggregate::{Aggregate, AtomicExtremes, Record};
use crate::pool::{MAX_ATTEMPTS, Output, PoolError, StartWorker, Task, Worker};

// ANCHOR: partials
/// Exercise 4.1: one partial aggregate per thread, merged at the end.
pub fn partials<A: Aggregate>(records: &[A::Record], threads: usize) -> A {
    let chunk = records.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = records
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut partial = A::default();
                    for record in part {
                        partial.add(record);
                    }
                    partial
                })
            })
            .collect();
        let mut all = A::default();
        for handle in handles {
            // A panic in a thread comes through with its own message.
            all.merge(
                handle
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            );
        }
        all
    })
}
// ANCHOR_END: partials

// ANCHOR: add_atomic
/// Exercise 4.2: three atomic read-modify-writes. `Relaxed` is enough: each counter is
/// updated on its own, and the results are read after the threads are joined, which orders
/// everything.
pub fn add_atomic(table: &[AtomicExtremes], record: &Record) {
    let slot = &table[usize::from(record.symbol)];
    let bits = record.close.to_bits();
    slot.count.fetch_add(1, Ordering::Relaxed);
    slot.min.fetch_min(bits, Ordering::Relaxed);
    slot.max.fetch_max(bits, Ordering::Relaxed);
}
// ANCHOR_END: add_atomic

// ANCHOR: pipeline
/// Exercise 4.3: reader → parsers → aggregator.
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
    let (chunks_out, chunks_in) = channel::<C>(bound);
    let (records_out, records_in) = channel::<Vec<A::Record>>(bound);
    let (read, parse) = (&read, &parse);
    std::thread::scope(|s| {
        s.spawn(move || {
            for i in 0..count {
                // `send` waits while the channel is full: backpressure. It fails only if
                // every parser is gone, and then there is no one to read for.
                if chunks_out.send(read(i)).is_err() {
                    break;
                }
            }
        }); // `chunks_out` is dropped here: the parsers' loops end once the channel is empty
        for _ in 0..parsers.max(1) {
            let (chunks_in, records_out) = (chunks_in.clone(), records_out.clone());
            s.spawn(move || {
                for chunk in chunks_in {
                    if records_out.send(parse(chunk)).is_err() {
                        break;
                    }
                }
            });
        }
        // Only the threads may hold these now: the aggregator's loop below ends when the
        // last parser drops its sender.
        drop((chunks_in, records_out));
        let mut all = A::default();
        for batch in records_in {
            for record in &batch {
                all.add(record);
            }
        }
        all
    })
}

/// A bounded channel of `n` messages, or an unbounded one.
fn channel<T>(bound: Option<usize>) -> (Sender<T>, Receiver<T>) {
    match bound {
        Some(n) => crossbeam_channel::bounded(n),
        None => crossbeam_channel::unbounded(),
    }
}
// ANCHOR_END: pipeline

// ANCHOR: run_pool
/// Exercise 4.4: one thread per worker process, all taking task numbers from one queue.
pub fn run_pool(
    start: &StartWorker,
    workers: usize,
    tasks: &[Task],
) -> Result<Vec<Output>, PoolError> {
    if workers == 0 {
        return Err(PoolError::NoWorkers);
    }
    // Start every worker before any work: a program that cannot start fails here, at once.
    let started = (0..workers.min(tasks.len()))
        .map(|_| start())
        .collect::<Result<Vec<_>, _>>()?;
    let shared = Shared {
        queue: Mutex::new((0..tasks.len()).collect()),
        outputs: Mutex::new(vec![None; tasks.len()]),
        attempts: Mutex::new(vec![0; tasks.len()]),
        failure: Mutex::new(None),
    };
    std::thread::scope(|s| {
        for worker in started {
            let shared = &shared;
            s.spawn(move || shared.drive(worker, start, tasks));
        }
    });
    if let Some(error) = lock(&shared.failure).take() {
        return Err(error);
    }
    let outputs = shared
        .outputs
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    Ok(outputs
        .into_iter()
        .map(|output| output.expect("every task either ran or failed the pool"))
        .collect())
}

/// What the pool's threads share.
struct Shared {
    /// Task numbers not yet done (nor being done).
    queue: Mutex<VecDeque<usize>>,
    outputs: Mutex<Vec<Option<Output>>>,
    /// How many workers each task has taken down.
    attempts: Mutex<Vec<usize>>,
    /// The first error; once set, every thread stops taking tasks.
    failure: Mutex<Option<PoolError>>,
}

impl Shared {
    /// One pool thread: feeds its worker tasks from the queue until the queue is empty. A
    /// lost worker's task goes back into the queue and the thread starts a fresh worker.
    fn drive(&self, worker: Worker, start: &StartWorker, tasks: &[Task]) {
        let mut worker = Some(worker);
        while lock(&self.failure).is_none() {
            let Some(i) = lock(&self.queue).pop_front() else {
                return;
            };
            let current = match worker.take() {
                Some(w) => worker.insert(w),
                None => match start() {
                    Ok(w) => worker.insert(w),
                    Err(e) => return self.fail(e),
                },
            };
            match current.call(i as u64, &tasks[i]) {
                Ok(output) => lock(&self.outputs)[i] = Some(output),
                Err(lost) => {
                    worker = None; // dropping a lost worker kills and reaps it
                    let attempts = {
                        let mut attempts = lock(&self.attempts);
                        attempts[i] += 1;
                        attempts[i]
                    };
                    if attempts >= MAX_ATTEMPTS {
                        return self.fail(PoolError::TaskFailed { task: i, attempts });
                    }
                    eprintln!("{lost}; task {i} goes to another worker");
                    lock(&self.queue).push_back(i);
                }
            }
        }
    }

    fn fail(&self, error: PoolError) {
        lock(&self.failure).get_or_insert(error);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
// ANCHOR_END: run_pool
