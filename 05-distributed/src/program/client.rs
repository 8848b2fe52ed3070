//! `client-05`: a client of a running scheduler. It runs one of the lesson's workloads on
//! the cluster (empty tasks, the task graph examples, or lesson 3's yearly statistics, by a
//! flat map or a tree of merges), shows its progress, prints
//! the result, and exits: the third terminal of section 5.6.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use shared::Dataset;
use shared::report::{fmt_count, fmt_duration};

use super::deploy::{exit, secret_of, warn_if_debug};
use super::graphs;
use super::probe::probe;
use super::processes::map_gather;
use super::workloads::{groups_of, year_files};
use crate::answers::Answers;
use crate::client::Client;
use crate::protocol::DEFAULT_LISTEN;
use crate::tasks::{Noop, Yearly, YearlyStats, merge_yearly, summarise_yearly};

/// `client-05`: runs a workload on a running scheduler's cluster, and exits.
#[derive(Debug, Clone, clap::Parser)]
pub struct ClientArgs {
    /// The scheduler's address: `HOST:PORT`, the host a name or an IP address.
    #[arg(long, default_value = DEFAULT_LISTEN, value_parser = super::deploy::socket_addr)]
    pub scheduler: SocketAddr,
    /// The scheduler's secret, which the scheduler printed. Default: where a scheduler on
    /// this machine writes it for `--scheduler`'s address.
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    #[command(subcommand)]
    pub workload: Workload,
    /// Which options were typed: only defaults adapt to a dataset that lacks them.
    #[arg(skip)]
    pub given: shared::defaults::Given,
}

/// What the client runs.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Workload {
    /// Empty tasks, submitted with map and gathered: what the cluster costs per task.
    Empty {
        #[arg(long, default_value_t = 20_000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000000))]
        tasks: usize,
    },
    /// The 2016 tutorial's task graphs: `add(inc(1), 10)`, and the sum of `0..N` as a
    /// binary tree of `add` tasks over `sum_range` leaves, the inner sums kept on the workers.
    Graph {
        /// How many numbers the tree adds up.
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(i64).range(1..=1_000_000_000_000))]
        numbers: i64,
        /// Leaves of the tree (each sums a slice of the numbers).
        #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(i64).range(1..=100_000))]
        leaves: i64,
    },
    /// Lesson 3's per-symbol yearly statistics, one task per group of minute files. The
    /// workers read the files: they must see the dataset at the same paths as this client.
    Yearly {
        /// The first year (the dataset's first year when it does not cover 2012).
        #[arg(long, default_value_t = shared::defaults::YEAR, value_parser = clap::value_parser!(i32).range(1..=9999))]
        year: i32,
        /// How many years, from `--year` on (fewer when the dataset ends sooner).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..=100))]
        years: i32,
        /// Minute files per task.
        #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        files_per_task: u32,
        /// Merge the partial statistics by a tree of tasks on the workers (their inputs stay
        /// there) instead of here, after a flat map.
        #[arg(long)]
        tree: bool,
    },
}

/// The main of `client-05`. Like `exercise-05`, it runs the reference's answer in place of
/// an exercise not done yet (here, 5.2's gather), and says so.
pub fn client_main(answers: Answers) -> ExitCode {
    let (mut args, given) = shared::defaults::parse::<ClientArgs>();
    args.given = given;
    warn_if_debug("client-05");
    let answers = probe(answers, false);
    exit(run_client(answers, &args))
}

/// Connects to the scheduler, runs `args.workload`, prints the result.
pub fn run_client(answers: Answers, args: &ClientArgs) -> anyhow::Result<()> {
    let (secret, secret_file) = secret_of(args.secret_file.as_deref(), args.scheduler)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start tokio")?;
    runtime.block_on(async {
        let client = Client::connect(args.scheduler, &secret)
            .await
            .with_context(|| {
                format!(
                    "client of the scheduler at {} (secret from {})",
                    args.scheduler,
                    secret_file.display()
                )
            })?;
        let workers = client.workers().await?;
        anyhow::ensure!(
            !workers.is_empty(),
            "the scheduler at {} has no workers: start some with `cargo run --release -p \
             lesson-05-distributed --bin worker-05 -- --scheduler {}`",
            args.scheduler,
            args.scheduler
        );
        let names: Vec<String> = workers
            .iter()
            .map(|w| shared::report::printable(&w.name))
            .collect();
        eprintln!("client: {} workers: {}", workers.len(), names.join(", "));
        let start = Instant::now();
        match &args.workload {
            Workload::Empty { tasks } => {
                let done = map_gather::<Noop>(answers, &client, &vec![(); *tasks], None).await?;
                let took = start.elapsed();
                println!(
                    "{} empty tasks in {} ({:.2} µs per task)",
                    fmt_count(done.len() as u64),
                    fmt_duration(took),
                    took.as_secs_f64() * 1e6 / done.len().max(1) as f64
                );
            }
            Workload::Graph { numbers, leaves } => {
                let y = graphs::inc_add(&client).await?;
                println!("y = add(inc(1), 10) = {y}");
                let sum = graphs::tree_sum(&client, *numbers, *leaves).await?;
                let exact = (*numbers as i128) * (*numbers as i128 - 1) / 2;
                println!(
                    "the sum of 0..{} by a tree over {} leaves = {sum} ({}), {}",
                    fmt_count(*numbers as u64),
                    fmt_count(*leaves as u64),
                    if sum as i128 == exact {
                        "exact"
                    } else {
                        "WRONG"
                    },
                    fmt_duration(start.elapsed())
                );
                anyhow::ensure!(sum as i128 == exact, "the tree's sum should be {exact}");
            }
            Workload::Yearly {
                year,
                years,
                files_per_task,
                tree,
            } => {
                let dataset = super::utf8_dataset(Dataset::locate()?)?;
                let (mut year, mut years) = (*year, *years);
                let typed = Some((&mut years, args.given.has("years")));
                dataset.fit_years(&mut year, args.given.has("year"), typed);
                let files = year_files(&dataset, year, years)?;
                let groups = groups_of(&files, *files_per_task as usize);
                let total = if *tree {
                    graphs::yearly_tree(&client, &groups).await?
                } else {
                    let parts = map_gather::<YearlyStats>(answers, &client, &groups, None).await?;
                    let mut total = Yearly::new();
                    for part in parts {
                        merge_yearly(&mut total, part);
                    }
                    total
                };
                println!(
                    "yearly stats of {} files in {} tasks{}, {}: {}",
                    fmt_count(files.len() as u64),
                    groups.len(),
                    if *tree { " and a tree of merges" } else { "" },
                    fmt_duration(start.elapsed()),
                    summarise_yearly(&total)
                );
            }
        }
        Ok(())
    })
}
