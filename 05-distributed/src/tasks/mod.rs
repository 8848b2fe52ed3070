//! The tasks a worker can run: a registry compiled into the program.
//!
//! dask ships a pickled Python function to a worker and runs it; IPython Parallel does the
//! same. That is convenient, and it means that anyone who can reach a worker's port can run
//! any code on that machine. Here a client names a task, and a worker looks the name up in
//! [`REGISTRY`], a table built into its binary: a peer can only ever choose among the
//! functions below. An unknown name is an error sent back to the client
//! ([`TaskError::UnknownTask`]), never a crash.
//!
//! Choosing among safe functions is not safety by itself: a function's arguments come from
//! the peer too. So only peers that hold the cluster's secret get in (see [`crate::auth`]),
//! a task reads only regular files inside its worker's dataset folder
//! ([`Context::data_file`]), its errors quote nothing of a file, and scattered data is
//! bounded ([`MAX_STORE`]).
//!
//! A task is a type implementing [`Task`]: a name, serde types for its arguments and output,
//! and a `run` function. To add one, write the type and add `entry::<YourTask>()` to the
//! registry; clients and workers built from the same source then agree on it.

use std::cell::{Cell, RefCell};
use std::time::Instant;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::protocol::{MAX_PAYLOAD, TaskError};

mod builtin;
mod context;

pub use builtin::*;
pub use context::{Context, MAX_STORE, MAX_TASK_FILE};

// ANCHOR: task
/// A task a worker can run, looked up by [`NAME`](Task::NAME).
pub trait Task {
    /// The name clients use. Unique in the registry.
    const NAME: &'static str;
    type Args: Serialize + DeserializeOwned;
    type Output: Serialize + DeserializeOwned;
    /// Runs the task on a worker. `Err` is a failure the client sees as
    /// [`TaskError::Failed`]; a panic is caught by the worker's execute loop.
    fn run(args: Self::Args, worker: &Context) -> Result<Self::Output, String>;
}
// ANCHOR_END: task

// ANCHOR: node
/// A task that takes other tasks' results: dask's `client.submit(add, x, 10)`, where `x`
/// is a future. A client names the tasks whose results it takes
/// ([`Client::submit_node`](crate::client::Client::submit_node)); the scheduler runs it once
/// they have finished, and its worker passes their outputs, in order, as `inputs`.
pub trait Node {
    /// The name clients use. Unique in the registry.
    const NAME: &'static str;
    /// What each input is: the output type of the tasks it takes.
    type Input: Serialize + DeserializeOwned;
    type Args: Serialize + DeserializeOwned;
    type Output: Serialize + DeserializeOwned;
    fn run(
        inputs: Vec<Self::Input>,
        args: Self::Args,
        worker: &Context,
    ) -> Result<Self::Output, String>;
}
// ANCHOR_END: node

/// What a [`Node`]'s worker decodes: its inputs, then its arguments. The worker writes the
/// length of the list and each input's bytes before the arguments, which is this type's
/// postcard encoding (postcard writes a struct's fields one after the other, and a list as
/// its length and then its items).
#[derive(serde::Deserialize)]
struct WithInputs<I, A> {
    inputs: Vec<I>,
    args: A,
}

/// A task with its types erased: postcard bytes in, postcard bytes out.
pub type RunFn = fn(&[u8], &Context) -> Result<Vec<u8>, TaskError>;

/// One line of the registry.
pub struct Entry {
    pub name: &'static str,
    pub run: RunFn,
}

/// The table of tasks, see [`REGISTRY`].
pub struct Registry(&'static [Entry]);

impl Registry {
    /// The task named `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<RunFn> {
        self.0
            .iter()
            .find(|entry| entry.name == name)
            .map(|e| e.run)
    }

    /// Every task's name, in the registry's order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        self.0.iter().map(|entry| entry.name)
    }
}

thread_local! {
    /// When each task this thread ran started and ended, oldest first, for the dashboard's
    /// task stream (see [`take_run_times`]).
    static RUN_TIMES: RefCell<Vec<(Instant, Instant)>> = const { RefCell::new(Vec::new()) };
    /// Whether this thread times its tasks at all (see [`time_runs`]).
    static TIMING: Cell<bool> = const { Cell::new(false) };
}

/// Makes the tasks this thread runs from now on timed (`true`), or not: a worker's task
/// threads time them only for a scheduler that serves a dashboard, so that the others pay
/// nothing for it.
pub fn time_runs(on: bool) {
    TIMING.with(|timing| timing.set(on));
}

/// The most run times a thread keeps for [`take_run_times`]: a thread whose times nobody
/// takes (a test calling a task directly) forgets the old ones.
const MAX_RUN_TIMES: usize = 4 * crate::protocol::MAX_BATCH;

/// The start and end of every task this thread has run since the last call, in the order
/// they ran (none unless [`time_runs`] is on). The worker calls it as it sends a batch of results, to tell the scheduler when
/// each task really ran (the scheduler sees only when it sent a task and when the result
/// came back).
pub fn take_run_times() -> Vec<(Instant, Instant)> {
    RUN_TIMES.with(|times| std::mem::take(&mut *times.borrow_mut()))
}

/// Notes a run on drop, so that a task that panics is timed too.
struct Timed(Instant);

impl Drop for Timed {
    fn drop(&mut self) {
        let end = Instant::now();
        RUN_TIMES.with(|times| {
            let mut times = times.borrow_mut();
            if times.len() >= MAX_RUN_TIMES {
                times.clear();
            }
            times.push((self.0, end));
        });
    }
}

/// Decodes the arguments, runs `T`, encodes the output.
fn erased<T: Task>(args: &[u8], worker: &Context) -> Result<Vec<u8>, TaskError> {
    let _timed = TIMING.with(Cell::get).then(|| Timed(Instant::now()));
    let args = postcard::from_bytes(args).map_err(|err| TaskError::BadArgs {
        task: T::NAME.to_string(),
        reason: err.to_string(),
    })?;
    let output = T::run(args, worker).map_err(TaskError::Failed)?;
    encode_output(T::NAME, &output)
}

/// Decodes a [`Node`]'s inputs and arguments, runs it, encodes the output.
fn erased_node<N: Node>(args: &[u8], worker: &Context) -> Result<Vec<u8>, TaskError> {
    let _timed = TIMING.with(Cell::get).then(|| Timed(Instant::now()));
    let given: WithInputs<N::Input, N::Args> =
        postcard::from_bytes(args).map_err(|err| TaskError::BadArgs {
            task: N::NAME.to_string(),
            reason: format!("{err} (its inputs, then its arguments)"),
        })?;
    let output = N::run(given.inputs, given.args, worker).map_err(TaskError::Failed)?;
    encode_output(N::NAME, &output)
}

/// A task's output, encoded, if it fits in a result.
fn encode_output(name: &str, output: &impl Serialize) -> Result<Vec<u8>, TaskError> {
    let bytes = postcard::to_stdvec(output)
        .map_err(|err| TaskError::Failed(format!("cannot encode the output of {name}: {err}")))?;
    if bytes.len() > MAX_PAYLOAD {
        return Err(TaskError::Failed(format!(
            "the output of {name} is {} bytes, over the {MAX_PAYLOAD}-byte limit of one result: \
             return less, or split the task",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// The bytes a worker hands a [`Node`]'s run function: the number of inputs, each input's
/// bytes (a task's postcard-encoded output), then the node's own arguments.
pub fn with_inputs(inputs: &[impl AsRef<[u8]>], args: &[u8]) -> Vec<u8> {
    let mut bytes = postcard::to_stdvec(&inputs.len()).expect("a length encodes");
    for input in inputs {
        bytes.extend_from_slice(input.as_ref());
    }
    bytes.extend_from_slice(args);
    bytes
}

/// The registry line of task `T`.
pub const fn entry<T: Task>() -> Entry {
    Entry {
        name: T::NAME,
        run: erased::<T>,
    }
}

/// The registry line of node `N`.
pub const fn node<N: Node>() -> Entry {
    Entry {
        name: N::NAME,
        run: erased_node::<N>,
    }
}

// ANCHOR: registry
/// Every task a worker of this course can run.
pub static REGISTRY: Registry = Registry(&[
    entry::<Noop>(),
    entry::<Square>(),
    entry::<Sleep>(),
    entry::<Fail>(),
    entry::<Panic>(),
    entry::<WhoAmI>(),
    entry::<SumData>(),
    entry::<YearlyStats>(),
    entry::<ScoreWindows>(),
    node::<Inc>(),
    node::<Add>(),
    entry::<SumRange>(),
    node::<MergeYearly>(),
]);
// ANCHOR_END: registry
