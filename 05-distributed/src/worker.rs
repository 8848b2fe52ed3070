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

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::TrySendError;
use tokio::sync::mpsc;

use crate::answers::Answers;
use crate::protocol::{
    self, Finished, FromWorker, Hello, ProtocolError, RunTime, ToWorker, VERSION,
};
use crate::tasks::{self, Context};

pub use crate::protocol::MAX_BATCH;

/// Batches of results waiting for the writer, at most.
const RESULTS: usize = 64;

/// How a worker is named and sized.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Shown by the scheduler and in errors. Default: `host:pid`.
    pub name: String,
    /// Tasks run at once, each on its own thread.
    pub threads: usize,
}

impl WorkerConfig {
    /// `threads` threads, named after this process.
    pub fn new(threads: usize) -> WorkerConfig {
        WorkerConfig {
            name: default_name(),
            threads: threads.max(1),
        }
    }
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
}

/// Runs a worker of the scheduler at `scheduler` with `answers` (exercise 5.1 runs on
/// its task threads) until the scheduler closes the connection (`Ok`) or something fails.
pub async fn run(
    answers: Answers,
    scheduler: SocketAddr,
    config: WorkerConfig,
) -> Result<(), WorkerError> {
    let hello = Hello::Worker {
        version: VERSION,
        name: config.name.clone(),
        threads: config.threads as u32,
    };
    let (mut reader, mut writer, welcome) = protocol::connect(scheduler, &hello).await?;
    let (heartbeat_ms, window) = (welcome.heartbeat_ms, welcome.window);
    let context = Arc::new(Context::new(config.name));
    // Clamped: a zero would make a rendezvous channel, and crossbeam allocates the whole
    // capacity at once.
    let capacity = (window.clamp(1, 1 << 16) as usize).saturating_mul(config.threads);
    let (jobs_tx, jobs_rx) = crossbeam_channel::bounded(capacity);
    // ANCHOR: threads
    // A batch of results with when their tasks ran, or the message of an execute loop
    // that panicked.
    let (results_tx, mut results_rx) = mpsc::channel::<Result<Batch, String>>(RESULTS);
    for i in 0..config.threads {
        let (jobs, context, results) = (jobs_rx.clone(), Arc::clone(&context), results_tx.clone());
        std::thread::Builder::new()
            .name(format!("task-{i}"))
            // The thread ends when the jobs channel closes (the reader is gone) or the
            // results channel does (the writer is gone).
            .spawn(move || {
                // When its tasks ran, for the scheduler's dashboard if it has one.
                tasks::time_runs(welcome.run_times);
                let run = || {
                    answers.execute(&jobs, &context, &mut |batch| {
                        let ran = tasks::take_run_times();
                        results.blocking_send(Ok((batch, ran))).is_ok()
                    })
                };
                if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
                    let message = shared::panic::panic_message(panic.as_ref()).to_string();
                    let _ = results.blocking_send(Err(message));
                }
            })
            .map_err(WorkerError::Thread)?;
    }
    drop(results_tx);
    // ANCHOR_END: threads

    let read = async {
        while let Some(message) = reader.recv::<ToWorker>().await? {
            match message {
                ToWorker::Store { key, bytes } => context.insert(key, bytes),
                ToWorker::Run(jobs) => {
                    for job in jobs {
                        match jobs_tx.try_send(job) {
                            Ok(()) => {}
                            Err(TrySendError::Full(_)) => {
                                return Err(WorkerError::WindowExceeded(window));
                            }
                            Err(TrySendError::Disconnected(_)) => return Ok(()),
                        }
                    }
                }
            }
        }
        Ok(())
    };
    let write = async {
        let mut heartbeat = tokio::time::interval(Duration::from_millis(heartbeat_ms.max(1)));
        loop {
            tokio::select! {
                batch = results_rx.recv() => {
                    let Some(batch) = batch else { return Ok(()) };
                    feed_results(&mut writer, batch).await?;
                    // Whatever else is ready goes in the same write.
                    while let Ok(batch) = results_rx.try_recv() {
                        feed_results(&mut writer, batch).await?;
                    }
                    writer.flush().await?;
                }
                _ = heartbeat.tick() => writer.send(&FromWorker::Heartbeat).await?,
            }
        }
    };
    let outcome = tokio::select! {
        outcome = read => outcome,
        outcome = write => outcome,
    };
    // The connection is gone: the jobs still queued would run for no one.
    while jobs_rx.try_recv().is_ok() {}
    outcome
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
    for chunk in protocol::chunks_by_size(batch, protocol::finished_size) {
        writer.feed(&FromWorker::Finished(chunk)).await?;
    }
    Ok(())
}
