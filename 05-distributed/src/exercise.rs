//! Your answers to lesson 5. Replace each `todo!()` with your code; the book's section 5.M
//! explains exercise 5.M, and `cargo test -p lesson-05-distributed --test ex5_M` checks it.
//! Run the program with `cargo run --release -p lesson-05-distributed --bin exercise-05` to
//! see your scheduler, workers and client at work.

use crossbeam_channel::Receiver;
use serde::de::DeserializeOwned;
use shared::progress::ProgressBar;

use crate::client::{ClientError, TaskFuture};
use crate::protocol::{Finished, Job, WorkerId};
use crate::state::{Candidate, InputPlace, State};
use crate::tasks::Context;

// ANCHOR: execute
/// Exercise 5.1: a worker's execute loop, run by each of its task threads. Take jobs from
/// `jobs` until it is closed; run each by looking its name up in
/// [`REGISTRY`](crate::tasks::REGISTRY) and calling it with the job's arguments and
/// `worker`. An unknown name gives [`TaskError::UnknownTask`](crate::protocol::TaskError);
/// a task that panics gives [`TaskError::Panicked`](crate::protocol::TaskError) with the
/// panic's message (`shared::panic::panic_message` gives a panic's text) and this
/// worker's name (`worker.worker`), and the loop goes on with the next job.
///
/// Hand results to `send` in batches: after a job, send what you have if no other job is
/// waiting, or once you hold [`MAX_BATCH`](crate::worker::MAX_BATCH); never hold a result
/// back while you wait for the next job. Stop when `send` returns `false` (the connection
/// is gone).
pub fn execute(
    jobs: &Receiver<Job>,
    worker: &Context,
    send: &mut dyn FnMut(Vec<Finished>) -> bool,
) {
    let _ = (jobs, worker, send);
    todo!("exercise 5.1: the worker's execute loop — see book section 5.1")
}
// ANCHOR_END: execute

// ANCHOR: gather
/// Exercise 5.2: waits for every future and returns their outputs in the order of
/// `futures`, whatever order they finish in. Advance `progress` by one as each finishes, so
/// that the bar moves while the slowest are still running. If some failed, return the error
/// of the first failed one in the order of `futures`, once all have finished.
pub async fn gather<T: DeserializeOwned>(
    futures: Vec<TaskFuture<T>>,
    progress: &ProgressBar,
) -> Result<Vec<T>, ClientError> {
    let _ = (futures, progress);
    todo!("exercise 5.2: the client's gather — see book section 5.2")
}
// ANCHOR_END: gather

// ANCHOR: worker_lost
/// Exercise 5.3: worker `lost` has gone (its connection closed, or it fell silent). Remove
/// it from `state.workers`. Every task it was running goes back to the *front* of
/// `state.ready`, in task id order, unassigned, so that [`State::assign`] gives it to
/// another worker next; count each in `state.counters.rerun`. Skip ids that are no longer
/// in `state.tasks` (their client has gone). A task pinned to the lost
/// worker (`pin == Some(lost)`), whether it was running there or still waits in
/// `state.ready`, can run nowhere else: end it with
/// [`State::fail`] and [`TaskError::WorkerLost`](crate::protocol::TaskError) naming the
/// worker (by its name, `WorkerEntry::name`). A worker the state does not know is a no-op.
/// The given actor counts `state.counters.workers_lost`; count only `rerun` here.
pub fn worker_lost(state: &mut State, lost: WorkerId) {
    let _ = (state, lost);
    todo!("exercise 5.3: re-run a lost worker's tasks — see book section 5.3")
}
// ANCHOR_END: worker_lost

// ANCHOR: choose_worker
/// Exercise 5.4: the worker for a task whose inputs are `inputs` (each one's size in bytes
/// and the workers holding a copy), among `workers` (in id order). Only a worker with
/// `room` may be chosen; `None` if none has. Of those, choose the one that holds the most
/// bytes of the task's inputs, so that the least data has to travel; among equals, the one
/// with the lowest `load`; among those, the lowest id.
pub fn choose_worker(inputs: &[InputPlace], workers: &[Candidate]) -> Option<WorkerId> {
    let _ = (inputs, workers);
    todo!("exercise 5.4: place a task where its inputs are — see book section 5.4")
}
// ANCHOR_END: choose_worker
