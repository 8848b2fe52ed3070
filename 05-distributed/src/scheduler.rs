//! The scheduler: it takes tasks from clients, hands them to workers, and sends the results
//! back.
//!
//! It is built in two layers, the way mini-redis separates its `Db` from its connections:
//!
//! - [`State`] is the scheduler's brain, plain data and plain methods: which tasks wait,
//!   which worker runs what, who holds which data. It does no I/O and knows nothing of
//!   tokio, so it is tested like any struct, one event at a time.
//! - [`serve`] is the plumbing: one tokio task per connection reads frames and turns them
//!   into [`Event`]s; one task, the *actor*, owns the `State`, applies the events in order
//!   and sends what the state says to send. Only the actor touches the state: no lock, and
//!   no two events can interleave halfway.
//!
//! ```text
//!  client ──frames──▶ connection task ──Event──┐
//!  worker ──frames──▶ connection task ──Event──┼─▶ actor (owns State) ──▶ outboxes ──▶ writers
//!  worker ──frames──▶ connection task ──Event──┘
//! ```
//!
//! Every queue is bounded: the events channel, and each connection's outbox. A peer whose
//! outbox is full is too slow to keep up and is disconnected rather than let it hold the
//! whole scheduler back.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};
use tokio::time::timeout;

use crate::answers::Answers;
use crate::protocol::{
    self, ClientId, FromClient, FromWorker, Hello, ProtocolError, ToClient, ToWorker, VERSION,
    Welcome, WorkerId,
};

/// The largest frame before the handshake is done: a hello is a few dozen bytes, and a
/// peer that has not said who it is gets no 64 MiB buffer.
const HELLO_FRAME: usize = 4096;

pub use crate::state::{
    Config, Counters, MAX_CONNECTIONS, MAX_THREADS, Outbox, Progress, Ran, SHORT_RUN, Snapshot,
    State, TaskEntry, WorkerEntry, WorkerSnapshot,
};

/// What the connection tasks tell the actor.
enum Event {
    WorkerJoined {
        id: WorkerId,
        name: String,
        threads: u32,
        outbox: mpsc::Sender<Vec<ToWorker>>,
        close: oneshot::Sender<()>,
    },
    FromWorker(WorkerId, FromWorker),
    WorkerLeft(WorkerId),
    ClientJoined {
        id: ClientId,
        outbox: mpsc::Sender<ToClient>,
        close: oneshot::Sender<()>,
    },
    FromClient(ClientId, FromClient),
    ClientLeft(ClientId),
    Snapshot(oneshot::Sender<Snapshot>),
}

/// A peer's outbox, and the sender whose drop closes its connection.
type PeerOutbox<T> = (mpsc::Sender<T>, oneshot::Sender<()>);

/// Events waiting for the actor, at most.
const EVENTS: usize = 1024;
/// Messages waiting for one connection's writer, at most.
const OUTBOX: usize = 1024;
/// Events the actor applies before it assigns tasks and sends: batching again.
const EVENTS_PER_ROUND: usize = 256;

/// A running scheduler, for the code that started it.
#[derive(Clone)]
pub struct Handle {
    addr: SocketAddr,
    events: mpsc::Sender<Event>,
    workers: watch::Receiver<usize>,
    failure: Arc<Mutex<Option<String>>>,
}

impl Handle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The scheduler's state now; `None` if it has stopped.
    pub async fn snapshot(&self) -> Option<Snapshot> {
        let (tx, rx) = oneshot::channel();
        self.events.send(Event::Snapshot(tx)).await.ok()?;
        rx.await.ok()
    }

    /// The message of the panic that stopped the scheduler, if one did. An answer that
    /// panics in the actor (exercise 5.3) stops the scheduler: every connection closes, and
    /// this says why.
    pub fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits until exactly `n` workers are connected (as many joined as left). Returns
    /// `false` if the scheduler stopped first.
    pub async fn wait_for_workers(&self, n: usize) -> bool {
        let mut workers = self.workers.clone();
        workers.wait_for(|&count| count == n).await.is_ok()
    }
}

/// Where the actor sends every task run, for a dashboard: a bounded channel that the
/// actor never waits on. When it is full (the dashboard is slow, or nobody reads), the run
/// is dropped and counted in `dropped`.
pub struct Feed {
    pub runs: mpsc::Sender<Ran>,
    pub dropped: Arc<AtomicU64>,
}

impl Feed {
    /// A feed holding at most `capacity` runs, and its receiving end.
    pub fn new(capacity: usize) -> (Feed, mpsc::Receiver<Ran>) {
        let (runs, rx) = mpsc::channel(capacity.max(1));
        let feed = Feed {
            runs,
            dropped: Arc::new(AtomicU64::new(0)),
        };
        (feed, rx)
    }

    /// Sends what `state` ran since the last call, dropping what does not fit.
    fn send_from(&self, state: &mut State) {
        for ran in state.take_ran() {
            if self.runs.try_send(ran).is_err() {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Starts a scheduler on `listener` with answers `A` (exercise 5.3 runs in its actor) and
/// returns a handle to it. It runs on the current tokio runtime until the runtime stops.
pub fn serve<A: Answers>(listener: TcpListener, config: Config) -> io::Result<Handle> {
    serve_with::<A>(listener, config, None)
}

/// [`serve`], sending every task run to `feed` (see [`Feed`]).
pub fn serve_with<A: Answers>(
    listener: TcpListener,
    config: Config,
    feed: Option<Feed>,
) -> io::Result<Handle> {
    let addr = listener.local_addr()?;
    let (events_tx, events_rx) = mpsc::channel(EVENTS);
    let (workers_tx, workers_rx) = watch::channel(0);
    let failure = Arc::new(Mutex::new(None));
    // Workers say when their tasks ran only if someone looks.
    let run_times = feed.is_some();
    tokio::spawn(actor::<A>(
        events_rx,
        config,
        workers_tx,
        Arc::clone(&failure),
        feed,
    ));
    tokio::spawn(accept(listener, events_tx.clone(), config, run_times));
    Ok(Handle {
        addr,
        events: events_tx,
        workers: workers_rx,
        failure,
    })
}

/// Accepts connections, one task each. Peers are numbered here: clients and workers each
/// from 1.
async fn accept(
    listener: TcpListener,
    events: mpsc::Sender<Event>,
    config: Config,
    run_times: bool,
) {
    let ids = Arc::new((AtomicU32::new(1), AtomicU32::new(1)));
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        // A connection slot first: past MAX_CONNECTIONS, new peers wait in the kernel's
        // backlog instead of each costing a task and its buffers.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, or a connection reset before we took it: wait a
            // little (retrying at once would spin) and go on.
            Err(err) => {
                eprintln!("scheduler: cannot accept a connection: {err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (events, ids) = (events.clone(), Arc::clone(&ids));
        tokio::spawn(async move {
            let _slot = slot; // freed when the connection ends
            let peer = stream.peer_addr().ok();
            if let Err(err) = connection(stream, events, config, run_times, &ids).await
                && !matches!(err, ProtocolError::Closed)
            {
                let peer = peer.map_or("?".to_string(), |p| p.to_string());
                eprintln!("scheduler: closed the connection from {peer}: {err}");
            }
        });
    }
}

/// One connection, from handshake to close. Whatever the peer does wrong ends this
/// function with an error, which closes this connection and no other.
async fn connection(
    stream: TcpStream,
    events: mpsc::Sender<Event>,
    config: Config,
    run_times: bool,
    ids: &(AtomicU32, AtomicU32),
) -> Result<(), ProtocolError> {
    let (mut reader, mut writer) = protocol::split(stream)?;
    reader.set_max_frame(HELLO_FRAME);
    let hello = match timeout(config.timeout, reader.expect::<Hello>()).await {
        Ok(hello) => hello?,
        Err(_) => return Err(ProtocolError::Handshake("no hello in time".into())),
    };
    let version = match &hello {
        Hello::Client { version } | Hello::Worker { version, .. } => *version,
    };
    let reason = match &hello {
        _ if version != VERSION => Some(format!(
            "this scheduler speaks protocol version {VERSION}, the peer {version}: \
             build both from the same source"
        )),
        Hello::Worker { threads, .. } if !(1..=MAX_THREADS).contains(threads) => Some(format!(
            "a worker runs 1 to {MAX_THREADS} task threads, not {threads}"
        )),
        _ => None,
    };
    if let Some(reason) = reason {
        writer
            .send(&Welcome::Refused {
                reason: reason.clone(),
            })
            .await?;
        return Err(ProtocolError::Handshake(reason));
    }
    reader.set_max_frame(protocol::MAX_FRAME);
    let welcome = |id| {
        Welcome::Accepted(protocol::Accepted {
            id,
            heartbeat_ms: config.heartbeat.as_millis() as u64,
            window: config.depth.max(1),
            run_times,
        })
    };
    // Dropped by the actor to close this connection at once, whatever is still queued.
    let (close, mut closed) = oneshot::channel::<()>();
    let dropped = || ProtocolError::Dropped("disconnected by the scheduler".into());
    match hello {
        Hello::Worker { name, threads, .. } => {
            let id = WorkerId(ids.0.fetch_add(1, Ordering::Relaxed));
            writer.send(&welcome(id.0)).await?;
            let (outbox, rx) = mpsc::channel(OUTBOX);
            let joined = Event::WorkerJoined {
                id,
                name,
                threads,
                outbox,
                close,
            };
            if events.send(joined).await.is_err() {
                return Ok(()); // the scheduler is stopping
            }
            // A silent worker is a lost worker: every read waits at most `timeout`.
            let read = async {
                loop {
                    let message = match timeout(config.timeout, reader.recv()).await {
                        Err(_) => {
                            return Err(ProtocolError::Dropped(format!(
                                "worker {} sent nothing for {:?}",
                                id.0, config.timeout
                            )));
                        }
                        Ok(message) => message?,
                    };
                    let Some(message) = message else {
                        return Ok(());
                    };
                    if events.send(Event::FromWorker(id, message)).await.is_err() {
                        return Ok(());
                    }
                }
            };
            let outcome = tokio::select! {
                outcome = read => outcome,
                outcome = write_batches(&mut writer, rx) => outcome,
                _ = &mut closed => Err(dropped()),
            };
            let _ = events.send(Event::WorkerLeft(id)).await;
            outcome
        }
        Hello::Client { .. } => {
            let id = ClientId(ids.1.fetch_add(1, Ordering::Relaxed));
            writer.send(&welcome(id.0)).await?;
            let (outbox, rx) = mpsc::channel(OUTBOX);
            if events
                .send(Event::ClientJoined { id, outbox, close })
                .await
                .is_err()
            {
                return Ok(());
            }
            // Clients may sit idle between batches: no timeout; TCP tells us when they go.
            let read = async {
                while let Some(message) = reader.recv().await? {
                    if events.send(Event::FromClient(id, message)).await.is_err() {
                        break;
                    }
                }
                Ok(())
            };
            let outcome = tokio::select! {
                outcome = read => outcome,
                outcome = write_each(&mut writer, rx) => outcome,
                _ = &mut closed => Err(dropped()),
            };
            let _ = events.send(Event::ClientLeft(id)).await;
            outcome
        }
    }
}

/// Writes what the actor sends to a worker, many messages per flush. Ends when the actor
/// drops the sender, which closes the connection.
async fn write_batches(
    writer: &mut protocol::Writer,
    mut rx: mpsc::Receiver<Vec<ToWorker>>,
) -> Result<(), ProtocolError> {
    while let Some(messages) = rx.recv().await {
        for message in &messages {
            writer.feed(message).await?;
        }
        while let Ok(more) = rx.try_recv() {
            for message in &more {
                writer.feed(message).await?;
            }
        }
        writer.flush().await?;
    }
    Err(ProtocolError::Dropped(
        "disconnected by the scheduler".into(),
    ))
}

/// Writes what the actor sends to a client, many messages per flush.
async fn write_each(
    writer: &mut protocol::Writer,
    mut rx: mpsc::Receiver<ToClient>,
) -> Result<(), ProtocolError> {
    while let Some(message) = rx.recv().await {
        writer.feed(&message).await?;
        while let Ok(more) = rx.try_recv() {
            writer.feed(&more).await?;
        }
        writer.flush().await?;
    }
    Err(ProtocolError::Dropped(
        "disconnected by the scheduler".into(),
    ))
}

// ANCHOR: actor
/// The actor: owns the state, applies events, sends what the state wants sent.
async fn actor<A: Answers>(
    mut events: mpsc::Receiver<Event>,
    config: Config,
    workers_count: watch::Sender<usize>,
    failure: Arc<Mutex<Option<String>>>,
    feed: Option<Feed>,
) {
    // The learner's answer runs in here: a panic in it is caught, reported through the
    // handle and on stderr, and stops the scheduler (its state may be half-changed).
    let lost = |state: &mut State, id: WorkerId| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| A::worker_lost(state, id)))
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
