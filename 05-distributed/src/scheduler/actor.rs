//! The actor: the one task that owns the [`State`], applies events in order, and sends
//! what the state says to send.

use std::collections::HashMap;

use super::*;

/// The actor stopped: a panic in `worker_lost` or `choose_worker`, already reported through the handle and
/// on stderr. Its state may be half-changed, so the scheduler stops.
pub(super) struct Stopped;

/// The actor: owns the state and each peer's outbox (with the sender whose drop closes its
/// connection at once), applies events, and sends what the state wants sent.
pub(super) struct Actor {
    answers: Answers,
    log: bool,
    /// Bytes waiting for one peer, at most.
    outbox_bytes: usize,
    state: State,
    workers: HashMap<WorkerId, PeerOutbox<Vec<ToWorker>>>,
    clients: HashMap<ClientId, PeerOutbox<ToClient>>,
    failure: Arc<Mutex<Option<String>>>,
}

impl Actor {
    /// An actor with no peers yet; with `recording`, its state records each task's run
    /// for a dashboard.
    pub(super) fn new(
        answers: Answers,
        config: &Config,
        failure: Arc<Mutex<Option<String>>>,
        recording: bool,
    ) -> Actor {
        let mut state = State::new(config.depth)
            .with_max_tasks(config.max_tasks)
            .stealing(config.steal)
            .placing(answers.choose_worker());
        if recording {
            state = state.recording();
        }
        Actor {
            answers,
            log: config.log,
            outbox_bytes: config.outbox_bytes,
            state,
            workers: HashMap::new(),
            clients: HashMap::new(),
            failure,
        }
    }

    // ANCHOR: apply
    /// Applies one event to the state. Nothing is sent yet: see [`Actor::flush`].
    pub(super) fn apply(&mut self, event: Event) -> Result<(), Stopped> {
        let (state, limit) = (&mut self.state, self.outbox_bytes);
        match event {
            Event::WorkerJoined {
                id,
                name,
                threads,
                outbox,
            } => {
                if self.log {
                    let name = shared::report::printable(&name);
                    eprintln!(
                        "scheduler: worker {} ({name}, {threads} threads) joined",
                        id.0
                    );
                }
                state.worker_joined(id, name, threads);
                self.workers.insert(id, outbox);
            }
            Event::FromWorker(id, FromWorker::Finished(results)) => {
                state.heard_from(id);
                state.finished(id, results);
            }
            Event::FromWorker(id, FromWorker::Ran(times)) => state.run_times(id, times),
            Event::FromWorker(id, FromWorker::Heartbeat) => state.heard_from(id),
            Event::FromWorker(id, FromWorker::Kept(kept)) => {
                state.heard_from(id);
                state.kept(id, kept);
            }
            Event::FromWorker(id, FromWorker::NotKept(tasks)) => {
                state.heard_from(id);
                state.not_kept(id, tasks);
            }
            Event::FromWorker(id, FromWorker::GaveBack(tasks)) => {
                state.heard_from(id);
                state.gave_back(id, tasks);
            }
            Event::FromWorker(id, FromWorker::Data { id: task, bytes }) => {
                state.heard_from(id);
                state.data(id, task, bytes);
            }
            Event::WorkerLeft(id) => return self.worker_left(id),
            Event::ClientJoined { id, outbox } => {
                self.clients.insert(id, outbox);
            }
            Event::FromClient(id, FromClient::Submit(tasks)) => state.submit(id, tasks),
            Event::FromClient(id, FromClient::Scatter { key, bytes }) => {
                state.scatter(id, key, bytes);
            }
            Event::FromClient(id, FromClient::Release { key }) => state.release(id, &key),
            Event::FromClient(id, FromClient::Fetch(tasks)) => state.fetch(id, tasks),
            Event::FromClient(id, FromClient::Forget(tasks)) => state.forget(id, tasks),
            Event::FromClient(id, FromClient::Workers) => {
                let reply = ToClient::Workers(state.worker_infos());
                // A lost reply would leave the client waiting, and pair the next reply with
                // the wrong question: a client that cannot take it must go.
                let size = 64 * state.workers.len();
                if !self
                    .clients
                    .get(&id)
                    .is_some_and(|out| out.send(reply, size, limit))
                {
                    self.drop_client(id);
                }
            }
            Event::ClientLeft(id) => {
                self.clients.remove(&id);
                self.state.client_gone(id);
            }
            Event::Snapshot(reply) => {
                let _ = reply.send(state.snapshot());
            }
            Event::Shutdown(why, reply) => {
                let workers = (self.workers.values())
                    .filter(|out| out.send(vec![ToWorker::Goodbye(why.clone())], why.len(), limit))
                    .count();
                let clients = (self.clients.values())
                    .filter(|out| out.send(ToClient::Goodbye(why.clone()), why.len(), limit))
                    .count();
                let _ = reply.send((workers, clients));
            }
        }
        Ok(())
    }
    // ANCHOR_END: apply

    /// Assigns tasks and sends every message the state holds. Sending may lose a worker
    /// that cannot keep up, which puts tasks back in the queue and may fail pinned ones:
    /// it goes round until there is nothing left to send.
    pub(super) fn flush(&mut self) -> Result<(), Stopped> {
        let limit = self.outbox_bytes;
        loop {
            // Exercise 5.4 places tasks inside `assign`: a panic there stops the scheduler
            // as one in `worker_lost` does.
            let state = &mut self.state;
            caught(&self.failure, "choose_worker", || state.assign())?;
            let outbox = self.state.take_outbox();
            if outbox.to_workers.is_empty() && outbox.to_clients.is_empty() {
                return Ok(());
            }
            for (id, messages) in outbox.to_workers {
                let Some(out) = self.workers.get(&id) else {
                    continue;
                };
                let size = messages.iter().map(message_size).sum();
                if !out.send(messages, size, limit) {
                    // Full (too slow) or closed: either way this worker is gone. Dropping
                    // its sender closes the connection; its tasks go to the others.
                    eprintln!(
                        "scheduler: worker {} cannot keep up (over {} messages or {limit} \
                         bytes waiting for it); disconnecting it",
                        id.0,
                        super::OUTBOX
                    );
                    self.workers.remove(&id);
                    self.state.counters.workers_lost += 1;
                    self.lost(id)?;
                }
            }
            for (id, finished) in outbox.to_clients {
                let delivered = self.clients.get(&id).is_some_and(|out| {
                    protocol::chunks_by_size(finished, protocol::finished_size)
                        .into_iter()
                        .all(|chunk| {
                            let size = chunk.iter().map(protocol::finished_size).sum();
                            out.send(ToClient::Done(chunk), size, limit)
                        })
                });
                if !delivered {
                    self.state.counters.ignored += 1;
                    self.drop_client(id);
                }
            }
        }
    }

    /// How many workers are connected.
    pub(super) fn workers(&self) -> usize {
        self.workers.len()
    }

    /// The state, for the dashboard's feed.
    pub(super) fn state_mut(&mut self) -> &mut State {
        &mut self.state
    }

    /// A worker's connection closed (or it went silent): its tasks run elsewhere.
    fn worker_left(&mut self, id: WorkerId) -> Result<(), Stopped> {
        if self.workers.remove(&id).is_none() {
            return Ok(());
        }
        self.state.counters.workers_lost += 1;
        let rerun = self.state.counters.rerun;
        self.lost(id)?;
        if self.log {
            let again = self.state.counters.rerun - rerun;
            eprintln!(
                "scheduler: worker {} left; {again} of its tasks run again",
                id.0
            );
        }
        if self.state.workers.is_empty() {
            self.no_workers_left();
        }
        Ok(())
    }

    /// Tells each client with unfinished tasks that no worker is left to run them.
    fn no_workers_left(&mut self) {
        let mut waiting: HashMap<ClientId, u64> = HashMap::new();
        for id in self.state.tasks.keys() {
            *waiting.entry(id.client).or_default() += 1;
        }
        if self.log && !waiting.is_empty() {
            let tasks: u64 = waiting.values().sum();
            eprintln!("scheduler: no workers left; {tasks} tasks wait for one to join");
        }
        let mut unable = Vec::new();
        for (client, tasks) in waiting {
            let notice = ToClient::NoWorkers(tasks);
            let told = self
                .clients
                .get(&client)
                .is_none_or(|out| out.send(notice, 16, self.outbox_bytes));
            if !told {
                unable.push(client);
            }
        }
        for client in unable {
            self.drop_client(client);
        }
    }

    /// Disconnects a client that cannot keep up (once), and forgets its tasks.
    fn drop_client(&mut self, id: ClientId) {
        if self.clients.remove(&id).is_some() {
            eprintln!(
                "scheduler: client {} cannot keep up (over {} messages or {} bytes waiting \
                 for it); disconnecting it",
                id.0,
                super::OUTBOX,
                self.outbox_bytes
            );
            self.state.client_gone(id);
        }
    }

    /// Runs the learner's `worker_lost`. A panic in it is caught, reported through the
    /// handle and on stderr, and stops the scheduler.
    fn lost(&mut self, id: WorkerId) -> Result<(), Stopped> {
        let (answers, state) = (self.answers, &mut self.state);
        caught(&self.failure, "worker_lost", || {
            answers.worker_lost(state, id);
            // What the lost worker held of the task graph: after the exercise, given.
            state.graph_lost(id);
        })
    }
}

/// Runs `work`, which calls the learner's `what`; a panic is reported through `failure`
/// (the handle's) and on stderr, and stops the scheduler (the state may be half-changed).
fn caught(failure: &Mutex<Option<String>>, what: &str, work: impl FnOnce()) -> Result<(), Stopped> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|panic| {
        let message = shared::panic::panic_message(panic.as_ref()).to_string();
        eprintln!("scheduler: stopped by a panic in {what}: {message}");
        *failure.lock().unwrap_or_else(PoisonError::into_inner) = Some(message);
        Stopped
    })
}

/// About how many bytes `message` takes on the wire.
fn message_size(message: &ToWorker) -> usize {
    match message {
        ToWorker::Store { key, bytes } => key.len() + bytes.len() + 16,
        ToWorker::Keep { bytes, .. } => bytes.len() + 32,
        ToWorker::Run(jobs) => jobs.iter().map(protocol::job_size).sum(),
        ToWorker::Goodbye(why) | ToWorker::Forget(why) => why.len() + 16,
        ToWorker::Send(ids) => 16 * ids.len() + 16,
        ToWorker::GiveBack(_) | ToWorker::Heartbeat => 16,
    }
}

// ANCHOR: run
/// The actor's task: applies the events waiting (up to [`EVENTS_PER_ROUND`], batching
/// again), then flushes once, feeds the dashboard and publishes the worker count.
pub(super) async fn run(
    mut actor: Actor,
    mut events: mpsc::Receiver<(Event, Option<tokio::sync::OwnedSemaphorePermit>)>,
    workers_count: watch::Sender<usize>,
    feed: Option<Feed>,
) {
    while let Some(first) = events.recv().await {
        let mut next = Some(first);
        let mut applied = 0;
        // The permit (the message's bytes) is given back once its event is applied.
        while let Some((event, _bytes)) = next {
            if actor.apply(event).is_err() {
                return;
            }
            applied += 1;
            next = if applied < EVENTS_PER_ROUND {
                events.try_recv().ok()
            } else {
                None
            };
        }
        if actor.flush().is_err() {
            return;
        }
        if let Some(feed) = &feed {
            feed.send_from(actor.state_mut());
        }
        workers_count.send_if_modified(|count| {
            let changed = *count != actor.workers();
            *count = actor.workers();
            changed
        });
    }
}
// ANCHOR_END: run
