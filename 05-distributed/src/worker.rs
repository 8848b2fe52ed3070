//! A worker: connects to the scheduler, runs the tasks it is given, sends the results back.
//!
//! Two kinds of thread share the work, because they wait for different things:
//!
//! - tokio tasks handle the network: one reads frames (data to keep, tasks to run), one
//!   writes them (results, and a heartbeat every so often). They spend their time waiting
//!   for the socket, which is what async is for.
//! - `threads` ordinary threads run the tasks (exercise 5.1's execute loop). A task may
//!   compute for seconds; on a tokio thread it would stall every other task of that thread,
//!   heartbeats included, and the scheduler would think the worker dead.
//!
//! ```text
//!  socket ─▶ reader ──jobs (crossbeam, bounded)──▶ execute × threads ──results (tokio mpsc)──▶ writer ─▶ socket
//! ```
//!
//! The jobs channel is bounded by the window the scheduler announced in its welcome: the
//! scheduler never has more than that many tasks in flight here, so a full channel means a
//! scheduler that broke the protocol, and the worker leaves rather than buffer without end.

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crossbeam_channel::TrySendError;
use tokio::sync::mpsc;

use crate::answers::Answers;
use crate::auth::Secret;
use crate::protocol::{
    self, Finished, FromWorker, Hello, Job, Kept, ProtocolError, RunTime, TaskError, TaskId,
    ToWorker, VERSION, result_key,
};
use crate::tasks::{self, Context};

pub use crate::protocol::MAX_BATCH;

/// Batches of results waiting for the writer, at most.
const RESULTS: usize = 64;

/// How a worker is named and sized, and the secret it proves it holds.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Shown by the scheduler and in errors. Default: `host:pid`.
    pub name: String,
    /// Tasks run at once, each on its own thread.
    pub threads: usize,
    /// The cluster's secret (see [`crate::auth`]).
    pub secret: Secret,
    /// The one folder whose files tasks may read. Default: the dataset's, found as the
    /// programs find it; `None` if there is none.
    pub data: Option<PathBuf>,
}

impl WorkerConfig {
    /// `threads` threads, named after this process, joining with `secret`.
    pub fn new(threads: usize, secret: Secret) -> WorkerConfig {
        WorkerConfig {
            name: default_name(),
            threads: threads.max(1),
            secret,
            data: default_data(),
        }
    }
}

/// The folder a worker's tasks read by default: the dataset's, found as the programs find
/// it; `None` if there is none.
pub fn default_data() -> Option<PathBuf> {
    shared::Dataset::locate()
        .ok()
        .map(|d| d.root().to_path_buf())
}

/// `host:pid`, or `worker:pid` where the host has no name to give.
pub fn default_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "worker".into());
    format!("{host}:{}", std::process::id())
}

/// Why a worker stopped.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    #[error("the scheduler sent more tasks than the window of {0} it announced")]
    WindowExceeded(u32),
    #[error("cannot start a task thread: {0}")]
    Thread(std::io::Error),
    /// The execute loop itself panicked (not a task: the loop catches those).
    #[error("a task thread panicked: {0}")]
    TaskThread(String),
    #[error(
        "the scheduler at {0} closed the connection without a goodbye: it was killed or \
         crashed, or it dropped this worker (too slow, or silent too long: see its log)"
    )]
    SchedulerGone(SocketAddr),
}

/// How a worker's run ended well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The scheduler said goodbye, with this reason.
    Goodbye(String),
    /// The task threads stopped (the jobs channel closed).
    Stopped,
}

/// Runs a worker of the scheduler at `scheduler` with `answers` (exercise 5.1 runs on
/// its task threads) until the scheduler says goodbye (`Ok`) or something fails, the
/// connection closing without a goodbye included.
pub async fn run(
    answers: Answers,
    scheduler: SocketAddr,
    config: WorkerConfig,
) -> Result<Ended, WorkerError> {
    let hello = Hello::Worker {
        version: VERSION,
        name: config.name.clone(),
        threads: config.threads as u32,
    };
    // A scheduler killed just after its welcome resets the connection while the worker
    // still reads it: the same news as a reset later on.
    let (mut reader, mut writer, welcome) = protocol::connect(scheduler, &hello, &config.secret)
        .await
        .map_err(|err| gone(scheduler, WorkerError::Protocol(err)))?;
    let context = Arc::new(Context::new(config.name).reading(config.data.as_deref()));
    // Clamped: a zero would make a rendezvous channel, and crossbeam allocates the whole
    // capacity at once.
    let capacity =
        (welcome.window.clamp(1, protocol::MAX_DEPTH) as usize).saturating_mul(config.threads);
    let channel = capacity.min(protocol::CHANNEL_PER_THREAD.saturating_mul(config.threads));
    let (jobs_tx, jobs_rx) = crossbeam_channel::bounded(channel);
    // Told by the task threads each time results leave: the channel has room again.
    let room = Arc::new(tokio::sync::Notify::new());
    let threads = Threads {
        answers,
        count: config.threads,
        run_times: welcome.run_times,
    };
    let results_rx = threads.start(&jobs_rx, &context, &room)?;
    // What the reader has to say itself: kept results asked for, and tasks whose inputs
    // are not here. Bounded: the reader waits while the writer catches up.
    let (said_tx, said_rx) = mpsc::channel(RESULTS);
    let graph = Graph {
        context: Arc::clone(&context),
        kept: Arc::default(),
        said: said_tx,
    };
    let silence = Duration::from_millis(welcome.silence_ms.max(1));
    let outcome = tokio::select! {
        outcome = read_jobs(&mut reader, &graph, (&jobs_tx, &room), capacity, silence) => {
            // Not `?`: a reset read here is told as the scheduler being gone, below.
            outcome.and_then(|ended| ended.ok_or(WorkerError::SchedulerGone(scheduler)))
        }
        outcome = write_results(&mut writer, results_rx, said_rx, &graph, welcome.heartbeat_ms) => {
            outcome.map(|()| Ended::Stopped)
        }
    };
    // The connection is gone: the jobs still queued would run for no one.
    while jobs_rx.try_recv().is_ok() {}
    outcome.map_err(|err| gone(scheduler, err))
}

/// A scheduler that dies mid-conversation may reset the connection instead of closing it:
/// the same news, told the same way.
fn gone(scheduler: SocketAddr, err: WorkerError) -> WorkerError {
    match err {
        WorkerError::Protocol(ProtocolError::Io(io))
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::TimedOut
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            ) =>
        {
            WorkerError::SchedulerGone(scheduler)
        }
        other => other,
    }
}

/// The worker's task threads: how many, running which answers, and whether they time
/// their tasks for the scheduler's dashboard.
struct Threads {
    answers: Answers,
    count: usize,
    run_times: bool,
}

impl Threads {
    // ANCHOR: threads
    /// Starts the task threads on `jobs`; returns where their results arrive: a batch of
    /// results with when their tasks ran, or the message of an execute loop that panicked.
    fn start(
        &self,
        jobs: &crossbeam_channel::Receiver<Job>,
        context: &Arc<Context>,
        room: &Arc<tokio::sync::Notify>,
    ) -> Result<mpsc::Receiver<Result<Batch, String>>, WorkerError> {
        let (results_tx, results_rx) = mpsc::channel::<Result<Batch, String>>(RESULTS);
        for i in 0..self.count {
            let (jobs, context, results) = (jobs.clone(), Arc::clone(context), results_tx.clone());
            let room = Arc::clone(room);
            let (answers, run_times) = (self.answers, self.run_times);
            std::thread::Builder::new()
                .name(format!("task-{i}"))
                // The thread ends when the jobs channel closes (the reader is gone) or the
                // results channel does (the writer is gone).
                .spawn(move || {
                    // When its tasks ran, for the scheduler's dashboard if it has one.
                    tasks::time_runs(run_times);
                    let run = || {
                        answers.execute(&jobs, &context, &mut |batch| {
                            let ran = tasks::take_run_times();
                            let sent = results.blocking_send(Ok((batch, ran))).is_ok();
                            room.notify_one();
                            sent
                        })
                    };
                    if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
                    {
                        let message = shared::panic::panic_message(panic.as_ref()).to_string();
                        let _ = results.blocking_send(Err(message));
                    }
                })
                .map_err(WorkerError::Thread)?;
        }
        Ok(results_rx)
    }
    // ANCHOR_END: threads
}

/// Reads the scheduler's messages: data to store, and jobs for the task threads, until a
/// goodbye or the task threads' end, or the end of the connection (`None`). The task threads'
/// channel holds at most [`CHANNEL_PER_THREAD`](protocol::CHANNEL_PER_THREAD) jobs per
/// thread; the rest wait in `waiting`, refilled into the channel as results leave
/// (`room`), and given back when the scheduler asks (work stealing). More jobs than the
/// `window` the scheduler announced is the scheduler breaking its word: the worker leaves
/// rather than buffer without end.
async fn read_jobs(
    reader: &mut protocol::Reader,
    graph: &Graph,
    (jobs, room): (&crossbeam_channel::Sender<Job>, &tokio::sync::Notify),
    window: usize,
    silence: Duration,
) -> Result<Option<Ended>, WorkerError> {
    let context = &graph.context;
    let mut waiting: VecDeque<Job> = VecDeque::new();
    loop {
        let message = tokio::select! {
            message = reader.recv_within::<ToWorker>(silence) => match message? {
                Some(message) => message,
                None => return Ok(None),
            },
            () = room.notified(), if !waiting.is_empty() => {
                if refill(jobs, &mut waiting).is_err() {
                    return Ok(Some(Ended::Stopped));
                }
                continue;
            }
        };
        match message {
            ToWorker::Goodbye(why) => return Ok(Some(Ended::Goodbye(why))),
            ToWorker::Heartbeat => {}
            ToWorker::Store { key, bytes } => {
                context.insert(key, bytes);
            }
            ToWorker::Forget(key) => context.remove(&key),
            ToWorker::Keep { id, bytes } => {
                if !context.insert(result_key(id), bytes)
                    && graph.said.send(Said::NotKept(id)).await.is_err()
                {
                    return Ok(Some(Ended::Stopped));
                }
            }
            ToWorker::Send(ids) => {
                for id in ids {
                    let bytes = context.bytes(&result_key(id)).map(|b| b.as_ref().clone());
                    if graph.said.send(Said::Data(id, bytes)).await.is_err() {
                        return Ok(Some(Ended::Stopped));
                    }
                }
            }
            ToWorker::GiveBack(n) => {
                // The last queued first: the ones that would have waited longest here.
                let keep = waiting.len().saturating_sub(n as usize);
                let given: Vec<TaskId> = waiting.drain(keep..).map(|job| job.id).collect();
                for id in &given {
                    graph.kept().remove(id);
                }
                if graph.said.send(Said::GaveBack(given)).await.is_err() {
                    return Ok(Some(Ended::Stopped));
                }
            }
            ToWorker::Run(batch) => {
                for job in batch {
                    let job = match graph.prepare(job) {
                        Ok(job) => job,
                        Err(failed) => {
                            if graph.said.send(Said::Failed(failed)).await.is_err() {
                                return Ok(Some(Ended::Stopped));
                            }
                            continue;
                        }
                    };
                    waiting.push_back(job);
                }
                if refill(jobs, &mut waiting).is_err() {
                    return Ok(Some(Ended::Stopped));
                }
                if jobs.len() + waiting.len() > window {
                    return Err(WorkerError::WindowExceeded(window as u32));
                }
            }
        }
    }
}

/// Moves jobs from `waiting` into the task threads' channel while it has room; `Err` when
/// the task threads are gone.
fn refill(jobs: &crossbeam_channel::Sender<Job>, waiting: &mut VecDeque<Job>) -> Result<(), ()> {
    while let Some(job) = waiting.pop_front() {
        match jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(job)) => {
                waiting.push_front(job);
                return Ok(());
            }
            Err(TrySendError::Disconnected(_)) => return Err(()),
        }
    }
    Ok(())
}

/// What the worker keeps of the task graph: its store, the tasks whose results stay here,
/// and a way for the reader to answer the scheduler.
struct Graph {
    context: Arc<Context>,
    /// Tasks given with `keep` that have not finished.
    kept: Arc<Mutex<HashSet<TaskId>>>,
    said: mpsc::Sender<Said>,
}

/// What the reader sends through the writer.
enum Said {
    /// A kept result the scheduler asked for, or why it is not here.
    Data(TaskId, Result<Vec<u8>, String>),
    /// A task that cannot run here: an input is missing.
    Failed(Finished),
    /// Jobs given back to the scheduler, unstarted.
    GaveBack(Vec<TaskId>),
    /// A result sent to keep that did not fit in the store.
    NotKept(TaskId),
}

impl Graph {
    // ANCHOR: prepare
    /// A job as the task threads run it: the results it takes, which the scheduler stored
    /// here before sending it, are put before its arguments (see [`tasks::Node`]), and a
    /// job whose result stays here is noted. A missing input fails the job.
    fn prepare(&self, mut job: Job) -> Result<Job, Finished> {
        if let Some(inputs) = job.inputs.take() {
            let bytes: Result<Vec<_>, String> = (inputs.iter())
                .map(|input| self.context.bytes(&result_key(*input)))
                .collect();
            match bytes {
                Ok(bytes) => {
                    let slices: Vec<&[u8]> = bytes.iter().map(|b| b.as_slice()).collect();
                    job.args = tasks::with_inputs(&slices, &job.args);
                }
                Err(why) => {
                    let error = TaskError::Failed(format!("an input is missing: {why}"));
                    return Err(Finished {
                        id: job.id,
                        result: Err(error),
                    });
                }
            }
        }
        if job.keep {
            self.kept().insert(job.id);
        }
        Ok(job)
    }
    // ANCHOR_END: prepare

    fn kept(&self) -> std::sync::MutexGuard<'_, HashSet<TaskId>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps the results of kept tasks here, and says so in place of sending them: the
    /// results that go back, and what is kept.
    fn keep(&self, batch: Vec<Finished>) -> (Vec<Finished>, Vec<Kept>) {
        let mut kept = Vec::new();
        let mut back = Vec::with_capacity(batch.len());
        for finished in batch {
            if !self.kept().remove(&finished.id) {
                back.push(finished);
                continue;
            }
            match finished.result {
                Ok(bytes) => {
                    let size = bytes.len() as u64;
                    if self.context.insert(result_key(finished.id), bytes) {
                        kept.push(Kept {
                            id: finished.id,
                            bytes: size,
                        });
                    } else {
                        let why = self.context.bytes(&result_key(finished.id)).err();
                        back.push(Finished {
                            id: finished.id,
                            result: Err(TaskError::Failed(why.unwrap_or_default())),
                        });
                    }
                }
                Err(error) => back.push(Finished {
                    id: finished.id,
                    result: Err(error),
                }),
            }
        }
        (back, kept)
    }
}

/// Sends the task threads' results (keeping those that stay here), what the reader has to
/// say, as many per write as are ready, and a heartbeat every `heartbeat_ms`.
async fn write_results(
    writer: &mut protocol::Writer,
    mut results: mpsc::Receiver<Result<Batch, String>>,
    mut said: mpsc::Receiver<Said>,
    graph: &Graph,
    heartbeat_ms: u64,
) -> Result<(), WorkerError> {
    let mut heartbeat = tokio::time::interval(Duration::from_millis(heartbeat_ms.max(1)));
    loop {
        tokio::select! {
            batch = results.recv() => {
                let Some(batch) = batch else { return Ok(()) };
                feed_results(writer, batch, graph).await?;
                // Whatever else is ready goes in the same write.
                while let Ok(batch) = results.try_recv() {
                    feed_results(writer, batch, graph).await?;
                }
                writer.flush().await?;
            }
            Some(message) = said.recv() => {
                let message = match message {
                    Said::Data(id, bytes) => FromWorker::Data { id, bytes },
                    Said::Failed(finished) => FromWorker::Finished(vec![finished]),
                    Said::GaveBack(ids) => FromWorker::GaveBack(ids),
                    Said::NotKept(id) => FromWorker::NotKept(vec![id]),
                };
                writer.send(&message).await?;
            }
            _ = heartbeat.tick() => writer.send(&FromWorker::Heartbeat).await?,
        }
    }
}

/// A batch of results, and the start and end of each task this thread ran for it.
type Batch = (Vec<Finished>, Vec<(Instant, Instant)>);

/// Queues a batch of results (split if it would not fit a frame), or passes on the panic
/// of an execute loop. When the run times match the results one for one (the execute loop
/// ran each task once, in the batch's order), those of the tasks that took
/// [`SHORT_RUN`](crate::state::SHORT_RUN) or more go first, for the dashboard.
async fn feed_results(
    writer: &mut protocol::Writer,
    batch: Result<Batch, String>,
    graph: &Graph,
) -> Result<(), WorkerError> {
    let (batch, ran) = batch.map_err(WorkerError::TaskThread)?;
    if !ran.is_empty() && ran.len() == batch.len() {
        let now = Instant::now();
        let ago = |t: Instant| now.duration_since(t).as_micros() as u64;
        let times: Vec<RunTime> = (batch.iter().zip(ran))
            .filter(|(_, (started, ended))| *ended - *started >= crate::state::SHORT_RUN)
            .map(|(result, (started, ended))| RunTime {
                id: result.id,
                started_us_ago: ago(started),
                ended_us_ago: ago(ended),
            })
            .collect();
        if !times.is_empty() {
            writer.feed(&FromWorker::Ran(times)).await?;
        }
    }
    let (back, kept) = graph.keep(batch);
    if !kept.is_empty() {
        writer.feed(&FromWorker::Kept(kept)).await?;
    }
    for chunk in protocol::chunks_by_size(back, protocol::finished_size) {
        writer.feed(&FromWorker::Finished(chunk)).await?;
    }
    Ok(())
}
