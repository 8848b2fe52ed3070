//! The scheduler's state machine: which tasks wait, which worker runs what, who holds
//! which data. Plain data and plain methods, no I/O and no tokio, so it is tested like any
//! struct, one event at a time; [`crate::scheduler`] is the plumbing around it (the way
//! mini-redis separates its `Db` from its connections).

mod config;
mod entries;
mod graph;
mod snapshot;
mod steal;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::protocol::{
    self, ClientId, Finished, Key, NewTask, RunTime, TaskError, TaskId, ToWorker, WorkerId,
};

pub use config::{Config, MAX_CONNECTIONS, MAX_THREADS};
pub use entries::{Counters, Progress, Ran, SHORT_RUN, TaskEntry, WorkerEntry};
pub use graph::{Candidate, Graph, Held, InputPlace, Place};
pub use snapshot::{Snapshot, WorkerSnapshot};

/// The scheduler's state. See the module's documentation.
#[derive(Debug)]
pub struct State {
    /// Every unfinished task, waiting or running.
    pub tasks: HashMap<TaskId, TaskEntry>,
    pub workers: BTreeMap<WorkerId, WorkerEntry>,
    /// Tasks waiting for a worker, first come first served.
    pub ready: VecDeque<TaskId>,
    pub counters: Counters,
    /// Every scattered piece of data and the client that scattered it, kept here too: when
    /// the worker holding it is lost, the next task that needs it ships it to another
    /// worker. It goes when its client releases it or leaves.
    data: HashMap<Key, (ClientId, Arc<Vec<u8>>)>,
    depth: u32,
    max_tasks: usize,
    /// Per client with tasks: its progress.
    pub clients: BTreeMap<ClientId, Progress>,
    /// Tasks run since the last [`State::take_ran`], when recording.
    ran: Option<Vec<Ran>>,
    /// What to send, filled by the methods and emptied by [`State::take_outbox`].
    to_workers: BTreeMap<WorkerId, Vec<ToWorker>>,
    to_clients: BTreeMap<ClientId, Vec<Finished>>,
    /// Kept results, their recipes and their travels ([`graph`]).
    graph: Graph,
    /// How a task with inputs picks its worker (exercise 5.4).
    place: Place,
    /// Whether idle workers take queued tasks from busy ones ([`State::steal`]).
    steal: bool,
}

/// Where a task with inputs goes when no [`State::placing`] was given: the least loaded
/// worker with room, whatever it holds.
fn least_loaded(_: &[InputPlace], workers: &[Candidate]) -> Option<WorkerId> {
    (workers.iter().filter(|w| w.room))
        .min_by_key(|w| (w.load, w.id))
        .map(|w| w.id)
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
            graph: Graph::default(),
            place: least_loaded,
            steal: false,
        }
    }

    /// The same state, with work stealing on or off ([`State::steal`]).
    pub fn stealing(mut self, steal: bool) -> State {
        self.steal = steal;
        self
    }

    /// The same state, placing tasks that have inputs with `place` (exercise 5.4's
    /// `choose_worker`, picked by [`crate::answers::Answers::choose_worker`]).
    pub fn placing(mut self, place: Place) -> State {
        self.place = place;
        self
    }

    /// Results passed from worker to worker through the scheduler so far, and their bytes.
    pub fn moved(&self) -> (u64, u64) {
        (self.graph.moved, self.graph.moved_bytes)
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
            asked: false,
            steal_after: 0,
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
            if task.id.client != client || self.tasks.contains_key(&task.id) || self.known(task.id)
            {
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
            if task
                .inputs
                .as_ref()
                .is_some_and(|i| i.len() > protocol::MAX_INPUTS)
            {
                let error = TaskError::BadArgs {
                    task: task.name,
                    reason: format!("more than {} inputs", protocol::MAX_INPUTS),
                };
                self.to_clients.entry(client).or_default().push(Finished {
                    id: task.id,
                    result: Err(error),
                });
                continue;
            }
            self.counters.submitted += 1;
            self.clients.entry(client).or_default().submitted += 1;
            let graph = task.inputs.is_some() || task.keep;
            let entry = TaskEntry {
                client,
                name: task.name,
                args: task.args,
                needs: task.needs,
                pin: task.pin,
                inputs: task.inputs,
                keep: task.keep,
                missing: 0,
                assigned: None,
                avoid: None,
                ran: None,
            };
            if graph {
                self.submit_node(entry, task.id);
            } else {
                self.ready.push_back(task.id);
                self.tasks.insert(task.id, entry);
            }
        }
    }

    /// Keeps `bytes` under `key` for `client` and puts a copy on the worker holding the
    /// least data. A new value replaces the old one everywhere, whoever scattered it.
    pub fn scatter(&mut self, client: ClientId, key: Key, bytes: Vec<u8>) {
        let bytes = Arc::new(bytes);
        for worker in self.workers.values_mut() {
            worker.holds.remove(&key);
        }
        self.data.insert(key.clone(), (client, Arc::clone(&bytes)));
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
        let (Some(worker), Some((_, bytes))) = (self.workers.get_mut(&id), self.data.get(key))
        else {
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
            if !self.owned_by(finished.id, from) {
                self.counters.ignored += 1;
                continue;
            }
            self.record_run(from, finished.id);
            self.counters.finished += 1;
            self.deliver(finished);
        }
    }
    // ANCHOR_END: finished

    /// Whether task `id` is still waiting for a result from worker `from`.
    fn owned_by(&self, id: TaskId, from: WorkerId) -> bool {
        self.tasks
            .get(&id)
            .is_some_and(|task| task.assigned == Some(from))
    }

    /// Counts task `id` as done by `from`, and adds its run to the task stream (when
    /// recording).
    fn record_run(&mut self, from: WorkerId, id: TaskId) {
        if let Some(worker) = self.workers.get_mut(&from) {
            worker.done += 1;
        }
        if let (Some(ran), Some(task)) = (self.ran.as_mut(), self.tasks.get(&id)) {
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
    }

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

    /// Removes task `id` and queues its result for its client. A kept task has no result
    /// to send here (see [`State::kept`]): its failure fails the tasks that take it.
    fn deliver(&mut self, finished: Finished) {
        if let Some((id, error)) = self.deliver_one(finished) {
            self.kept_failed(id, error);
        }
    }

    /// [`State::deliver`], except that a kept task's failure is returned, for the caller to
    /// pass down the graph ([`State::kept_failed`] does it with a worklist, not recursion:
    /// a chain of ten thousand tasks must not take ten thousand stack frames).
    fn deliver_one(&mut self, finished: Finished) -> Option<(TaskId, TaskError)> {
        if let Some(task) = self.tasks.remove(&finished.id) {
            let first = !task.keep || self.count_once(finished.id);
            if first && let Some(progress) = self.clients.get_mut(&task.client) {
                progress.finished += 1;
            }
            if task.inputs.is_some() {
                self.unlink(finished.id, &task);
            }
            if task.keep {
                let error = finished.result.err().unwrap_or_else(|| {
                    TaskError::Failed(
                        "its worker sent its result back instead of keeping it".into(),
                    )
                });
                return Some((finished.id, error));
            }
            self.to_clients
                .entry(task.client)
                .or_default()
                .push(finished);
        }
        None
    }

    /// A client has gone: its tasks are dropped. Those running on a worker finish there
    /// (they stay in its `running`, which must match what the worker holds), and their
    /// results are ignored.
    pub fn client_gone(&mut self, client: ClientId) {
        self.graph_client_gone(client);
        self.tasks.retain(|_, task| task.client != client);
        self.ready.retain(|id| id.client != client);
        self.to_clients.remove(&client);
        self.clients.remove(&client);
        let keys: Vec<Key> = (self.data.iter())
            .filter(|(_, (owner, _))| *owner == client)
            .map(|(key, _)| key.clone())
            .collect();
        for key in keys {
            self.release(client, &key);
        }
    }

    /// Forgets the data `client` scattered under `key`, here and on every worker holding
    /// it (dask's `release`). Data another client scattered is left alone.
    pub fn release(&mut self, client: ClientId, key: &Key) {
        if self.data.get(key).map(|(owner, _)| *owner) != Some(client) {
            return;
        }
        self.data.remove(key);
        for (id, worker) in &mut self.workers {
            if worker.holds.remove(key) {
                let forget = ToWorker::Forget(key.clone());
                self.to_workers.entry(*id).or_default().push(forget);
            }
        }
    }

    /// How many scattered pieces of data the scheduler keeps.
    pub fn data_held(&self) -> usize {
        self.data.len()
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
            let inputs = task.inputs.is_some();
            if let Some(worker) = self.workers.get_mut(&target) {
                worker.running.insert(id);
            }
            // A task whose inputs are elsewhere runs once they have come (`State::data`).
            if inputs && !self.gather_inputs(id, target) {
                continue;
            }
            let job = self.job(id).expect("looked up above");
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
        if self.steal {
            self.steal();
        }
    }
    // ANCHOR_END: assign

    /// The worker for `task`, or `None` if the ones it may go to are full.
    fn choose(&self, task: &TaskEntry) -> Option<WorkerId> {
        // A task given back goes elsewhere while another worker has room.
        let elsewhere = task.avoid.filter(|avoid| {
            (self.workers.iter()).any(|(id, w)| id != avoid && w.running.len() < self.window(w))
        });
        let has_room = |(id, worker): &(&WorkerId, &WorkerEntry)| {
            worker.running.len() < self.window(worker) && Some(**id) != elsewhere
        };
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
        if task.inputs.is_some() {
            let candidates: Vec<Candidate> = (self.workers.iter())
                .map(|entry| Candidate {
                    id: *entry.0,
                    room: has_room(&entry),
                    load: load(&entry).0,
                })
                .collect();
            let chosen = (self.place)(&self.input_places(task), &candidates)?;
            // An answer that picks a full or unknown worker would break the window: wait.
            return candidates
                .iter()
                .any(|c| c.id == chosen && c.room)
                .then_some(chosen);
        }
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
}

/// What [`State`] wants sent.
#[derive(Debug, Default)]
pub struct Outbox {
    pub to_workers: BTreeMap<WorkerId, Vec<ToWorker>>,
    pub to_clients: BTreeMap<ClientId, Vec<Finished>>,
}
