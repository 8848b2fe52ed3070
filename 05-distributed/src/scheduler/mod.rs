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

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};
use tokio::time::timeout;

use crate::answers::Answers;
use crate::auth::Secret;
use crate::protocol::{
    self, ClientId, FromClient, FromWorker, Hello, ProtocolError, ToClient, ToWorker, VERSION,
    Welcome, WorkerId,
};

mod actor;
mod peer;

use actor::Actor;
use peer::{Peers, accept};

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
        outbox: PeerOutbox<Vec<ToWorker>>,
    },
    FromWorker(WorkerId, FromWorker),
    WorkerLeft(WorkerId),
    ClientJoined {
        id: ClientId,
        outbox: PeerOutbox<ToClient>,
    },
    FromClient(ClientId, FromClient),
    ClientLeft(ClientId),
    Snapshot(oneshot::Sender<Snapshot>),
    /// Say goodbye to every peer, with this reason; answers how many workers and clients
    /// were told.
    Shutdown(String, oneshot::Sender<(usize, usize)>),
}

/// A peer's outbox: the actor's end of the queue to its connection's writer, counted in
/// messages and in bytes, and the sender whose drop closes the connection at once.
struct PeerOutbox<T> {
    tx: mpsc::Sender<(T, usize)>,
    queued: Arc<AtomicUsize>,
    _close: oneshot::Sender<()>,
}

/// The writer's end of a [`PeerOutbox`].
struct Inbox<T> {
    rx: mpsc::Receiver<(T, usize)>,
    queued: Arc<AtomicUsize>,
}

/// A new peer outbox and its inbox; `closed` resolves when the actor drops the outbox.
fn outbox<T>() -> (PeerOutbox<T>, Inbox<T>, oneshot::Receiver<()>) {
    let (tx, rx) = mpsc::channel(OUTBOX);
    let (close, closed) = oneshot::channel();
    let queued = Arc::new(AtomicUsize::new(0));
    let outbox = PeerOutbox {
        tx,
        queued: Arc::clone(&queued),
        _close: close,
    };
    (outbox, Inbox { rx, queued }, closed)
}

impl<T> PeerOutbox<T> {
    /// Queues `message`, about `size` bytes, unless the peer already has [`OUTBOX`]
    /// messages waiting, or more than `limit` bytes with it: `false` means it cannot keep
    /// up.
    fn send(&self, message: T, size: usize, limit: usize) -> bool {
        let waiting = self.queued.load(Ordering::Relaxed);
        if waiting > 0 && waiting + size > limit {
            return false;
        }
        self.queued.fetch_add(size, Ordering::Relaxed);
        self.tx.try_send((message, size)).is_ok()
    }
}

impl<T> Inbox<T> {
    /// The next message, waiting for one.
    async fn recv(&mut self) -> Option<T> {
        let (message, size) = self.rx.recv().await?;
        self.queued.fetch_sub(size, Ordering::Relaxed);
        Some(message)
    }

    /// The next message if one is waiting.
    fn try_recv(&mut self) -> Option<T> {
        let (message, size) = self.rx.try_recv().ok()?;
        self.queued.fetch_sub(size, Ordering::Relaxed);
        Some(message)
    }
}

/// Events waiting for the actor, at most.
const EVENTS: usize = 1024;
/// Bytes of peers' messages waiting for the actor, at most, all connections together: a
/// connection whose next message would pass it waits (and so does its peer, through TCP)
/// until the actor has caught up. At least one frame of [`protocol::MAX_FRAME`] fits.
const EVENT_BYTES: usize = 4 * protocol::MAX_FRAME;

/// The connections' end of the actor's queue: events, and the bytes of peers' messages in
/// them counted against [`EVENT_BYTES`] until the actor has applied them.
#[derive(Clone)]
struct Events {
    tx: mpsc::Sender<(Event, Option<tokio::sync::OwnedSemaphorePermit>)>,
    bytes: Arc<Semaphore>,
}

impl Events {
    /// Queues `event`; `Err` when the actor has stopped.
    async fn send(&self, event: Event) -> Result<(), ()> {
        self.tx.send((event, None)).await.map_err(drop)
    }

    /// Queues `event`, which holds a message of `size` bytes from a peer, once the budget
    /// has room for it.
    async fn send_sized(&self, event: Event, size: usize) -> Result<(), ()> {
        let size = size.clamp(1, EVENT_BYTES) as u32;
        let permit = Arc::clone(&self.bytes)
            .acquire_many_owned(size)
            .await
            .map_err(drop)?;
        self.tx.send((event, Some(permit))).await.map_err(drop)
    }
}
/// Messages waiting for one connection's writer, at most (and bytes: `Config::outbox_bytes`).
const OUTBOX: usize = 1024;
/// Events the actor applies before it assigns tasks and sends: batching again.
const EVENTS_PER_ROUND: usize = 256;

/// A running scheduler, for the code that started it.
#[derive(Clone)]
pub struct Handle {
    addr: SocketAddr,
    events: Events,
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

    /// Tells every worker and client that the scheduler is stopping, and why (workers then
    /// exit with success); returns how many workers and clients were told, or `None` if it
    /// had stopped already. The connections stay open until the peers close them.
    pub async fn shutdown(&self, why: &str) -> Option<(usize, usize)> {
        let (tx, rx) = oneshot::channel();
        self.events
            .send(Event::Shutdown(why.into(), tx))
            .await
            .ok()?;
        rx.await.ok()
    }

    /// Waits until the scheduler stops (its actor ends: a panic in it, exercise 5.3's answer
    /// included), and returns the panic's message if there was one.
    pub async fn stopped(&self) -> Option<String> {
        let mut workers = self.workers.clone();
        while workers.changed().await.is_ok() {}
        self.failure()
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

/// Starts a scheduler on `listener` with `answers` (exercise 5.3 runs in its actor) and
/// returns a handle to it. It runs on the current tokio runtime until the runtime stops.
/// Only peers that prove they hold `secret` get in (see [`crate::auth`]).
pub fn serve(
    answers: Answers,
    listener: TcpListener,
    config: Config,
    secret: Secret,
) -> io::Result<Handle> {
    serve_with(answers, listener, config, secret, None)
}

/// [`serve`], sending every task run to `feed` (see [`Feed`]).
pub fn serve_with(
    answers: Answers,
    listener: TcpListener,
    config: Config,
    secret: Secret,
    feed: Option<Feed>,
) -> io::Result<Handle> {
    if !(1..=protocol::MAX_DEPTH).contains(&config.depth) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "a depth of {} tasks per worker thread: it must be 1 to {}",
                config.depth,
                protocol::MAX_DEPTH
            ),
        ));
    }
    let addr = listener.local_addr()?;
    let (events_tx, events_rx) = mpsc::channel(EVENTS);
    let events_tx = Events {
        tx: events_tx,
        bytes: Arc::new(Semaphore::new(EVENT_BYTES)),
    };
    let (workers_tx, workers_rx) = watch::channel(0);
    let failure = Arc::new(Mutex::new(None));
    // Workers say when their tasks ran only if someone looks.
    let run_times = feed.is_some();
    let actor = Actor::new(answers, &config, Arc::clone(&failure), feed.is_some());
    tokio::spawn(actor::run(actor, events_rx, workers_tx, feed));
    let peers = Peers {
        events: events_tx.clone(),
        config,
        run_times,
        secret: Arc::new(secret),
    };
    tokio::spawn(accept(listener, peers));
    Ok(Handle {
        addr,
        events: events_tx,
        workers: workers_rx,
        failure,
    })
}
