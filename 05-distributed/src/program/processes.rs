//! A cluster of worker processes of this binary, and the helpers every table uses on it.

use anyhow::Context as _;
use shared::progress::ClearOnDrop;
use shared::report::Variant;

use crate::answers::Answers;
use crate::client::{Client, ClientError};
use crate::cluster::{LocalCluster, WorkerProcesses};
use crate::dashboard::{self};
use crate::scheduler::Config;
use crate::tasks::Task;

/// A scheduler in this process and `n` worker processes of this binary, all with the same
/// answers (a worker process probes them as its parent did). The workers are killed when it
/// is dropped, before the scheduler stops: a worker whose scheduler vanished would say so on
/// the terminal, as an error, at the end of every run. (Fields drop in this order.)
pub(super) struct ProcessCluster {
    pub(super) processes: WorkerProcesses,
    pub(super) client: Client,
    pub(super) cluster: LocalCluster,
}

impl ProcessCluster {
    pub(super) fn start(
        answers: Answers,
        n: usize,
        config: Config,
    ) -> anyhow::Result<ProcessCluster> {
        Self::start_with(answers, n, config, false)
    }

    /// [`ProcessCluster::start`]; with `dashboard`, the scheduler also serves its dashboard
    /// (on 127.0.0.1, a free port) and one reader follows its updates, as an open page does.
    pub(super) fn start_with(
        answers: Answers,
        n: usize,
        config: Config,
        dashboard: bool,
    ) -> anyhow::Result<ProcessCluster> {
        let cluster = if dashboard {
            let (cluster, addr) = LocalCluster::start_with_dashboard(answers, 0, config)
                .context("cannot start a scheduler")?;
            // It reads on the cluster's runtime for as long as the runtime runs.
            cluster.block_on(async { drop(tokio::spawn(dashboard::follow(addr))) });
            cluster
        } else {
            LocalCluster::start(answers, 0, config).context("cannot start a scheduler")?
        };
        let program = WorkerProcesses::this_program().context("cannot find this program")?;
        let processes =
            WorkerProcesses::start(&program, cluster.addr(), &cluster.secret_file(), n)?;
        cluster
            .wait_for_workers(n)
            .map_err(|err| anyhow::anyhow!("{err}: see the workers' errors above"))?;
        let client = cluster.client()?;
        Ok(ProcessCluster {
            processes,
            client,
            cluster,
        })
    }

    /// How many worker processes it has.
    pub(super) fn workers(&self) -> usize {
        self.processes.pids().len()
    }

    /// Results moved between its workers through the scheduler so far, and their bytes.
    pub(super) fn moved(&self) -> (u64, u64) {
        self.cluster.snapshot().map_or((0, 0), |s| s.moved)
    }

    /// Runs `batch` on this cluster's runtime with its client.
    pub(super) fn run<'a, F: Future + 'a>(
        &'a self,
        batch: impl FnOnce(&'a Client) -> F,
    ) -> F::Output {
        self.cluster.block_on(batch(&self.client))
    }
}

/// Submits task `T` once per item of `args` and gathers the outputs with `answers`'
/// exercise 5.2, with a progress bar.
pub(super) async fn map_gather<T: Task>(
    answers: Answers,
    client: &Client,
    args: &[T::Args],
    near: Option<&crate::protocol::Key>,
) -> Result<Vec<T::Output>, ClientError>
where
    T::Output: Send,
{
    let futures = match near {
        Some(key) => client.map_near::<T>(args, key).await,
        None => client.map::<T>(args).await,
    };
    let bar = ClearOnDrop(shared::progress::items(args.len() as u64, T::NAME));
    answers.gather(futures, &bar).await
}

/// The variants of a real workload: done `here`, in this process, then by `on` each of
/// `clusters` (the row names say how many worker processes).
pub(super) fn here_and_on<'a, T>(
    here: Box<dyn FnMut() -> T + 'a>,
    on: &'a dyn Fn(&ProcessCluster) -> T,
    clusters: [&'a ProcessCluster; 2],
) -> Vec<Variant<'a, T>> {
    let mut variants: Vec<Variant<'a, T>> =
        vec![("this process, sequential".into(), "given".into(), here)];
    for cluster in clusters {
        let name = processes(cluster.workers());
        variants.push((name, "5.1 + 5.2".into(), Box::new(move || on(cluster))));
    }
    variants
}

/// A row's name for a cluster of `n` worker processes: "1 worker process", "2 worker
/// processes". Every table names its clusters with it, so that lookups by name match.
pub(super) fn processes(n: usize) -> String {
    format!("{n} worker process{}", if n == 1 { "" } else { "es" })
}
