//! Tasks that take other tasks' results: dask's task graph.
//!
//! A task submitted with [`keep`](crate::protocol::NewTask::keep) leaves its result on the
//! worker that computed it; a task that names it among its
//! [`inputs`](crate::protocol::NewTask::inputs) waits until it has finished, then runs,
//! preferably where most of its input bytes already are (exercise 5.4). A worker that lacks
//! an input gets it *through the scheduler*: the scheduler asks a worker holding it to send
//! it ([`ToWorker::Send`]), and passes it on ([`ToWorker::Store`]) before the task's `Run`.
//! Workers accept no connections of their own, so there is one port to guard and one place
//! that bounds bytes; the price is two hops instead of one (dask's workers talk directly).
//!
//! Three rules make a graph safe to run on machines that fail:
//!
//! - **Failure travels down.** An input that failed fails every task that takes it, each
//!   with the chain of why ([`TaskError::InputFailed`]).
//! - **Lineage.** The scheduler keeps every kept task's recipe (name, arguments, inputs).
//!   When the last worker holding a result is lost and something still needs it, the result
//!   is computed again from its recipe, and so are its inputs if they went too.
//! - **Reference counting.** A result is needed while its client holds a handle on it or an
//!   unfinished task takes it; when neither is true any more, every copy is forgotten. A
//!   recipe lives as long as its result or the recipe of a task that took it: what lineage
//!   may need, and no more.

use std::collections::{BTreeSet, HashMap};

use crate::protocol::{
    ClientId, Finished, Job, Kept, TaskError, TaskId, ToWorker, WorkerId, result_key,
};

use super::{State, TaskEntry};

/// The graph's part of the scheduler's state.
#[derive(Debug, Default)]
pub struct Graph {
    /// Every kept task whose result, or a result computed from it, may still be needed.
    recipes: HashMap<TaskId, Recipe>,
    /// Kept results that exist: their size, and the workers that hold a copy.
    held: HashMap<TaskId, Held>,
    /// Kept tasks that failed, and why, while a task or a fetch may still ask for them.
    failed: HashMap<TaskId, TaskError>,
    /// Tasks given to a worker whose `Run` waits for inputs to arrive there: the worker,
    /// and the inputs still on their way.
    fetching: HashMap<TaskId, (WorkerId, BTreeSet<TaskId>)>,
    /// Results travelling through the scheduler: asked of one worker, for these workers
    /// and clients.
    transfers: HashMap<TaskId, Transfer>,
    /// Results passed on from one worker to another so far, and their bytes.
    pub moved: u64,
    pub moved_bytes: u64,
}

/// How to compute a kept task again, and who still needs its result.
#[derive(Debug)]
struct Recipe {
    client: ClientId,
    name: String,
    args: Vec<u8>,
    inputs: Option<Vec<TaskId>>,
    /// Its client holds a handle on it.
    handle: bool,
    /// Unfinished tasks that take it.
    dependents: BTreeSet<TaskId>,
    /// Clients waiting for it to finish, to fetch it.
    fetchers: Vec<ClientId>,
    /// Whether it is pending, held or failed (not gone).
    alive: bool,
    /// `alive`, plus the recipes that take it as input.
    uses: u32,
    /// Its client has been told it finished (once, however often it is recomputed).
    counted: bool,
    /// It failed when it was submitted (an input unknown or failed): it fails for good,
    /// and is never computed again.
    failure: Option<TaskError>,
}

impl Recipe {
    fn needed(&self) -> bool {
        self.handle || !self.dependents.is_empty() || !self.fetchers.is_empty()
    }
}

/// A kept result.
#[derive(Debug, Clone)]
pub struct Held {
    pub bytes: u64,
    pub holders: BTreeSet<WorkerId>,
}

#[derive(Debug, Default)]
struct Transfer {
    from: Option<WorkerId>,
    to: BTreeSet<WorkerId>,
    clients: Vec<ClientId>,
}

/// A worker that could run a task, for exercise 5.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub id: WorkerId,
    /// Whether it may take one more task now (its window is not full).
    pub room: bool,
    /// Tasks it is running per thread, times 1024: lower is less busy.
    pub load: usize,
}

/// One input of a task, for exercise 5.4: its size, and the workers that hold a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputPlace {
    pub bytes: u64,
    pub holders: BTreeSet<WorkerId>,
}

/// How the scheduler picks a worker for a task with inputs: exercise 5.4's
/// `choose_worker`, or the reference's.
pub type Place = fn(&[InputPlace], &[Candidate]) -> Option<WorkerId>;

/// What became of an input, for a task that names it.
enum Status {
    Held,
    Pending,
    Failed(TaskError),
    /// Has a recipe but no result: computed again.
    Gone,
    Unknown,
}

impl State {
    /// The graph's view of a kept result: its size and holders.
    pub fn held(&self, id: TaskId) -> Option<&Held> {
        self.graph.held.get(&id)
    }

    /// How many kept results, recipes and transfers the scheduler knows of (for tests: all
    /// three go back to zero when nothing is needed any more).
    pub fn graph_sizes(&self) -> (usize, usize, usize) {
        let graph = &self.graph;
        (graph.held.len(), graph.recipes.len(), graph.transfers.len())
    }

    /// How many kept results worker `id` holds a copy of.
    pub fn kept_on(&self, id: WorkerId) -> usize {
        (self.graph.held.values())
            .filter(|held| held.holders.contains(&id))
            .count()
    }

    fn status(&self, client: ClientId, input: TaskId) -> Status {
        match self.graph.recipes.get(&input) {
            Some(recipe) if recipe.client == client => {
                if let Some(failure) = &recipe.failure {
                    return Status::Failed(failure.clone());
                }
            }
            _ => return Status::Unknown,
        }
        if self.graph.held.contains_key(&input) {
            Status::Held
        } else if self.tasks.contains_key(&input) {
            Status::Pending
        } else if let Some(error) = self.graph.failed.get(&input) {
            Status::Failed(error.clone())
        } else {
            Status::Gone
        }
    }

    /// Takes a task that has inputs or keeps its result (the rest of [`State::submit`]).
    pub(super) fn submit_node(&mut self, mut entry: TaskEntry, id: TaskId) {
        let inputs: BTreeSet<TaskId> = entry.inputs.iter().flatten().copied().collect();
        for &input in &inputs {
            let error = match self.status(entry.client, input) {
                Status::Unknown => TaskError::UnknownInput(input.n),
                Status::Failed(error) => self.input_failed(input, &error),
                _ => continue,
            };
            // It fails at once, as it would have had it waited: with the chain of why. Its
            // recipe records no inputs: it is never computed again (and an input named
            // before it existed could otherwise close a cycle).
            if entry.keep {
                let alone = TaskEntry {
                    inputs: None,
                    ..entry.clone()
                };
                self.add_recipe(id, &alone);
                if let Some(recipe) = self.graph.recipes.get_mut(&id) {
                    recipe.failure = Some(error.clone());
                }
            }
            self.tasks.insert(id, entry);
            self.deliver(Finished {
                id,
                result: Err(error),
            });
            return;
        }
        let mut missing = 0;
        for &input in &inputs {
            match self.status(entry.client, input) {
                Status::Pending => missing += 1,
                Status::Gone => {
                    self.recompute(input);
                    missing += 1;
                }
                _ => {}
            }
            if let Some(recipe) = self.graph.recipes.get_mut(&input) {
                recipe.dependents.insert(id);
            }
        }
        if entry.keep {
            self.add_recipe(id, &entry);
        }
        entry.missing = missing;
        entry.pin = None;
        self.tasks.insert(id, entry);
        if missing == 0 {
            self.ready.push_back(id);
        }
    }

    fn add_recipe(&mut self, id: TaskId, entry: &TaskEntry) {
        let inputs: BTreeSet<TaskId> = entry.inputs.iter().flatten().copied().collect();
        for input in &inputs {
            if let Some(recipe) = self.graph.recipes.get_mut(input) {
                recipe.uses += 1;
            }
        }
        let recipe = Recipe {
            client: entry.client,
            name: entry.name.clone(),
            args: entry.args.clone(),
            inputs: entry.inputs.clone(),
            handle: true,
            dependents: BTreeSet::new(),
            fetchers: Vec::new(),
            alive: true,
            uses: 1,
            counted: false,
            failure: None,
        };
        self.graph.recipes.insert(id, recipe);
    }

    /// The error of a task whose input `input` failed with `error`.
    fn input_failed(&self, input: TaskId, error: &TaskError) -> TaskError {
        let name = (self.graph.recipes.get(&input))
            .map_or_else(|| "?".to_string(), |recipe| recipe.name.clone());
        TaskError::InputFailed {
            input,
            name,
            reason: error.to_string(),
        }
    }

    /// Puts a kept task that is gone (or whose every copy was lost) back among the tasks,
    /// waiting for those of its inputs that are gone too, which are put back likewise.
    fn recompute(&mut self, id: TaskId) {
        let mut again = vec![id];
        while let Some(id) = again.pop() {
            self.recompute_one(id, &mut again);
        }
    }

    /// Puts task `id` back among the tasks (unless it is there, or held), and its inputs
    /// that are gone on `again`, to be put back in turn.
    fn recompute_one(&mut self, id: TaskId, again: &mut Vec<TaskId>) {
        if self.tasks.contains_key(&id) || self.graph.held.contains_key(&id) {
            return;
        }
        let Some(recipe) = self.graph.recipes.get_mut(&id) else {
            return;
        };
        if !recipe.alive {
            recipe.alive = true;
            recipe.uses += 1;
        }
        let mut entry = TaskEntry {
            client: recipe.client,
            name: recipe.name.clone(),
            args: recipe.args.clone(),
            needs: None,
            pin: None,
            inputs: recipe.inputs.clone(),
            keep: true,
            missing: 0,
            assigned: None,
            avoid: None,
            ran: None,
        };
        self.graph.failed.remove(&id);
        self.counters.recomputed += 1;
        let inputs: BTreeSet<TaskId> = entry.inputs.iter().flatten().copied().collect();
        for input in inputs {
            if !self.graph.held.contains_key(&input) {
                again.push(input);
                entry.missing += 1;
            }
            if let Some(recipe) = self.graph.recipes.get_mut(&input) {
                recipe.dependents.insert(id);
            }
        }
        let ready = entry.missing == 0;
        self.tasks.insert(id, entry);
        if ready {
            // Lost work first, as for a lost worker's tasks.
            self.ready.push_front(id);
        }
    }

    // ANCHOR: kept
    /// Worker `from` keeps these results. Each one that belongs to it is finished: the tasks
    /// waiting for it are one input closer to ready, and the clients waiting to fetch it
    /// get it.
    pub fn kept(&mut self, from: WorkerId, results: Vec<Kept>) {
        for kept in results {
            if let Some(worker) = self.workers.get_mut(&from) {
                worker.running.remove(&kept.id);
            }
            if !self.owned_by(kept.id, from) {
                // Its client left, or it runs elsewhere now: the copy there helps no one.
                let holder =
                    (self.graph.held.get(&kept.id)).is_some_and(|h| h.holders.contains(&from));
                if !holder && self.workers.contains_key(&from) {
                    let forget = ToWorker::Forget(result_key(kept.id));
                    self.to_workers.entry(from).or_default().push(forget);
                }
                self.counters.ignored += 1;
                continue;
            }
            self.record_run(from, kept.id);
            let Some(task) = self.tasks.remove(&kept.id) else {
                continue;
            };
            self.counters.finished += 1;
            let held = Held {
                // A worker's word, bounded: no result is larger than one payload.
                bytes: kept.bytes.min(crate::protocol::MAX_PAYLOAD as u64),
                holders: BTreeSet::from([from]),
            };
            self.graph.held.insert(kept.id, held);
            self.unlink(kept.id, &task);
            if self.count_once(kept.id)
                && let Some(progress) = self.clients.get_mut(&task.client)
            {
                progress.finished += 1;
            }
            let Some(recipe) = self.graph.recipes.get_mut(&kept.id) else {
                continue;
            };
            let (dependents, fetchers) = (
                recipe.dependents.clone(),
                std::mem::take(&mut recipe.fetchers),
            );
            for dependent in dependents {
                if let Some(task) = self.tasks.get_mut(&dependent)
                    && task.assigned.is_none()
                    && task.missing > 0
                {
                    task.missing -= 1;
                    if task.missing == 0 {
                        self.ready.push_back(dependent);
                    }
                }
            }
            for client in fetchers {
                self.request(kept.id, None, Some(client));
            }
            self.free_if_unneeded(kept.id);
        }
    }
    // ANCHOR_END: kept

    /// A task that took inputs has finished (or gone): it no longer needs them.
    pub(super) fn unlink(&mut self, id: TaskId, task: &TaskEntry) {
        self.graph.fetching.remove(&id);
        let inputs: BTreeSet<TaskId> = task.inputs.iter().flatten().copied().collect();
        for input in inputs {
            if let Some(recipe) = self.graph.recipes.get_mut(&input) {
                recipe.dependents.remove(&id);
            }
            self.free_if_unneeded(input);
        }
    }

    /// A kept task failed with `error`: so does every task that takes it, and so on down.
    pub(super) fn kept_failed(&mut self, id: TaskId, error: TaskError) {
        // A worklist, not recursion: a failure at the top of a deep chain goes all the way
        // down.
        let mut failing = vec![(id, error)];
        while let Some((id, error)) = failing.pop() {
            let Some(recipe) = self.graph.recipes.get_mut(&id) else {
                continue;
            };
            let (dependents, fetchers) = (
                std::mem::take(&mut recipe.dependents),
                std::mem::take(&mut recipe.fetchers),
            );
            for client in fetchers {
                let finished = Finished {
                    id,
                    result: Err(error.clone()),
                };
                self.to_clients.entry(client).or_default().push(finished);
            }
            self.graph.failed.insert(id, error.clone());
            let chained = self.input_failed(id, &error);
            for dependent in dependents {
                // One that already runs has its inputs: it finishes on its own.
                let running = (self.tasks.get(&dependent)).is_some_and(|t| t.assigned.is_some())
                    && !self.graph.fetching.contains_key(&dependent);
                if !running {
                    self.drop_waiting(dependent);
                    let finished = Finished {
                        id: dependent,
                        result: Err(chained.clone()),
                    };
                    failing.extend(self.deliver_one(finished));
                }
            }
            self.free_if_unneeded(id);
        }
    }

    /// Takes task `id` out of the queue, or off the worker whose `Run` it waits for.
    fn drop_waiting(&mut self, id: TaskId) {
        if let Some((worker, _)) = self.graph.fetching.remove(&id) {
            if let Some(worker) = self.workers.get_mut(&worker) {
                worker.running.remove(&id);
            }
            if let Some(task) = self.tasks.get_mut(&id) {
                task.assigned = None;
            }
        }
        if self.tasks.get(&id).is_some_and(|t| t.missing == 0) {
            self.ready.retain(|queued| *queued != id);
        }
    }

    /// Forgets a kept result (and its failure) once nothing needs it: no handle, no
    /// unfinished task that takes it, no client waiting to fetch it.
    fn free_if_unneeded(&mut self, id: TaskId) {
        let Some(recipe) = self.graph.recipes.get_mut(&id) else {
            return;
        };
        let fetching = (self.graph.transfers.get(&id)).is_some_and(|t| !t.clients.is_empty());
        if recipe.needed() || fetching || !recipe.alive || self.tasks.contains_key(&id) {
            return;
        }
        recipe.alive = false;
        if let Some(held) = self.graph.held.remove(&id) {
            for worker in held.holders {
                if self.workers.contains_key(&worker) {
                    let forget = ToWorker::Forget(result_key(id));
                    self.to_workers.entry(worker).or_default().push(forget);
                }
            }
        }
        self.graph.failed.remove(&id);
        self.graph.transfers.remove(&id);
        self.release_use(id);
    }

    /// One use of recipe `id` fewer; at none, the recipe goes, and one use of each input.
    fn release_use(&mut self, id: TaskId) {
        let mut releasing = vec![id];
        while let Some(id) = releasing.pop() {
            let Some(recipe) = self.graph.recipes.get_mut(&id) else {
                continue;
            };
            recipe.uses = recipe.uses.saturating_sub(1);
            if recipe.uses > 0 {
                continue;
            }
            let recipe = self.graph.recipes.remove(&id).expect("looked up above");
            let inputs: BTreeSet<TaskId> = recipe.inputs.into_iter().flatten().collect();
            releasing.extend(inputs);
        }
    }

    /// The client holds no handle on these kept tasks any more.
    pub fn forget(&mut self, client: ClientId, ids: Vec<TaskId>) {
        for id in ids {
            if let Some(recipe) = self.graph.recipes.get_mut(&id)
                && recipe.client == client
            {
                recipe.handle = false;
                self.free_if_unneeded(id);
            }
        }
    }

    /// The client wants these kept results, now or when they are finished.
    pub fn fetch(&mut self, client: ClientId, ids: Vec<TaskId>) {
        for id in ids {
            match self.status(client, id) {
                Status::Held => self.request(id, None, Some(client)),
                Status::Pending | Status::Gone => {
                    self.recompute(id);
                    if let Some(recipe) = self.graph.recipes.get_mut(&id) {
                        recipe.fetchers.push(client);
                    }
                }
                Status::Failed(error) => {
                    let finished = Finished {
                        id,
                        result: Err(error),
                    };
                    self.to_clients.entry(client).or_default().push(finished);
                }
                Status::Unknown => {
                    let finished = Finished {
                        id,
                        result: Err(TaskError::UnknownInput(id.n)),
                    };
                    self.to_clients.entry(client).or_default().push(finished);
                }
            }
        }
    }

    /// Asks a worker holding result `id` to send it, for worker `to` or client `client`
    /// (once per result: later askers join the transfer under way).
    fn request(&mut self, id: TaskId, to: Option<WorkerId>, client: Option<ClientId>) {
        let transfer = self.graph.transfers.entry(id).or_default();
        transfer.to.extend(to);
        transfer.clients.extend(client);
        if transfer
            .from
            .is_some_and(|from| self.workers.contains_key(&from))
        {
            return;
        }
        let from = (self.graph.held.get(&id))
            .and_then(|held| held.holders.iter().find(|w| self.workers.contains_key(w)))
            .copied();
        transfer.from = from;
        match from {
            Some(from) => {
                let send = ToWorker::Send(vec![id]);
                self.to_workers.entry(from).or_default().push(send);
            }
            None => {
                // No copy anywhere: compute it again; whoever waits, waits for that.
                let transfer = self.graph.transfers.remove(&id).unwrap_or_default();
                self.lost_result(id, transfer.clients);
            }
        }
    }

    // ANCHOR: data
    /// Worker `from` sends result `id`, as asked: it goes to the workers and clients that
    /// wait for it, and a task whose last missing input it was gets its `Run`.
    pub fn data(&mut self, from: WorkerId, id: TaskId, bytes: Result<Vec<u8>, String>) {
        let Some(transfer) = self.graph.transfers.remove(&id) else {
            return; // nobody needs it any more
        };
        if transfer.from != Some(from) {
            self.graph.transfers.insert(id, transfer);
            return;
        }
        let bytes = match bytes {
            Ok(bytes) => bytes,
            Err(_) => {
                // It no longer has it: ask another holder, or compute it again.
                if let Some(held) = self.graph.held.get_mut(&id) {
                    held.holders.remove(&from);
                }
                if !self.has_copy(id) {
                    self.lost_result(id, transfer.clients);
                    return;
                }
                for to in transfer.to {
                    self.request(id, Some(to), None);
                }
                for client in transfer.clients {
                    self.request(id, None, Some(client));
                }
                return;
            }
        };
        for client in transfer.clients {
            let finished = Finished {
                id,
                result: Ok(bytes.clone()),
            };
            self.to_clients.entry(client).or_default().push(finished);
        }
        for to in transfer.to {
            if !self.workers.contains_key(&to) {
                continue;
            }
            if let Some(held) = self.graph.held.get_mut(&id) {
                held.holders.insert(to);
            }
            self.graph.moved += 1;
            self.graph.moved_bytes += bytes.len() as u64;
            let store = ToWorker::Keep {
                id,
                bytes: bytes.clone(),
            };
            self.to_workers.entry(to).or_default().push(store);
            let dependents = (self.graph.recipes.get(&id))
                .map(|recipe| recipe.dependents.clone())
                .unwrap_or_default();
            for dependent in dependents {
                let arrived = match self.graph.fetching.get_mut(&dependent) {
                    Some((worker, waiting)) if *worker == to => {
                        waiting.remove(&id);
                        waiting.is_empty()
                    }
                    _ => false,
                };
                if arrived {
                    self.graph.fetching.remove(&dependent);
                    if let Some(job) = self.job(dependent) {
                        self.to_workers
                            .entry(to)
                            .or_default()
                            .push(ToWorker::Run(vec![job]));
                    }
                }
            }
        }
        self.free_if_unneeded(id);
    }
    // ANCHOR_END: data

    /// The job of task `id`, as a worker is given it.
    pub(super) fn job(&self, id: TaskId) -> Option<Job> {
        let task = self.tasks.get(&id)?;
        Some(Job {
            id,
            name: task.name.clone(),
            args: task.args.clone(),
            inputs: task.inputs.clone(),
            keep: task.keep,
        })
    }

    /// Where task `task`'s inputs are, for exercise 5.4.
    pub(super) fn input_places(&self, task: &TaskEntry) -> Vec<InputPlace> {
        let inputs: BTreeSet<TaskId> = task.inputs.iter().flatten().copied().collect();
        (inputs.iter())
            .filter_map(|input| self.graph.held.get(input))
            .map(|held| InputPlace {
                bytes: held.bytes,
                holders: held.holders.clone(),
            })
            .collect()
    }

    /// Task `id` goes to worker `target`: the inputs it lacks there are asked for, and its
    /// `Run` waits for them. Returns whether it may run at once.
    pub(super) fn gather_inputs(&mut self, id: TaskId, target: WorkerId) -> bool {
        let Some(task) = self.tasks.get(&id) else {
            return false;
        };
        let lacking: BTreeSet<TaskId> = (task.inputs.iter().flatten())
            .filter(|input| {
                !(self.graph.held.get(input)).is_some_and(|held| held.holders.contains(&target))
            })
            .copied()
            .collect();
        if lacking.is_empty() {
            return true;
        }
        // Noted first: an input found to have no copy left puts this task back to wait
        // (`result_gone`), which must find it here.
        self.graph.fetching.insert(id, (target, lacking.clone()));
        for &input in &lacking {
            if !self.graph.fetching.contains_key(&id) {
                break; // put back to wait for a lost input
            }
            self.request(input, Some(target), None);
        }
        false
    }

    /// The graph's part of losing worker `lost`, after exercise 5.3 has put its running
    /// tasks back: copies on it are gone; a result with no copy left that is still needed is
    /// computed again, and the tasks waiting for it wait again; transfers from it are asked
    /// of another holder.
    pub fn graph_lost(&mut self, lost: WorkerId) {
        // Tasks whose `Run` waited for inputs there went back to the queue with the others.
        self.graph.fetching.retain(|_, (worker, _)| *worker != lost);
        let mut gone = Vec::new();
        for (id, held) in &mut self.graph.held {
            if held.holders.remove(&lost) && held.holders.is_empty() {
                gone.push(*id);
            }
        }
        gone.sort();
        for id in gone {
            self.lost_result(id, Vec::new());
        }
        let mut transfers: Vec<(TaskId, Transfer)> = self.graph.transfers.drain().collect();
        transfers.sort_by_key(|(id, _)| *id);
        for (id, mut transfer) in transfers {
            transfer.to.remove(&lost);
            if transfer.from != Some(lost) {
                self.graph.transfers.insert(id, transfer);
                continue;
            }
            if !self.graph.held.contains_key(&id) {
                // Being computed again: the clients wait for that; the workers' tasks were
                // put back to wait above.
                if let Some(recipe) = self.graph.recipes.get_mut(&id) {
                    recipe.fetchers.extend(transfer.clients);
                }
                continue;
            }
            for to in transfer.to {
                self.request(id, Some(to), None);
            }
            for client in transfer.clients {
                self.request(id, None, Some(client));
            }
        }
    }

    /// How many tasks given to worker `id` wait there for inputs (their `Run` not sent).
    pub(super) fn fetching_on(&self, id: WorkerId) -> usize {
        (self.graph.fetching.values())
            .filter(|(worker, _)| *worker == id)
            .count()
    }

    /// Whether a connected worker holds a copy of result `id`.
    fn has_copy(&self, id: TaskId) -> bool {
        (self.graph.held.get(&id))
            .is_some_and(|held| held.holders.iter().any(|w| self.workers.contains_key(w)))
    }

    /// Result `id` has no copy left (its workers were lost, or could not keep it): if it is
    /// still needed (or `clients` wait to fetch it), it is computed again and the tasks that
    /// take it wait again; else it is gone.
    fn lost_result(&mut self, id: TaskId, mut clients: Vec<ClientId>) {
        self.graph.held.remove(&id);
        // Clients waiting on a transfer of it wait for the recomputation instead; tasks
        // waiting on one are put back below.
        if let Some(transfer) = self.graph.transfers.remove(&id) {
            clients.extend(transfer.clients);
        }
        let needed = self.graph.recipes.get(&id).is_some_and(Recipe::needed);
        if !needed && clients.is_empty() {
            self.free_gone(id);
            return;
        }
        let dependents = (self.graph.recipes.get(&id))
            .map(|recipe| recipe.dependents.clone())
            .unwrap_or_default();
        self.recompute(id);
        if let Some(recipe) = self.graph.recipes.get_mut(&id) {
            recipe.fetchers.extend(clients);
        }
        for dependent in dependents {
            // One already running has its inputs; the others wait again.
            let running = (self.tasks.get(&dependent)).is_some_and(|t| t.assigned.is_some())
                && !self.graph.fetching.contains_key(&dependent);
            if running {
                continue;
            }
            self.drop_waiting(dependent);
            if let Some(task) = self.tasks.get_mut(&dependent) {
                task.missing += 1;
            }
        }
    }

    /// Worker `from` could not keep these results it was sent (its store is full): it is
    /// no holder of them.
    pub fn not_kept(&mut self, from: WorkerId, ids: Vec<TaskId>) {
        for id in ids {
            if let Some(held) = self.graph.held.get_mut(&id) {
                held.holders.remove(&from);
            }
            if self.graph.held.contains_key(&id) && !self.has_copy(id) {
                self.lost_result(id, Vec::new());
            }
        }
    }

    /// Whether `id` names a kept task this scheduler knows (finished or not): its id may
    /// not be used again.
    pub(super) fn known(&self, id: TaskId) -> bool {
        self.graph.recipes.contains_key(&id)
    }

    /// Whether this is the first time kept task `id` ends (recomputations end it again):
    /// its client's progress counts it once.
    pub(super) fn count_once(&mut self, id: TaskId) -> bool {
        match self.graph.recipes.get_mut(&id) {
            Some(recipe) => !std::mem::replace(&mut recipe.counted, true),
            None => true,
        }
    }

    /// A result lost with its worker, that nothing needed: it is gone.
    fn free_gone(&mut self, id: TaskId) {
        if let Some(recipe) = self.graph.recipes.get_mut(&id)
            && recipe.alive
        {
            recipe.alive = false;
            self.release_use(id);
        }
    }

    /// Client `client` has gone: its graph goes with it. Tasks whose `Run` waited for
    /// inputs leave their worker's window (the worker will never answer for them).
    pub(super) fn graph_client_gone(&mut self, client: ClientId) {
        let graph = &mut self.graph;
        let fetching: Vec<(TaskId, WorkerId)> = (graph.fetching.iter())
            .filter(|(id, _)| id.client == client)
            .map(|(id, (worker, _))| (*id, *worker))
            .collect();
        for (id, worker) in fetching {
            graph.fetching.remove(&id);
            if let Some(worker) = self.workers.get_mut(&worker) {
                worker.running.remove(&id);
            }
        }
        let held: Vec<TaskId> = (self.graph.held.keys())
            .filter(|id| id.client == client)
            .copied()
            .collect();
        for id in held {
            let held = self.graph.held.remove(&id).expect("listed above");
            for worker in held.holders {
                if self.workers.contains_key(&worker) {
                    let forget = ToWorker::Forget(result_key(id));
                    self.to_workers.entry(worker).or_default().push(forget);
                }
            }
        }
        let graph = &mut self.graph;
        graph.recipes.retain(|id, _| id.client != client);
        graph.failed.retain(|id, _| id.client != client);
        graph.transfers.retain(|id, _| id.client != client);
        for transfer in graph.transfers.values_mut() {
            transfer.clients.retain(|c| *c != client);
        }
    }
}
