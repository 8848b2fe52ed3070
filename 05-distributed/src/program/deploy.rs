//! `scheduler-05` and `worker-05`: the two halves of a deployment, and the roles
//! `exercise-05 scheduler …` and `exercise-05 worker …`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser as _;
use shared::report::debug_build_warning;
use tokio::time::timeout;

use super::probe::probe;
use crate::answers::Answers;
use crate::auth::{self, Secret};
use crate::dashboard::{self, DEFAULT_DASHBOARD};
use crate::protocol::DEFAULT_LISTEN;
use crate::protocol::MAX_DEPTH;
use crate::scheduler::{self, Config};
use crate::worker::{self, WorkerConfig};

/// `scheduler-05`: a scheduler that runs until it is stopped (Ctrl-C).
#[derive(Debug, Clone, clap::Parser)]
pub struct SchedulerArgs {
    /// Where to listen. The default takes connections from this machine only; to take
    /// workers from other machines, give an address they can reach, e.g. `0.0.0.0:8786`.
    /// Only peers that hold the secret get in, but nothing is encrypted: across machines,
    /// use a network you trust, an SSH tunnel or a VPN.
    #[arg(long, default_value = DEFAULT_LISTEN, value_parser = socket_addr)]
    pub listen: SocketAddr,
    /// The cluster's secret: read from this file, or made and written there (readable by
    /// you only) if it does not exist. Default: `~/.parallel-rust/scheduler-05-HOST-PORT.secret`
    /// for the address it listens on. Workers and clients need a copy.
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    /// How often workers, and the scheduler to its peers, send a heartbeat, in milliseconds
    /// (1 to 3,600,000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub heartbeat_ms: u64,
    /// A worker silent this long (milliseconds) is lost and its tasks run elsewhere; a
    /// worker or client that hears nothing from the scheduler this long leaves (2 to
    /// 86,400,000).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(2..=86_400_000))]
    pub timeout_ms: u64,
    /// Tasks in flight per worker thread.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=MAX_DEPTH as i64))]
    pub depth: u32,
    /// Serve a live dashboard (workers, task stream, batches) on ADDR; without an address,
    /// on 127.0.0.1:8787, dask's port. Off unless asked for.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = DEFAULT_DASHBOARD, value_parser = socket_addr)]
    pub dashboard: Option<SocketAddr>,
    /// The most unfinished tasks the scheduler holds, from all clients together (1 to
    /// 100,000,000): a task submitted beyond it fails at once, as overloaded.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100000000))]
    pub max_tasks: usize,
    /// The most megabytes waiting for one worker or client: a peer that does not read is
    /// disconnected past it.
    #[arg(long, default_value_t = 16, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=4096))]
    pub max_outbox_mb: usize,
    /// Leave each task with the worker it was given, even when another is idle (no work
    /// stealing, section 5.4).
    #[arg(long)]
    pub no_steal: bool,
}

impl SchedulerArgs {
    pub fn config(&self) -> Config {
        Config {
            heartbeat: Duration::from_millis(self.heartbeat_ms),
            timeout: Duration::from_millis(self.timeout_ms),
            depth: self.depth,
            max_tasks: self.max_tasks,
            log: true,
            outbox_bytes: self.max_outbox_mb << 20,
            steal: !self.no_steal,
        }
    }
}

/// `worker-05`: a worker that serves the scheduler until it goes away.
#[derive(Debug, Clone, clap::Parser)]
pub struct WorkerArgs {
    /// The scheduler's address: `HOST:PORT`, the host a name or an IP address.
    #[arg(long, default_value = DEFAULT_LISTEN, value_parser = socket_addr)]
    pub scheduler: SocketAddr,
    /// Tasks run at once.
    #[arg(long, default_value_t = 1, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub threads: usize,
    /// The worker's name. Default: `host:pid`.
    #[arg(long)]
    pub name: Option<String>,
    /// The scheduler's secret, which the scheduler printed. Default: where a scheduler on
    /// this machine writes it for `--scheduler`'s address.
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    /// The only folder whose files tasks may read. Default: the dataset's, found as the
    /// programs find it (`$PARALLEL_RUST_DATA`, else the workspace's `data/`).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

/// `HOST:PORT` as a socket address, the host an IP address or a name (`localhost:8786`,
/// `node1:8786`), resolved now; a name with IPv4 and IPv6 addresses gives the IPv4 one.
pub fn socket_addr(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs as _;
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    let addrs: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|err| {
            format!("cannot resolve {text:?} ({err}): give HOST:PORT, e.g. 127.0.0.1:8786")
        })?
        .collect();
    (addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .copied())
    .ok_or_else(|| format!("{text:?} resolves to no address"))
}

/// Why `addr` (given with `flag`) cannot be listened on, and what to give instead: the
/// port is taken, the address is not this machine's (`--listen 8.8.8.8`), or the port
/// needs root.
fn cannot_listen(addr: SocketAddr, err: &std::io::Error, flag: &str, what: &str) -> anyhow::Error {
    let port = addr.port().max(1024);
    let fix = match err.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "is another {what} running there? Pick another port with `{flag} {}:PORT`",
            addr.ip()
        ),
        std::io::ErrorKind::AddrNotAvailable => format!(
            "{} is not an address of this machine. Listen on one of its own: `{flag} \
             127.0.0.1:{port}` (this machine only) or `{flag} 0.0.0.0:{port}` (every network \
             it is on)",
            addr.ip()
        ),
        std::io::ErrorKind::PermissionDenied => format!(
            "ports below 1024 need root: pick a higher one, e.g. `{flag} {}:8786`",
            addr.ip()
        ),
        _ => format!("pick another address or port with `{flag} 127.0.0.1:PORT`"),
    };
    anyhow::anyhow!("cannot listen on {addr} ({err}): {fix}")
}

/// The secret in `file`, or at the default place for `addr`.
pub(super) fn secret_of(
    file: Option<&Path>,
    addr: SocketAddr,
) -> anyhow::Result<(Secret, PathBuf)> {
    let path = file.map_or_else(|| auth::default_path(addr), Path::to_path_buf);
    let secret = Secret::load(&path).map_err(|e| match e {
        auth::AuthError::Read(path, error) => anyhow::anyhow!(
            "cannot read the scheduler's secret {}: {error}. Start the scheduler first (it \
             writes the file), or pass the file it printed with --secret-file",
            path.display()
        ),
        e => e.into(),
    })?;
    Ok((secret, path))
}

/// Runs a scheduler until the process is stopped.
pub fn run_scheduler(answers: Answers, args: &SchedulerArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.heartbeat_ms < args.timeout_ms,
        "--heartbeat-ms ({}) must be below --timeout-ms ({}), or every worker would be lost \
         between two heartbeats",
        args.heartbeat_ms,
        args.timeout_ms
    );
    let runtime = tokio::runtime::Runtime::new().context("cannot start tokio")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|err| cannot_listen(args.listen, &err, "--listen", "scheduler"))?;
        let (secret, secret_file) = scheduler_secret(args, listener.local_addr()?)?;
        let handle = match args.dashboard {
            None => scheduler::serve(answers, listener, args.config(), secret)?,
            Some(addr) => {
                let (feed, runs) = dashboard::feed();
                let dropped = std::sync::Arc::clone(&feed.dropped);
                let handle =
                    scheduler::serve_with(answers, listener, args.config(), secret, Some(feed))?;
                let page = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|err| cannot_listen(addr, &err, "--dashboard", "dashboard"))?;
                let addr = dashboard::serve(page, handle.clone(), runs, dropped)?;
                eprintln!("dashboard on http://{addr}/");
                handle
            }
        };
        // The workers' build must match this one's: the reference's answers need the feature.
        let features = match answers.name() {
            "solution" => " --features solution",
            _ => "",
        };
        let peer = |bin: &str| {
            format!(
                "cargo run --release -p lesson-05-distributed{features} --bin {bin} -- \
                 --scheduler {} --secret-file {}",
                handle.addr(),
                secret_file.display()
            )
        };
        eprintln!(
            "scheduler ({}) listening on {}; start workers with `{}`, then run a client with \
             `{} empty`",
            answers.name(),
            handle.addr(),
            peer("worker-05"),
            peer("client-05")
        );
        eprintln!(
            "scheduler: its secret is in {} (readable by you only); a worker or client on \
             another machine needs a copy of that file",
            secret_file.display()
        );
        // It runs until it is stopped (Ctrl-C, SIGTERM: it tells its peers, and exits with
        // success), or its actor is: then the process stops too, with the panic's message
        // and a failure status, rather than keep a port it cannot serve.
        tokio::select! {
            stopped = handle.stopped() => match stopped {
                Some(panic) => anyhow::bail!("the scheduler stopped: a panic in its actor: {panic}"),
                None => anyhow::bail!("the scheduler stopped"),
            },
            signal = stop_signal() => {
                let why = format!("stopped by {}", signal?);
                if let Some((workers, clients)) = handle.shutdown(&why).await {
                    // The workers close their connections once they have read the goodbye.
                    let _ = timeout(Duration::from_secs(2), handle.wait_for_workers(0)).await;
                    eprintln!("scheduler: {why}; told {workers} workers and {clients} clients");
                }
                Ok(())
            }
        }
    })
}

/// Waits for Ctrl-C or SIGTERM; returns which.
async fn stop_signal() -> anyhow::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot watch for SIGTERM")?;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => Ok("Ctrl-C"),
            _ = term.recv() => Ok("SIGTERM"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .context("cannot watch for Ctrl-C")?;
        Ok("Ctrl-C")
    }
}

/// The scheduler's secret: the one in `--secret-file` (or the default file for `addr`) if
/// it exists, else a new one written there.
fn scheduler_secret(args: &SchedulerArgs, addr: SocketAddr) -> anyhow::Result<(Secret, PathBuf)> {
    let path = (args.secret_file.clone()).unwrap_or_else(|| auth::default_path(addr));
    let (secret, _) = Secret::load_or_create(&path)?;
    Ok((secret, path))
}

/// Runs a worker until its scheduler goes away.
pub fn run_worker(answers: Answers, args: &WorkerArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start tokio")?;
    if let Some(data) = &args.data {
        super::utf8_folder(data)?;
    }
    let (secret, _) = secret_of(args.secret_file.as_deref(), args.scheduler)?;
    let mut config = WorkerConfig::new(args.threads, secret);
    if let Some(name) = &args.name {
        config.name = name.clone();
    }
    if let Some(data) = &args.data {
        config.data = Some(data.clone());
    }
    let ended = runtime
        .block_on(worker::run(answers, args.scheduler, config))
        .with_context(|| format!("worker of the scheduler at {}", args.scheduler))?;
    if let worker::Ended::Goodbye(why) = ended {
        let why = shared::report::printable(&why);
        eprintln!(
            "worker: the scheduler at {} stopped ({why}); exiting",
            args.scheduler
        );
    }
    Ok(())
}

/// Reports an error of a binary's main and turns it into an exit code.
pub(super) fn exit(outcome: anyhow::Result<()>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The main of `scheduler-05`. Like `exercise-05`, it runs the reference's answer in place
/// of an exercise not done yet, and says so.
pub fn scheduler_main(answers: Answers) -> ExitCode {
    let args = SchedulerArgs::parse();
    warn_if_debug("scheduler-05");
    let answers = probe(answers, false);
    exit(run_scheduler(answers, &args))
}

/// The main of `worker-05`; see [`scheduler_main`].
pub fn worker_main(answers: Answers) -> ExitCode {
    let args = WorkerArgs::parse();
    warn_if_debug("worker-05");
    let answers = probe(answers, false);
    exit(run_worker(answers, &args))
}

/// A scheduler or worker built without optimisations is slow where the lesson measures it
/// (tasks per second): one line says so.
pub(super) fn warn_if_debug(binary: &str) {
    let command = format!("cargo run --release -p lesson-05-distributed --bin {binary}");
    if let Some(warning) = debug_build_warning(&command) {
        eprintln!("{warning}");
    }
}
