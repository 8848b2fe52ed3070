//! What the binaries run. `exercise-05` and `solution-05` measure the lesson's cluster (with
//! `worker …` or `scheduler …` they are a worker or a scheduler instead); `scheduler-05`
//! and `worker-05` are the two halves of a deployment, for several machines.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser as _;

use crate::answers::Answers;
use crate::protocol::DEFAULT_LISTEN;
use crate::scheduler::{self, Config};
use crate::worker::{self, WorkerConfig};

/// `scheduler-05`: a scheduler that runs until it is stopped (Ctrl-C).
#[derive(Debug, Clone, clap::Parser)]
pub struct SchedulerArgs {
    /// Where to listen. The default takes connections from this machine only; to take
    /// workers from other machines, give an address they can reach, e.g. `0.0.0.0:8786`,
    /// on a network you trust (anyone who can connect can submit tasks).
    #[arg(long, default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// How often workers send a heartbeat, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub heartbeat_ms: u64,
    /// A worker silent this long (milliseconds) is lost and its tasks run elsewhere.
    #[arg(long, default_value_t = 10_000)]
    pub timeout_ms: u64,
    /// Tasks in flight per worker thread.
    #[arg(long, default_value_t = 64)]
    pub depth: u32,
}

impl SchedulerArgs {
    pub fn config(&self) -> Config {
        Config {
            heartbeat: Duration::from_millis(self.heartbeat_ms),
            timeout: Duration::from_millis(self.timeout_ms),
            depth: self.depth,
        }
    }
}

/// `worker-05`: a worker that serves the scheduler until it goes away.
#[derive(Debug, Clone, clap::Parser)]
pub struct WorkerArgs {
    /// The scheduler's address.
    #[arg(long, default_value = DEFAULT_LISTEN)]
    pub scheduler: SocketAddr,
    /// Tasks run at once.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// The worker's name. Default: `host:pid`.
    #[arg(long)]
    pub name: Option<String>,
}

/// Runs a scheduler until the process is stopped.
pub fn run_scheduler<A: Answers>(args: &SchedulerArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start tokio")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {}: is another scheduler running there? Pick another \
                     port with `--listen 127.0.0.1:PORT`",
                    args.listen
                )
            })?;
        let handle = scheduler::serve::<A>(listener, args.config())?;
        eprintln!(
            "scheduler ({}) listening on {}; start workers with `cargo run --release -p \
             lesson-05-distributed --bin worker-05 -- --scheduler {}`",
            A::NAME,
            handle.addr(),
            handle.addr()
        );
        std::future::pending::<()>().await;
        Ok(())
    })
}

/// Runs a worker until its scheduler goes away.
pub fn run_worker<A: Answers>(args: &WorkerArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start tokio")?;
    let mut config = WorkerConfig::new(args.threads);
    if let Some(name) = &args.name {
        config.name = name.clone();
    }
    runtime
        .block_on(worker::run::<A>(args.scheduler, config))
        .with_context(|| format!("worker of the scheduler at {}", args.scheduler))
}

/// Reports an error of a binary's main and turns it into an exit code.
fn exit(outcome: anyhow::Result<()>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The main of `scheduler-05`.
pub fn scheduler_main<A: Answers>() -> ExitCode {
    exit(run_scheduler::<A>(&SchedulerArgs::parse()))
}

/// The main of `worker-05`.
pub fn worker_main<A: Answers>() -> ExitCode {
    exit(run_worker::<A>(&WorkerArgs::parse()))
}

/// The main of `exercise-05` and `solution-05` (being written).
pub fn main<A: Answers>() -> ExitCode {
    exit(Err(anyhow::anyhow!("{} is being written", A::BINARY)))
}
