//! A whole cluster on this machine: the scheduler and its workers, for tests and for the
//! program.
//!
//! - [`LocalCluster`] runs the scheduler and N workers in this process, on one tokio
//!   runtime, talking over real TCP on 127.0.0.1 with ports the system picks (port 0), so
//!   that tests run side by side. dask's `LocalCluster(processes=False)`.
//! - [`WorkerProcesses`] starts workers as separate processes of a binary, the way they run
//!   on a real cluster; its `Drop` kills and reaps them, so that none outlives the program
//!   or the test.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use std::time::Duration;

use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::answers::Answers;
use crate::auth::Secret;
use crate::client::{Client, ClientError};
use crate::dashboard;
use crate::scheduler::{self, Config, Feed, Handle, Snapshot};
use crate::worker::{self, WorkerConfig, WorkerError};

/// A scheduler and workers in this process. Dropping it stops them all.
pub struct LocalCluster {
    runtime: Runtime,
    scheduler: Handle,
    /// The cluster's own secret, made at random, and a folder only this user can read
    /// that holds it as a file, for worker processes ([`WorkerProcesses::start`]).
    secret: Secret,
    secret_dir: tempfile::TempDir,
    /// The folder its workers' tasks may read: see [`LocalCluster::reading`].
    data: Mutex<Option<PathBuf>>,
    /// The workers' tasks; a killed one is `None`.
    workers: Mutex<Vec<Option<JoinHandle<()>>>>,
    /// The errors of workers that stopped on their own.
    errors: (
        mpsc::UnboundedSender<String>,
        tokio::sync::Mutex<mpsc::UnboundedReceiver<String>>,
    ),
}

/// The secret's file name in the cluster's private folder.
const SECRET_FILE: &str = "scheduler.secret";

/// How long [`LocalCluster::start`] waits for its workers to join.
const JOIN_TIMEOUT: Duration = Duration::from_secs(5);

impl LocalCluster {
    /// Starts a scheduler with `config` and `workers` in-process workers of one thread each,
    /// all with `answers`, and waits until every worker has joined.
    pub fn start(
        answers: Answers,
        workers: usize,
        config: Config,
    ) -> std::io::Result<LocalCluster> {
        Self::start_with(answers, workers, config, None)
    }

    /// [`LocalCluster::start`], with the scheduler sending every task run to `feed`.
    pub fn start_with(
        answers: Answers,
        workers: usize,
        config: Config,
        feed: Option<Feed>,
    ) -> std::io::Result<LocalCluster> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let secret = Secret::random().map_err(std::io::Error::other)?;
        let secret_dir = tempfile::Builder::new()
            .prefix("parallel-rust-05-")
            .tempdir()?;
        secret
            .save(&secret_dir.path().join(SECRET_FILE))
            .map_err(std::io::Error::other)?;
        let scheduler = runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            scheduler::serve_with(answers, listener, config, secret.clone(), feed)
        })?;
        let (errors_tx, errors_rx) = mpsc::unbounded_channel();
        let cluster = LocalCluster {
            runtime,
            scheduler,
            secret,
            secret_dir,
            data: Mutex::new(worker::default_data()),
            workers: Mutex::new(Vec::new()),
            errors: (errors_tx, tokio::sync::Mutex::new(errors_rx)),
        };
        for _ in 0..workers {
            cluster.add_worker(answers, 1);
        }
        cluster
            .wait_for_workers(workers)
            .map_err(std::io::Error::other)?;
        Ok(cluster)
    }

    /// [`LocalCluster::start`], with the scheduler serving its dashboard on 127.0.0.1 (a
    /// free port); returns the cluster and the page's address.
    pub fn start_with_dashboard(
        answers: Answers,
        workers: usize,
        config: Config,
    ) -> std::io::Result<(LocalCluster, SocketAddr)> {
        let (feed, runs) = dashboard::feed();
        let dropped = Arc::clone(&feed.dropped);
        let cluster = Self::start_with(answers, workers, config, Some(feed))?;
        let addr = cluster.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            dashboard::serve(listener, cluster.handle().clone(), runs, dropped)
        })?;
        Ok((cluster, addr))
    }

    /// The error of a worker that stopped on its own since the last call, if any: e.g. an
    /// execute loop (exercise 5.1) that panicked.
    pub fn worker_error(&self) -> Option<String> {
        let mut errors = self.errors.1.try_lock().ok()?;
        errors.try_recv().ok()
    }

    /// The panic that stopped the scheduler, if one did: e.g. in exercise 5.3.
    pub fn scheduler_failure(&self) -> Option<String> {
        self.scheduler.failure()
    }

    /// The scheduler's address.
    pub fn addr(&self) -> SocketAddr {
        self.scheduler.addr()
    }

    /// Runs `future` on the cluster's runtime and waits for it.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// A new client of the scheduler.
    pub fn client(&self) -> Result<Client, ClientError> {
        self.block_on(Client::connect(self.addr(), &self.secret))
    }

    /// Lets the tasks of the workers started from now on read the files under `folder` (by
    /// default, the dataset's): for tests, whose datasets live in temporary folders.
    pub fn reading(&self, folder: &Path) {
        *self.data.lock().unwrap_or_else(PoisonError::into_inner) = Some(folder.to_path_buf());
    }

    /// The cluster's secret: what a peer must prove it holds to join.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The file that holds the secret, readable by this user only (it goes with the
    /// cluster): for worker processes, `--secret-file`.
    pub fn secret_file(&self) -> PathBuf {
        self.secret_dir.path().join(SECRET_FILE)
    }

    /// Starts one more worker with `threads` task threads; returns its index for
    /// [`kill_worker`](LocalCluster::kill_worker). It joins on its own: see
    /// [`wait_for_workers`](LocalCluster::wait_for_workers).
    pub fn add_worker(&self, answers: Answers, threads: usize) -> usize {
        let mut workers = self.workers();
        let mut config = WorkerConfig::new(threads, self.secret.clone());
        config.data = self
            .data
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        config.name = format!("local-{}", workers.len());
        let (addr, errors) = (self.addr(), self.errors.0.clone());
        let task = self.runtime.spawn(async move {
            match worker::run(answers, addr, config).await {
                Ok(_) => {}
                // The panic's own message, so that "not yet implemented" reads as such.
                Err(WorkerError::TaskThread(panic)) => drop(errors.send(panic)),
                Err(err) => drop(errors.send(err.to_string())),
            }
        });
        workers.push(Some(task));
        workers.len() - 1
    }

    fn workers(&self) -> MutexGuard<'_, Vec<Option<JoinHandle<()>>>> {
        self.workers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops worker `index` at once, as if its machine had died: its connection closes
    /// mid-task, without a goodbye.
    pub fn kill_worker(&self, index: usize) {
        if let Some(task) = self.workers().get_mut(index).and_then(Option::take) {
            task.abort();
        }
    }

    /// Waits until `n` workers are connected, for at most 5 s; a worker that fails first
    /// (an in-process one: it reports through [`worker_error`](Self::worker_error)) says why.
    pub fn wait_for_workers(&self, n: usize) -> Result<(), String> {
        self.block_on(async {
            let mut errors = self.errors.1.lock().await;
            tokio::select! {
                joined = self.scheduler.wait_for_workers(n) => match joined {
                    true => Ok(()),
                    false => Err(self.scheduler.failure().unwrap_or_else(|| "the scheduler stopped".into())),
                },
                Some(error) = errors.recv() => Err(error),
                _ = tokio::time::sleep(JOIN_TIMEOUT) => Err(format!(
                    "{n} workers did not join the scheduler at {} within {JOIN_TIMEOUT:?}",
                    self.addr()
                )),
            }
        })
    }

    /// The scheduler's state now.
    pub fn snapshot(&self) -> Option<Snapshot> {
        self.block_on(self.scheduler.snapshot())
    }

    /// The scheduler's handle, for code that runs on the cluster's runtime.
    pub fn handle(&self) -> &Handle {
        &self.scheduler
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        for task in self.workers().iter().flatten() {
            task.abort();
        }
    }
}

/// Worker processes of one binary, started with `worker --scheduler ADDR --threads 1
/// --secret-file FILE`. Dropping it kills and reaps every one still running.
pub struct WorkerProcesses {
    children: Vec<Child>,
}

impl WorkerProcesses {
    /// Starts `count` workers: `program worker --scheduler ADDR --threads 1 --secret-file
    /// FILE`, with the secret in `secret_file` (see [`LocalCluster::secret_file`]).
    pub fn start(
        program: &Path,
        scheduler: SocketAddr,
        secret_file: &Path,
        count: usize,
    ) -> std::io::Result<Self> {
        let mut workers = WorkerProcesses {
            children: Vec::new(),
        };
        for _ in 0..count {
            let child = Command::new(program)
                .args(["worker", "--scheduler", &scheduler.to_string()])
                .args(["--threads", "1", "--secret-file"])
                .arg(secret_file)
                .stdin(Stdio::null())
                .spawn()
                .map_err(|err| {
                    std::io::Error::new(
                        err.kind(),
                        format!("cannot start the worker {}: {err}", program.display()),
                    )
                })?;
            workers.children.push(child);
        }
        Ok(workers)
    }

    /// The program itself: a binary's workers are its own copies.
    pub fn this_program() -> std::io::Result<PathBuf> {
        std::env::current_exe()
    }

    /// The workers' process ids.
    pub fn pids(&self) -> Vec<u32> {
        self.children.iter().map(Child::id).collect()
    }

    /// Kills worker `index` (SIGKILL) and reaps it: no goodbye, as when a machine dies.
    pub fn kill(&mut self, index: usize) -> std::io::Result<()> {
        let child = &mut self.children[index];
        child.kill()?;
        child.wait()?;
        Ok(())
    }
}

impl Drop for WorkerProcesses {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
