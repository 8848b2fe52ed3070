//! The wire: what the scheduler, the workers and the clients say to each other, and how it
//! travels.
//!
//! Every connection is a TCP stream of *frames*: a 4-byte big-endian length, then that many
//! bytes (tokio-util's [`LengthDelimitedCodec`]). A frame holds one message, encoded with
//! postcard, a compact serde format. Two rules keep a bad peer from hurting anyone else:
//!
//! - A frame longer than [`MAX_FRAME`] is refused *from its length prefix*, before its bytes
//!   are read or any memory is set aside for them: a peer cannot make us allocate 4 GiB by
//!   sending four bytes.
//! - Bytes that do not decode into the message we expect are an error, never a panic. The
//!   connection that sent them is closed; every other connection goes on.
//!
//! The first messages on a connection are the handshake ([`connect`]): the scheduler sends a
//! [`Challenge`] (its [`VERSION`] and a fresh nonce), the peer a [`Hello`] with its role and
//! version, then an [`Answer`]: a nonce of its own and the proof that it holds the
//! cluster's secret ([`crate::auth`]). The scheduler answers with a [`Welcome`] that carries
//! its own proof. A peer of another version, or one that cannot prove it knows the secret,
//! is refused with a reason; a scheduler that cannot prove it is left by the peer. Every
//! step has a deadline ([`HANDSHAKE_TIMEOUT`]).
//!
//! A message that is not a handshake carries work in batches (`Submit(Vec<NewTask>)`,
//! `Run(Vec<Job>)`, `Finished(Vec<Finished>)`, `Done(Vec<Finished>)`): one frame, one
//! system call and one wake-up for many tasks is what brings the cost of a task down from
//! milliseconds to microseconds.

use std::io;

use futures::{SinkExt, StreamExt as _};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio_util::bytes::Bytes;
use tokio_util::codec::{FramedRead, FramedWrite, LengthDelimitedCodec};

use crate::auth::{self, Nonce};

mod connect;
pub use connect::{accept, connect};

/// The protocol's version: a peer must say the same in its [`Hello`].
pub const VERSION: u32 = 5;

/// How long each step of a handshake may take, on either side: connecting, and each of its
/// messages. A peer that says nothing for this long is closed; a scheduler that does not
/// answer makes `connect` fail instead of hang.
pub const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The largest frame of a handshake: a hello is a few dozen bytes, and no one is let in to
/// send more until they have proved who they are.
pub const HANDSHAKE_FRAME: usize = 4096;

/// The largest window a scheduler may announce (`--depth`, tasks in flight per worker
/// thread): a worker sizes its queue by it, so it is bounded.
pub const MAX_DEPTH: u32 = 1 << 16;

/// The longest worker name the scheduler takes: names are printed, so they are bounded.
pub const MAX_NAME: usize = 128;

/// The most results a worker's execute loop sends in one batch (exercise 5.1).
pub const MAX_BATCH: usize = 1024;

/// The largest frame anyone sends or accepts: 64 MiB. Data to scatter must fit in one frame.
pub const MAX_FRAME: usize = 64 << 20;

/// The most bytes of task arguments, outputs and names that one batch carries: half a
/// frame, leaving the other half for ids and framing. Batches are split to fit it, and a
/// single task's arguments or output over it is an error.
pub const MAX_PAYLOAD: usize = MAX_FRAME / 2;

/// The address the scheduler listens on unless told otherwise: loopback only, so that a
/// course machine on a shared network runs nothing for anyone else.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8786";

/// A task's id, unique in the cluster: the client that submitted it (the scheduler numbers
/// clients) and the client's own count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TaskId {
    pub client: ClientId,
    pub n: u64,
}

/// A worker's number, given by the scheduler when the worker joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WorkerId(pub u32);

/// A client's number, given by the scheduler when the client connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClientId(pub u32);

/// The name of a piece of scattered data.
pub type Key = String;

/// The first message of a connection, from the peer that opened it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Hello {
    Client {
        version: u32,
    },
    Worker {
        version: u32,
        /// For people: shown in tables and errors (`host:pid`).
        name: String,
        /// Tasks the worker runs at once.
        threads: u32,
    },
}

/// The scheduler's first message: its version, and a nonce the peer must prove it can sign.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    pub version: u32,
    pub nonce: Nonce,
}

/// The peer's proof, right after its [`Hello`]: its own nonce (which the scheduler must
/// sign in turn) and the HMAC of both nonces with the secret.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub nonce: Nonce,
    pub proof: [u8; auth::LEN],
}

/// The scheduler's answer to a [`Hello`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Welcome {
    Accepted(Accepted),
    Refused { reason: String },
}

/// What the scheduler tells a peer it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    /// The peer's [`WorkerId`] or [`ClientId`] number.
    pub id: u32,
    /// A worker sends a heartbeat this often (milliseconds); clients ignore it. The
    /// scheduler sends its own to every peer as often ([`ToWorker::Heartbeat`],
    /// [`ToClient::Heartbeat`]).
    pub heartbeat_ms: u64,
    /// A peer that hears nothing from the scheduler for this long (milliseconds) takes it
    /// for stopped or hung and leaves: the scheduler's `--timeout-ms`.
    pub silence_ms: u64,
    /// The most tasks the scheduler gives a worker before it has answered some: its
    /// queue can be sized to it. Clients ignore it.
    pub window: u32,
    /// Whether a worker should say when its tasks ran ([`FromWorker::Ran`]): only a
    /// scheduler that serves a dashboard asks, so that the others pay nothing for it.
    pub run_times: bool,
    /// The scheduler's proof that it holds the secret too.
    pub proof: [u8; auth::LEN],
}

/// A task as a client submits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTask {
    pub id: TaskId,
    /// A name in the workers' registry ([`crate::tasks::REGISTRY`]).
    pub name: String,
    /// The task's arguments, postcard-encoded.
    pub args: Vec<u8>,
    /// Scattered data the task reads: the scheduler runs it where that data is.
    pub needs: Option<Key>,
    /// Run on this worker and no other ([`run_on_all`](crate::client::Client::run_on_all)).
    pub pin: Option<WorkerId>,
    /// Other tasks whose results this one takes, in order: it waits until they have
    /// finished, and its worker passes their outputs before its arguments (see
    /// [`crate::tasks::Node`]). `None` for a plain [`crate::tasks::Task`].
    pub inputs: Option<Vec<TaskId>>,
    /// Keep the result on the worker that computed it, for tasks that take it as input
    /// (and for [`fetch`](crate::client::Client::fetch)), instead of sending it back.
    pub keep: bool,
}

/// Jobs a worker hands its task threads at once, per thread: enough that results leave in
/// batches (exercise 5.1 sends when no job waits). Jobs beyond it wait in the worker's own
/// queue, from which the scheduler may take them back for an idle worker
/// ([`ToWorker::GiveBack`]): work stealing applies to a window deeper than this.
pub const CHANNEL_PER_THREAD: usize = 64;

/// The most inputs one task may take.
pub const MAX_INPUTS: usize = 1024;

/// The key under which a worker keeps the result of task `id` (see [`NewTask::keep`]). It
/// starts with a NUL, which the client refuses in keys it scatters, so the two never meet.
pub fn result_key(id: TaskId) -> Key {
    format!("\0task {}.{}", id.client.0, id.n)
}

// ANCHOR: messages
/// Client → scheduler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromClient {
    Submit(Vec<NewTask>),
    /// Keep `bytes` under `key` on a worker, for tasks that name it in `needs`.
    Scatter {
        key: Key,
        bytes: Vec<u8>,
    },
    /// Which workers are there? Answered with [`ToClient::Workers`].
    Workers,
    /// Forget the data this client scattered under `key`, on the scheduler and the workers.
    Release {
        key: Key,
    },
    /// Send me the results of these kept tasks once they are finished (answered with
    /// [`ToClient::Done`], one result per task).
    Fetch(Vec<TaskId>),
    /// I hold no handle on these kept tasks any more: their results may go once no task
    /// still needs them (dask's reference counting).
    Forget(Vec<TaskId>),
}

/// Scheduler → client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToClient {
    /// Results, in the order they came in.
    Done(Vec<Finished>),
    Workers(Vec<WorkerInfo>),
    /// The scheduler is stopping (Ctrl-C or SIGTERM), and says why.
    Goodbye(String),
    /// "Still here", every `heartbeat_ms`: a scheduler that is stopped (Ctrl-Z) or hung
    /// still has its connections acknowledged by the kernel, and only its silence shows it.
    Heartbeat,
    /// The last worker left while this many of the client's tasks were unfinished: they
    /// wait for a worker to join (as dask's do), and the client says so rather than wait
    /// in silence.
    NoWorkers(u64),
}

/// A worker, as the scheduler tells a client about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerInfo {
    pub id: WorkerId,
    pub name: String,
    pub threads: u32,
}

/// A task as the scheduler gives it to a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: TaskId,
    pub name: String,
    pub args: Vec<u8>,
    /// As in [`NewTask::inputs`]: the worker puts these results, which the scheduler has
    /// stored on it first, before `args` (and then sets this to `None`).
    pub inputs: Option<Vec<TaskId>>,
    /// As in [`NewTask::keep`].
    pub keep: bool,
}

impl Job {
    /// A plain job: no inputs, and its result goes back.
    pub fn new(id: TaskId, name: impl Into<String>, args: Vec<u8>) -> Job {
        Job {
            id,
            name: name.into(),
            args,
            inputs: None,
            keep: false,
        }
    }
}

/// Scheduler → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Keep this data; tasks that follow may read it. Sent before the first task that needs
    /// it, on the same connection, so it always arrives first.
    Store {
        key: Key,
        bytes: Vec<u8>,
    },
    Run(Vec<Job>),
    /// Forget the data under this key: its client released it or left.
    Forget(Key),
    /// Send the kept results of these tasks ([`FromWorker::Data`]): another worker or a
    /// client needs them, and results travel through the scheduler.
    Send(Vec<TaskId>),
    /// Keep this result of another worker's task ([`result_key`]): a task that takes it
    /// follows. A worker that cannot keep it says so ([`FromWorker::NotKept`]).
    Keep {
        id: TaskId,
        bytes: Vec<u8>,
    },
    /// Give back up to this many jobs that have not started, the last queued first
    /// ([`FromWorker::GaveBack`]): another worker is idle (work stealing).
    GiveBack(u32),
    /// The scheduler is stopping (Ctrl-C or SIGTERM), and says why: the worker exits with
    /// success. A connection that closes without it means the scheduler died or dropped
    /// this worker.
    Goodbye(String),
    /// "Still here", as [`ToClient::Heartbeat`].
    Heartbeat,
}

/// Worker → scheduler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    Finished(Vec<Finished>),
    /// When the tasks of the next `Finished` ran, as microseconds before this message was
    /// sent (the two machines' clocks need not agree). Only for the dashboard's task
    /// stream; a worker may leave it out.
    Ran(Vec<RunTime>),
    /// "Still here": sent every `heartbeat_ms`, so that a worker that has hung (or whose
    /// machine has gone) is noticed even though its connection looks open.
    Heartbeat,
    /// Results sent to keep ([`ToWorker::Keep`]) that did not fit in this worker's store.
    NotKept(Vec<TaskId>),
    /// The jobs given back after a [`ToWorker::GiveBack`]: they will not run here.
    GaveBack(Vec<TaskId>),
    /// These tasks' results are kept here ([`NewTask::keep`]), each of this many bytes.
    Kept(Vec<Kept>),
    /// A kept result the scheduler asked for ([`ToWorker::Send`]), or why it is not here.
    Data {
        id: TaskId,
        bytes: Result<Vec<u8>, String>,
    },
}

/// A result a worker keeps: the task's id and the result's size in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub id: TaskId,
    pub bytes: u64,
}

/// When task `id` ran on the worker, in microseconds before the message saying so was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunTime {
    pub id: TaskId,
    pub started_us_ago: u64,
    pub ended_us_ago: u64,
}

/// One task's outcome: its output (postcard-encoded) or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finished {
    pub id: TaskId,
    pub result: Result<Vec<u8>, TaskError>,
}
// ANCHOR_END: messages

/// Why a task has no output. It travels from the worker (or the scheduler) to the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TaskError {
    #[error("no task is named {0:?} in the workers' registry (see `tasks::REGISTRY`)")]
    UnknownTask(String),
    #[error("the arguments of task {task} do not decode: {reason}")]
    BadArgs { task: String, reason: String },
    #[error("{0}")]
    Failed(String),
    #[error("the task panicked on worker {worker}: {message}")]
    Panicked { worker: String, message: String },
    #[error("worker {0} was lost, and this task can run nowhere else")]
    WorkerLost(String),
    #[error(
        "the scheduler holds {0} unfinished tasks, its limit: gather some results before \
         submitting more (or raise `--max-tasks`)"
    )]
    Overloaded(usize),
    #[error("its input task {name} #{n} failed: {reason}", n = input.n)]
    InputFailed {
        input: TaskId,
        name: String,
        reason: String,
    },
    #[error(
        "input #{0} is no task of this client that is kept (submitted with `keep`, and not \
         forgotten)"
    )]
    UnknownInput(u64),
    #[error("the result of task #{n} was lost: {why}", n = id.n)]
    ResultLost { id: TaskId, why: String },
}

/// What can go wrong on a connection.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    // The causes are quoted, not `source`s: a binary's error chain would print them twice.
    /// The socket failed, or the peer sent a length over [`MAX_FRAME`].
    #[error("connection error: {0}")]
    Io(io::Error),
    #[error("a frame does not decode as {what}: {error}")]
    Decode {
        what: &'static str,
        error: postcard::Error,
    },
    #[error("a {what} message is {len} bytes, over the {MAX_FRAME}-byte limit")]
    TooLarge { what: &'static str, len: usize },
    #[error("the peer closed the connection")]
    Closed,
    #[error("handshake failed: {0}")]
    Handshake(String),
    /// The scheduler ended the connection: the peer fell silent, or could not keep up.
    #[error("{0}")]
    Dropped(String),
    #[error(
        "the scheduler has sent nothing for {0:?}, not even its heartbeat: it is stopped \
         (Ctrl-Z, SIGSTOP) or hung. Restart it (or let it continue: fg)"
    )]
    Silent(std::time::Duration),
}

impl From<io::Error> for ProtocolError {
    fn from(error: io::Error) -> Self {
        ProtocolError::Io(error)
    }
}

/// About how many bytes `job` adds to a `Run` message (its arguments and name, and a
/// margin for its id and lengths).
pub fn job_size(job: &Job) -> usize {
    job.args.len() + job.name.len() + 32
}

/// About how many bytes `finished` adds to a batch of results.
pub fn finished_size(finished: &Finished) -> usize {
    32 + match &finished.result {
        Ok(output) => output.len(),
        Err(error) => error.to_string().len(),
    }
}

/// Splits `items` into batches whose sizes (by `size`) add up to at most [`MAX_PAYLOAD`],
/// keeping their order; an item over it alone gets a batch of its own.
pub fn chunks_by_size<T>(items: Vec<T>, size: impl Fn(&T) -> usize) -> Vec<Vec<T>> {
    let mut chunks: Vec<Vec<T>> = Vec::new();
    let mut filled = usize::MAX;
    for item in items {
        let bytes = size(&item);
        if filled.saturating_add(bytes) > MAX_PAYLOAD {
            chunks.push(Vec::new());
            filled = 0;
        }
        filled += bytes;
        chunks.last_mut().expect("pushed above").push(item);
    }
    chunks
}

/// The framing of every connection.
pub fn codec() -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_codec()
}

/// Encodes one message as a frame's payload.
pub fn encode<M: Serialize>(message: &M) -> Result<Bytes, ProtocolError> {
    let bytes = postcard::to_stdvec(message).map_err(|error| ProtocolError::Decode {
        what: std::any::type_name::<M>(),
        error,
    })?;
    if bytes.len() > MAX_FRAME {
        return Err(ProtocolError::TooLarge {
            what: short_name::<M>(),
            len: bytes.len(),
        });
    }
    Ok(Bytes::from(bytes))
}

/// Decodes one frame's payload as a message of type `M`.
pub fn decode<M: DeserializeOwned>(frame: &[u8]) -> Result<M, ProtocolError> {
    postcard::from_bytes(frame).map_err(|error| ProtocolError::Decode {
        what: short_name::<M>(),
        error,
    })
}

fn short_name<M>() -> &'static str {
    let name = std::any::type_name::<M>();
    name.rsplit("::").next().unwrap_or(name)
}

/// The reading half of a connection: whole messages of one type at a time.
pub struct Reader(FramedRead<OwnedReadHalf, LengthDelimitedCodec>);

/// The writing half of a connection.
pub struct Writer(FramedWrite<OwnedWriteHalf, LengthDelimitedCodec>);

/// Splits a connected stream into its two halves, so that one task can read while another
/// writes. Small frames go out at once (`TCP_NODELAY`): we batch on our own, and Nagle's
/// algorithm would add up to 40 ms to every round trip of a lone task.
pub fn split(stream: TcpStream) -> io::Result<(Reader, Writer)> {
    stream.set_nodelay(true)?;
    // A peer whose machine vanished sends no FIN. On a connection with nothing to say (a
    // waiting client), the kernel's keepalive probes find it out within about 20 s; on one
    // that keeps sending (a worker's heartbeats), data waits unacknowledged and probes are
    // not sent, so a bound on that wait (TCP_USER_TIMEOUT, Linux) does it. Either way a
    // read or a write then fails instead of waiting for ever.
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(std::time::Duration::from_secs(10))
        .with_interval(std::time::Duration::from_secs(3))
        .with_retries(3);
    let socket = socket2::SockRef::from(&stream);
    socket.set_tcp_keepalive(&keepalive)?;
    #[cfg(target_os = "linux")]
    socket.set_tcp_user_timeout(Some(std::time::Duration::from_secs(20)))?;
    let (read, write) = stream.into_split();
    Ok((
        Reader(FramedRead::new(read, codec())),
        Writer(FramedWrite::new(write, codec())),
    ))
}

impl Reader {
    /// Refuses frames longer than `max` from now on (the scheduler reads a peer's hello with
    /// a small limit, and raises it to [`MAX_FRAME`] once the peer is known).
    pub fn set_max_frame(&mut self, max: usize) {
        self.0.decoder_mut().set_max_frame_length(max);
    }

    /// The next message, or `None` when the peer has closed the connection.
    pub async fn recv<M: DeserializeOwned>(&mut self) -> Result<Option<M>, ProtocolError> {
        match self.0.next().await {
            None => Ok(None),
            Some(Err(err)) => Err(ProtocolError::Io(err)),
            Some(Ok(frame)) => decode(&frame).map(Some),
        }
    }

    /// [`Reader::recv`], with the size of the frame the message came in.
    /// [`Reader::recv`], but a scheduler that sends nothing for `silence` (not even its
    /// heartbeat) is an error: it is stopped or hung.
    pub async fn recv_within<M: DeserializeOwned>(
        &mut self,
        silence: std::time::Duration,
    ) -> Result<Option<M>, ProtocolError> {
        tokio::time::timeout(silence, self.recv())
            .await
            .unwrap_or_else(|_| Err(ProtocolError::Silent(silence)))
    }

    pub async fn recv_sized<M: DeserializeOwned>(
        &mut self,
    ) -> Result<Option<(M, usize)>, ProtocolError> {
        match self.0.next().await {
            None => Ok(None),
            Some(Err(err)) => Err(ProtocolError::Io(err)),
            Some(Ok(frame)) => decode(&frame).map(|m| Some((m, frame.len()))),
        }
    }

    /// The next message; the peer closing the connection is an error.
    pub async fn expect<M: DeserializeOwned>(&mut self) -> Result<M, ProtocolError> {
        self.recv().await?.ok_or(ProtocolError::Closed)
    }
}

impl Writer {
    /// Sends one message and flushes it.
    pub async fn send<M: Serialize>(&mut self, message: &M) -> Result<(), ProtocolError> {
        self.0.send(encode(message)?).await?;
        Ok(())
    }

    /// Queues one message without flushing: a batch of them goes out in one write when
    /// [`flush`](Writer::flush) is called.
    pub async fn feed<M: Serialize>(&mut self, message: &M) -> Result<(), ProtocolError> {
        self.0.feed(encode(message)?).await?;
        Ok(())
    }

    pub async fn flush(&mut self) -> Result<(), ProtocolError> {
        SinkExt::<Bytes>::flush(&mut self.0).await?;
        Ok(())
    }
}
