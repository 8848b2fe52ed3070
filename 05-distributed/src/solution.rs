//! The reference answers to lesson 5: the same functions as `exercise.rs`, filled in.

use std::panic::{self, AssertUnwindSafe};

use crossbeam_channel::Receiver;
use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use serde::de::DeserializeOwned;
use shared::panic::panic_message;
use shared::progress::ProgressBar;

use crate::client::{ClientError, TaskFuture};
use crate::protocol::MAX_BATCH;
use crate::protocol::{Finished, Job, TaskError, TaskId, WorkerId};
use crate::state::{Candidate, InputPlace, State};
use crate::tasks::{Context, REGISTRY};

// ANCHOR: execute
/// Exercise 5.1: a worker's execute loop.
pub fn execute(
    jobs: &Receiver<Job>,
    worker: &Context,
    send: &mut dyn FnMut(Vec<Finished>) -> bool,
) {
    let mut batch = Vec::new();
    while let Ok(job) = jobs.recv() {
        let result = match REGISTRY.get(&job.name) {
            None => Err(TaskError::UnknownTask(job.name)),
            // A panic unwinds to here instead of ending the thread. `AssertUnwindSafe`: a
            // task shares nothing with the loop but `worker`, whose store is never locked
            // while a task runs, so nothing is left half-changed.
            Some(run) => panic::catch_unwind(AssertUnwindSafe(|| run(&job.args, worker)))
                .unwrap_or_else(|payload| {
                    Err(TaskError::Panicked {
                        worker: worker.worker.clone(),
                        message: panic_message(payload.as_ref()).to_string(),
                    })
                }),
        };
        batch.push(Finished { id: job.id, result });
        // Send when nothing else is queued: a result never waits for a batch that may not
        // fill. While jobs are queued, results gather into one message.
        if (jobs.is_empty() || batch.len() >= MAX_BATCH) && !send(std::mem::take(&mut batch)) {
            return;
        }
    }
    if !batch.is_empty() {
        send(batch);
    }
}
// ANCHOR_END: execute

// ANCHOR: gather
/// Exercise 5.2: the client's gather.
pub async fn gather<T: DeserializeOwned>(
    futures: Vec<TaskFuture<T>>,
    progress: &ProgressBar,
) -> Result<Vec<T>, ClientError> {
    let mut outcomes: Vec<Option<Result<T, ClientError>>> = futures.iter().map(|_| None).collect();
    // Poll them all at once and take each as it finishes, keeping its index.
    let mut finishing: FuturesUnordered<_> = futures
        .into_iter()
        .enumerate()
        .map(|(i, future)| async move { (i, future.await) })
        .collect();
    while let Some((i, outcome)) = finishing.next().await {
        outcomes[i] = Some(outcome);
        progress.inc(1);
    }
    outcomes
        .into_iter()
        .map(|outcome| outcome.expect("every future has finished"))
        .collect()
}
// ANCHOR_END: gather

// ANCHOR: worker_lost
/// Exercise 5.3: re-run a lost worker's tasks.
pub fn worker_lost(state: &mut State, lost: WorkerId) {
    let Some(worker) = state.workers.remove(&lost) else {
        return;
    };
    // Back to the front of the queue, lowest id first: these tasks have waited longest.
    // `running` is sorted, so pushing each to the front from the last one keeps the order.
    for &id in worker.running.iter().rev() {
        let Some(task) = state.tasks.get_mut(&id) else {
            continue; // its client has gone
        };
        if task.pin == Some(lost) {
            state.fail(id, TaskError::WorkerLost(worker.name.clone()));
        } else {
            task.assigned = None;
            state.ready.push_front(id);
            state.counters.rerun += 1;
        }
    }
    // Pinned tasks that had not started: they would wait for the lost worker forever.
    let stranded: Vec<TaskId> = state
        .ready
        .iter()
        .filter(|id| {
            state
                .tasks
                .get(id)
                .is_some_and(|task| task.pin == Some(lost))
        })
        .copied()
        .collect();
    for id in stranded {
        state.fail(id, TaskError::WorkerLost(worker.name.clone()));
    }
}
// ANCHOR_END: worker_lost

// ANCHOR: choose_worker
/// Exercise 5.4: the worker for a task, by the bytes of its inputs each one holds.
pub fn choose_worker(inputs: &[InputPlace], workers: &[Candidate]) -> Option<WorkerId> {
    let held = |worker: WorkerId| -> u64 {
        (inputs.iter())
            .filter(|input| input.holders.contains(&worker))
            .map(|input| input.bytes)
            .sum()
    };
    // Most bytes first, then least load, then lowest id: `Reverse` turns "most" into the
    // smallest key, so one `min_by_key` does all three.
    workers
        .iter()
        .filter(|worker| worker.room)
        .min_by_key(|worker| (std::cmp::Reverse(held(worker.id)), worker.load, worker.id))
        .map(|worker| worker.id)
}
// ANCHOR_END: choose_worker
