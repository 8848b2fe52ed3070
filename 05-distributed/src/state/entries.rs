//! What the state keeps per task, per worker, per client, and its counters.

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use crate::protocol::{ClientId, Key, TaskId, WorkerId};

/// A task the scheduler knows and that has not finished.
#[derive(Debug, Clone)]
pub struct TaskEntry {
    pub client: ClientId,
    pub name: String,
    pub args: Vec<u8>,
    pub needs: Option<Key>,
    pub pin: Option<WorkerId>,
    /// Tasks whose results it takes ([`crate::protocol::NewTask::inputs`]).
    pub inputs: Option<Vec<TaskId>>,
    /// Its result stays on its worker ([`crate::protocol::NewTask::keep`]).
    pub keep: bool,
    /// Inputs not finished yet: it joins [`State::ready`] when none is left.
    pub missing: usize,
    /// A worker that gave it back (work stealing): it goes elsewhere if it can.
    pub avoid: Option<WorkerId>,
    /// The worker running it, `None` while it waits in [`State::ready`].
    pub assigned: Option<WorkerId>,
    /// When the worker says it ran, start and end (for the task stream, when recording).
    pub ran: Option<(Instant, Instant)>,
}

/// A bar of a dashboard's task stream: one task run, from start to end as its worker
/// reported them (a task under [`SHORT_RUN`], which workers do not report, is an instant at
/// its result), or several short runs in a row, merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub worker: WorkerId,
    pub name: String,
    pub started: Instant,
    pub ended: Instant,
}

/// Runs shorter than this are not reported by workers, and are merged into one bar when
/// they follow each other this closely: at a dashboard's resolution (10 s on 800 pixels)
/// thousands of tiny tasks are one bar, and sending each would cost the scheduler more
/// than running it.
pub const SHORT_RUN: Duration = Duration::from_millis(1);

impl Ran {
    /// Takes `next` into this bar if it is a short run of the same task on the same worker,
    /// starting within [`SHORT_RUN`] of this bar's end.
    pub fn absorb(&mut self, next: &Ran) -> bool {
        let short = |run: &Ran| run.ended.duration_since(run.started) < SHORT_RUN;
        let joins = self.worker == next.worker
            && short(next)
            && next.started >= self.started
            && next.started <= self.ended + SHORT_RUN
            && self.name == next.name;
        if joins {
            self.ended = self.ended.max(next.ended);
        }
        joins
    }
}

/// A client's batch so far: tasks submitted and results delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub submitted: u64,
    pub finished: u64,
}

/// A worker the scheduler knows.
#[derive(Debug, Clone)]
pub struct WorkerEntry {
    pub name: String,
    pub threads: u32,
    /// The tasks it has been given and has not answered.
    pub running: BTreeSet<TaskId>,
    /// The scattered data it holds.
    pub holds: HashSet<Key>,
    /// Tasks it has finished.
    pub done: u64,
    /// When it last sent anything (a heartbeat or results): the dashboard shows it.
    pub last_heard: Instant,
    /// It has been asked to give tasks back and has not answered yet.
    pub asked: bool,
    /// It is asked again only once it has finished this many tasks: one that gave back
    /// nothing is not asked again at once.
    pub steal_after: u64,
}

/// Counts of what happened, for tables, tests and the dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub submitted: u64,
    pub finished: u64,
    /// Tasks given again to another worker after theirs was lost.
    pub rerun: u64,
    /// Kept results computed again from their recipe, their every copy lost.
    pub recomputed: u64,
    /// Tasks taken back from a busy worker's queue for an idle one (work stealing).
    pub stolen: u64,
    pub workers_lost: u64,
    /// Results that were not delivered: from a worker the task no longer belonged to, or
    /// for a client that had gone.
    pub ignored: u64,
}
