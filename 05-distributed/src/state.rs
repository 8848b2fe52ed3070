//! The scheduler's state machine: which tasks wait, which worker runs what, who holds
//! which data. Plain data and plain methods, no I/O and no tokio, so it is tested like any
//! struct, one event at a time; [`crate::scheduler`] is the plumbing around it (the way
//! mini-redis separates its `Db` from its connections).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::protocol::{
    self, ClientId, Finished, Job, Key, NewTask, RunTime, TaskError, TaskId, ToWorker, WorkerId,
    WorkerInfo,
};

/// How the scheduler behaves.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// How often workers send a heartbeat.
    pub heartbeat: Duration,
    /// A worker silent this long is lost (its connection is closed and its tasks run
    /// elsewhere); a connection that has not said hello by then is closed.
    pub timeout: Duration,
    /// Tasks in flight per worker thread: enough to hide a network round trip behind work
    /// already queued on the worker. Lower it for long tasks, so that the last ones are not
    /// all queued behind one worker (dask calls this worker saturation).
    pub depth: u32,
    /// The most unfinished tasks the scheduler holds, from all clients together; a task
    /// submitted beyond it fails at once with [`TaskError::Overloaded`]. Every frame is
    /// bounded, and so is the sum of them.
    pub max_tasks: usize,
    /// Print a line on stderr when a worker joins or leaves (`scheduler-05` does).
    pub log: bool,
}

/// The most task threads a worker may announce: a bound on its window.
pub const MAX_THREADS: u32 = 1024;

/// The most connections the scheduler serves at once.
pub const MAX_CONNECTIONS: usize = 1024;

impl Default for Config {
    fn default() -> Config {
        Config {
            heartbeat: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
            depth: 64,
            max_tasks: 1_000_000,
            log: false,
        }
    }
}

/// A task the scheduler knows and that has not finished.
#[derive(Debug, Clone)]
pub struct TaskEntry {
    pub client: ClientId,
    pub name: String,
    pub args: Vec<u8>,
    pub needs: Option<Key>,
    pub pin: Option<WorkerId>,
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
}

/// Counts of what happened, for tables, tests and the dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub submitted: u64,
    pub finished: u64,
    /// Tasks given again to another worker after theirs was lost.
    pub rerun: u64,
    pub workers_lost: u64,
    /// Results that were not delivered: from a worker the task no longer belonged to, or
    /// for a client that had gone.
    pub ignored: u64,
}

/// The scheduler's state. See the module's documentation.
#[derive(Debug)]
pub struct State {
    /// Every unfinished task, waiting or running.
    pub tasks: HashMap<TaskId, TaskEntry>,
    pub workers: BTreeMap<WorkerId, WorkerEntry>,
    /// Tasks waiting for a worker, first come first served.
    pub ready: VecDeque<TaskId>,
    pub counters: Counters,
    /// Every scattered piece of data, kept here too: when the worker holding it is lost,
    /// the next task that needs it ships it to another worker.
    data: HashMap<Key, Arc<Vec<u8>>>,
    depth: u32,
    max_tasks: usize,
    /// Per client with tasks: its progress.
    pub clients: BTreeMap<ClientId, Progress>,
    /// Tasks run since the last [`State::take_ran`], when recording.
    ran: Option<Vec<Ran>>,
    /// What to send, filled by the methods and emptied by [`State::take_outbox`].
    to_workers: BTreeMap<WorkerId, Vec<ToWorker>>,
    to_clients: BTreeMap<ClientId, Vec<Finished>>,
}

impl State {
    pub fn new(depth: u32) -> State {
        State {
            tasks: HashMap::new(),
            workers: BTreeMap::new(),
            ready: VecDeque::new(),
            counters: Counters::default(),
            data: HashMap::new(),
            depth: depth.max(1),
            max_tasks: Config::default().max_tasks,
            clients: BTreeMap::new(),
            ran: None,
            to_workers: BTreeMap::new(),
            to_clients: BTreeMap::new(),
        }
    }

    /// The same state, recording every task run for [`State::take_ran`] (a dashboard's
    /// task stream). Off by default: it costs a clock read per task.
    pub fn recording(mut self) -> State {
        self.ran = Some(Vec::new());
        self
    }

    /// The tasks run since the last call (none unless [`recording`](State::recording)).
    pub fn take_ran(&mut self) -> Vec<Ran> {
        self.ran.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// The same state with another limit on unfinished tasks ([`Config::max_tasks`]).
    pub fn with_max_tasks(mut self, max_tasks: usize) -> State {
        self.max_tasks = max_tasks;
        self
    }

    pub fn worker_joined(&mut self, id: WorkerId, name: String, threads: u32) {
        let worker = WorkerEntry {
            name,
            threads: threads.max(1),
            running: BTreeSet::new(),
            holds: HashSet::new(),
            done: 0,
            last_heard: Instant::now(),
        };
        self.workers.insert(id, worker);
    }

    /// Notes that worker `id` has just sent something.
    pub fn heard_from(&mut self, id: WorkerId) {
        if let Some(worker) = self.workers.get_mut(&id) {
            worker.last_heard = Instant::now();
        }
    }

    /// Accepts a client's tasks; they wait in [`State::ready`] for [`State::assign`].
    pub fn submit(&mut self, client: ClientId, tasks: Vec<NewTask>) {
        for task in tasks {
            // The client numbers its own tasks; an id it has already used is ignored.
            if task.id.client != client || self.tasks.contains_key(&task.id) {
                self.counters.ignored += 1;
                continue;
            }
            // Pinned to a worker that has gone (ids are never reused): it can never run.
            if let Some(pin) = task.pin
                && !self.workers.contains_key(&pin)
            {
                let error = TaskError::WorkerLost(format!("#{}", pin.0));
                self.to_clients.entry(client).or_default().push(Finished {
                    id: task.id,
                    result: Err(error),
                });
                continue;
            }
            if self.tasks.len() >= self.max_tasks {
                let error = TaskError::Overloaded(self.max_tasks);
                self.to_clients.entry(client).or_default().push(Finished {
                    id: task.id,
                    result: Err(error),
                });
                continue;
            }
            self.counters.submitted += 1;
            self.clients.entry(client).or_default().submitted += 1;
            self.ready.push_back(task.id);
            let entry = TaskEntry {
                client,
                name: task.name,
                args: task.args,
                needs: task.needs,
                pin: task.pin,
                assigned: None,
                ran: None,
            };
            self.tasks.insert(task.id, entry);
        }
    }

    /// Keeps `bytes` under `key` and puts a copy on the worker holding the least data.
    pub fn scatter(&mut self, key: Key, bytes: Vec<u8>) {
        let bytes = Arc::new(bytes);
        for worker in self.workers.values_mut() {
            worker.holds.remove(&key); // a new value replaces the old one everywhere
        }
        self.data.insert(key.clone(), Arc::clone(&bytes));
        let target = self
            .workers
            .iter()
            .min_by_key(|(id, worker)| (worker.holds.len(), **id))
            .map(|(id, _)| *id);
        if let Some(id) = target {
            self.ship(id, &key);
        }
    }

    /// Sends the data under `key` to worker `id`, unless it holds it already.
    fn ship(&mut self, id: WorkerId, key: &Key) {
        let (Some(worker), Some(bytes)) = (self.workers.get_mut(&id), self.data.get(key)) else {
            return;
        };
        if worker.holds.insert(key.clone()) {
            let store = ToWorker::Store {
                key: key.clone(),
                bytes: bytes.as_ref().clone(),
            };
            self.to_workers.entry(id).or_default().push(store);
        }
    }

    // ANCHOR: finished
    /// Takes results from worker `from`. Whatever becomes of a result, `from` no longer
    /// runs its task, and has room for another. The result counts only if its task is
    /// still assigned to `from`: a task whose client has gone, or that was taken from a
    /// worker declared lost and given to another, belongs to no one or to the other. A
    /// delivered task leaves [`State::tasks`], so a second result for it finds nothing:
    /// each task's result reaches its client once.
    pub fn finished(&mut self, from: WorkerId, results: Vec<Finished>) {
        for finished in results {
            if let Some(worker) = self.workers.get_mut(&from) {
                worker.running.remove(&finished.id);
            }
            let owned = self
                .tasks
                .get(&finished.id)
                .is_some_and(|task| task.assigned == Some(from));
            if !owned {
                self.counters.ignored += 1;
                continue;
            }
            if let Some(worker) = self.workers.get_mut(&from) {
                worker.done += 1;
            }
            if let (Some(ran), Some(task)) = (self.ran.as_mut(), self.tasks.get(&finished.id)) {
                let now = Instant::now();
                let (started, ended) = task.ran.unwrap_or((now, now));
                let run = Ran {
                    worker: from,
                    name: task.name.clone(),
                    started,
                    ended,
                };
                // Look back a little for a bar of the same worker to merge it into: the
                // results of one message come from one worker, mostly in a row.
                if !ran.iter_mut().rev().take(4).any(|bar| bar.absorb(&run)) {
                    ran.push(run);
                }
            }
            self.counters.finished += 1;
            self.deliver(finished);
        }
    }
    // ANCHOR_END: finished

    /// Notes when worker `from` ran its tasks (it says so just before their results), for
    /// the task stream; only when recording, and only for tasks it was given.
    pub fn run_times(&mut self, from: WorkerId, times: Vec<RunTime>) {
        if self.ran.is_none() {
            return;
        }
        let now = Instant::now();
        let at = |us: u64| now.checked_sub(Duration::from_micros(us)).unwrap_or(now);
        for time in times {
            if let Some(task) = self.tasks.get_mut(&time.id)
                && task.assigned == Some(from)
            {
                task.ran = Some((at(time.started_us_ago), at(time.ended_us_ago)));
            }
        }
    }

    /// Ends task `id` with an error, sent to its client.
    pub fn fail(&mut self, id: TaskId, error: TaskError) {
        self.deliver(Finished {
            id,
            result: Err(error),
        });
    }

    /// Removes task `id` and queues its result for its client.
    fn deliver(&mut self, finished: Finished) {
        if let Some(task) = self.tasks.remove(&finished.id) {
            if let Some(progress) = self.clients.get_mut(&task.client) {
                progress.finished += 1;
            }
            self.to_clients
                .entry(task.client)
                .or_default()
                .push(finished);
        }
    }

    /// A client has gone: its tasks are dropped. Those running on a worker finish there
    /// (they stay in its `running`, which must match what the worker holds), and their
    /// results are ignored.
    pub fn client_gone(&mut self, client: ClientId) {
        self.tasks.retain(|_, task| task.client != client);
        self.ready.retain(|id| id.client != client);
        self.to_clients.remove(&client);
        self.clients.remove(&client);
    }

    /// The most tasks worker `worker` may have in flight.
    fn window(&self, worker: &WorkerEntry) -> usize {
        (self.depth as usize).saturating_mul(worker.threads as usize)
    }

    // ANCHOR: assign
    /// Gives waiting tasks to workers, while they have room: a pinned task to its worker;
    /// a task that needs data to a worker holding it if that one has room; any other to
    /// the least loaded worker. Tasks that fit nowhere yet keep their place in the queue.
    pub fn assign(&mut self) {
        let mut waiting = VecDeque::new();
        // Bytes of jobs in each worker's last `Run` of this round.
        let mut filled: HashMap<WorkerId, usize> = HashMap::new();
        while let Some(id) = self.ready.pop_front() {
            let Some(task) = self.tasks.get(&id) else {
                continue; // its client has gone
            };
            let Some(target) = self.choose(task) else {
                waiting.push_back(id);
                if self
                    .workers
                    .values()
                    .all(|w| w.running.len() >= self.window(w))
                {
                    break; // everyone is full: the rest waits, in order
                }
                continue;
            };
            if let Some(key) = task.needs.clone() {
                self.ship(target, &key);
            }
            let task = self.tasks.get_mut(&id).expect("looked up above");
            task.assigned = Some(target);
            task.ran = None;
            let job = Job {
                id,
                name: task.name.clone(),
                args: task.args.clone(),
            };
            if let Some(worker) = self.workers.get_mut(&target) {
                worker.running.insert(id);
            }
            // One `Run` per round and worker, unless its jobs' bytes would not fit a frame.
            let outbox = self.to_workers.entry(target).or_default();
            let size = protocol::job_size(&job);
            let last = match outbox.last_mut() {
                Some(ToWorker::Run(jobs)) => Some(jobs),
                _ => None,
            };
            let bytes = filled.entry(target).or_insert_with(|| {
                last.as_ref()
                    .map_or(0, |jobs| jobs.iter().map(protocol::job_size).sum())
            });
            match last {
                Some(jobs) if *bytes + size <= protocol::MAX_PAYLOAD => jobs.push(job),
                _ => {
                    outbox.push(ToWorker::Run(vec![job]));
                    *bytes = 0;
                }
            }
            *bytes += size;
        }
        waiting.extend(self.ready.drain(..));
        self.ready = waiting;
    }
    // ANCHOR_END: assign

    /// The worker for `task`, or `None` if the ones it may go to are full.
    fn choose(&self, task: &TaskEntry) -> Option<WorkerId> {
        let has_room =
            |(_, worker): &(&WorkerId, &WorkerEntry)| worker.running.len() < self.window(worker);
        if let Some(pin) = task.pin {
            return self
                .workers
                .get_key_value(&pin)
                .filter(has_room)
                .map(|(id, _)| *id);
        }
        let load = |(id, worker): &(&WorkerId, &WorkerEntry)| {
            (worker.running.len() * 1024 / worker.threads as usize, **id)
        };
        if let Some(key) = &task.needs
            && let Some((id, _)) = self
                .workers
                .iter()
                .filter(|(_, worker)| worker.holds.contains(key))
                .filter(has_room)
                .min_by_key(load)
        {
            return Some(*id);
        }
        self.workers
            .iter()
            .filter(has_room)
            .min_by_key(load)
            .map(|(id, _)| *id)
    }

    /// What to send now: messages per worker, results per client.
    pub fn take_outbox(&mut self) -> Outbox {
        Outbox {
            to_workers: std::mem::take(&mut self.to_workers),
            to_clients: std::mem::take(&mut self.to_clients),
        }
    }

    /// The workers, for a client's [`FromClient::Workers`].
    pub fn worker_infos(&self) -> Vec<WorkerInfo> {
        self.workers
            .iter()
            .map(|(id, worker)| WorkerInfo {
                id: *id,
                name: worker.name.clone(),
                threads: worker.threads,
            })
            .collect()
    }

    /// A summary for tests, tables and the dashboard.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            workers: self
                .workers
                .iter()
                .map(|(id, worker)| WorkerSnapshot {
                    id: *id,
                    name: worker.name.clone(),
                    running: worker.running.len(),
                    done: worker.done,
                    holds: worker.holds.len(),
                    last_heard: worker.last_heard,
                })
                .collect(),
            ready: self.ready.len(),
            counters: self.counters,
            clients: self.clients.clone(),
        }
    }
}

/// What [`State`] wants sent.
#[derive(Debug, Default)]
pub struct Outbox {
    pub to_workers: BTreeMap<WorkerId, Vec<ToWorker>>,
    pub to_clients: BTreeMap<ClientId, Vec<Finished>>,
}

/// The scheduler at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub workers: Vec<WorkerSnapshot>,
    pub ready: usize,
    pub counters: Counters,
    /// Each connected client's batch progress.
    pub clients: BTreeMap<ClientId, Progress>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerSnapshot {
    pub id: WorkerId,
    pub name: String,
    pub running: usize,
    pub done: u64,
    pub holds: usize,
    pub last_heard: Instant,
}
