//! The actor: the one task that owns the [`State`], applies events in order, and sends
//! what the state says to send.

use std::collections::HashMap;

use super::*;

// ANCHOR: actor
/// The actor: owns the state, applies events, sends what the state wants sent.
pub(super) async fn actor(
    answers: Answers,
    mut events: mpsc::Receiver<Event>,
    config: Config,
    workers_count: watch::Sender<usize>,
    failure: Arc<Mutex<Option<String>>>,
    feed: Option<Feed>,
) {
    // The learner's answer runs in here: a panic in it is caught, reported through the
    // handle and on stderr, and stops the scheduler (its state may be half-changed).
    let lost = |state: &mut State, id: WorkerId| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            answers.worker_lost(state, id)
        }))
        .map_err(|panic| {
            let message = shared::panic::panic_message(panic.as_ref()).to_string();
            eprintln!("scheduler: stopped by a panic in worker_lost: {message}");
            *failure.lock().unwrap_or_else(PoisonError::into_inner) = Some(message);
        })
    };
    let mut state = State::new(config.depth).with_max_tasks(config.max_tasks);
    if feed.is_some() {
        state = state.recording();
    }
    // Each peer's outbox, and the sender whose drop closes its connection at once.
    let mut worker_outboxes: HashMap<WorkerId, PeerOutbox<Vec<ToWorker>>> = HashMap::new();
    let mut client_outboxes: HashMap<ClientId, PeerOutbox<ToClient>> = HashMap::new();
    while let Some(first) = events.recv().await {
        let mut next = Some(first);
        let mut applied = 0;
        while let Some(event) = next {
            match event {
                Event::WorkerJoined {
                    id,
                    name,
                    threads,
                    outbox,
                    close,
                } => {
                    if config.log {
                        eprintln!(
                            "scheduler: worker {} ({name}, {threads} threads) joined",
                            id.0
                        );
                    }
                    state.worker_joined(id, name, threads);
                    worker_outboxes.insert(id, (outbox, close));
                }
                Event::FromWorker(id, FromWorker::Finished(results)) => {
                    state.heard_from(id);
                    state.finished(id, results);
                }
                Event::FromWorker(id, FromWorker::Ran(times)) => state.run_times(id, times),
                Event::FromWorker(id, FromWorker::Heartbeat) => state.heard_from(id),
                Event::WorkerLeft(id) => {
                    if worker_outboxes.remove(&id).is_some() {
                        state.counters.workers_lost += 1;
                        let rerun = state.counters.rerun;
                        if lost(&mut state, id).is_err() {
                            return;
                        }
                        if config.log {
                            let again = state.counters.rerun - rerun;
                            eprintln!(
                                "scheduler: worker {} left; {again} of its tasks run again",
                                id.0
                            );
                        }
                    }
                }
                Event::ClientJoined { id, outbox, close } => {
                    client_outboxes.insert(id, (outbox, close));
                }
                Event::FromClient(id, FromClient::Submit(tasks)) => state.submit(id, tasks),
                Event::FromClient(_, FromClient::Scatter { key, bytes }) => {
                    state.scatter(key, bytes);
                }
                Event::FromClient(id, FromClient::Workers) => {
                    let reply = ToClient::Workers(state.worker_infos());
                    let sent = client_outboxes
                        .get(&id)
                        .is_some_and(|(tx, _)| tx.try_send(reply).is_ok());
                    // A lost reply would leave the client waiting, and pair the next reply
                    // with the wrong question: a client that cannot take it must go.
                    if !sent && client_outboxes.remove(&id).is_some() {
                        eprintln!(
                            "scheduler: client {} cannot keep up; disconnecting it",
                            id.0
                        );
                        state.client_gone(id);
                    }
                }
                Event::ClientLeft(id) => {
                    client_outboxes.remove(&id);
                    state.client_gone(id);
                }
                Event::Snapshot(reply) => {
                    let _ = reply.send(state.snapshot());
                }
            }
            applied += 1;
            next = if applied < EVENTS_PER_ROUND {
                events.try_recv().ok()
            } else {
                None
            };
        }
        // ANCHOR_END: actor
        // Sending may lose a worker that cannot keep up, which puts tasks back in the
        // queue and may fail pinned ones: go round until there is nothing left to send.
        loop {
            state.assign();
            let outbox = state.take_outbox();
            if outbox.to_workers.is_empty() && outbox.to_clients.is_empty() {
                break;
            }
            for (id, messages) in outbox.to_workers {
                let Some((tx, _)) = worker_outboxes.get(&id) else {
                    continue;
                };
                if tx.try_send(messages).is_err() {
                    // Full (too slow) or closed: either way this worker is gone. Dropping
                    // its sender closes the connection; its tasks go to the others.
                    eprintln!(
                        "scheduler: worker {} cannot keep up; disconnecting it",
                        id.0
                    );
                    worker_outboxes.remove(&id);
                    state.counters.workers_lost += 1;
                    if lost(&mut state, id).is_err() {
                        return;
                    }
                }
            }
            for (id, finished) in outbox.to_clients {
                let delivered = client_outboxes.get(&id).is_some_and(|(tx, _)| {
                    protocol::chunks_by_size(finished, protocol::finished_size)
                        .into_iter()
                        .all(|chunk| tx.try_send(ToClient::Done(chunk)).is_ok())
                });
                if !delivered {
                    state.counters.ignored += 1;
                    if client_outboxes.remove(&id).is_some() {
                        eprintln!(
                            "scheduler: client {} cannot keep up; disconnecting it",
                            id.0
                        );
                        state.client_gone(id);
                    }
                }
            }
        }
        if let Some(feed) = &feed {
            feed.send_from(&mut state);
        }
        workers_count.send_if_modified(|count| {
            let changed = *count != worker_outboxes.len();
            *count = worker_outboxes.len();
            changed
        });
    }
}
