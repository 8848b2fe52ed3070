//! What the binaries run. `exercise-05` and `solution-05` measure the lesson's cluster (with
//! `worker …` or `scheduler …` they are a worker or a scheduler instead); `scheduler-05`
//! and `worker-05` are the two halves of a deployment, for several machines.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser as _;
use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use lesson_03_datasets::frame::files_of_year;
use lesson_03_datasets::strategy::{closes_by_year, grid, log_spaced};
use shared::Dataset;
use shared::chart::{LineChart, Series};
use shared::progress::{ClearOnDrop, ProgressBar};
use shared::report::{
    Comparison, Table, Variant, catch_quietly, debug_build_warning, fmt_count, time_runs,
};

use crate::answers::Answers;
use crate::client::{Client, ClientError, promise};
use crate::cluster::{LocalCluster, WorkerProcesses};
use crate::dashboard::{self, DEFAULT_DASHBOARD};
use crate::protocol::{ClientId, DEFAULT_LISTEN, Job, NewTask, TaskId, WorkerId};
use crate::scheduler::{self, Config, State};
use crate::tasks::{
    Context, Noop, ScoreArgs, ScoreWindows, Sleep, Task, Yearly, YearlyStats, merge_yearly,
    score_windows, yearly_stats,
};
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
    /// Serve a live dashboard (workers, task stream, batches) on ADDR; without an address,
    /// on 127.0.0.1:8787, dask's port. Off unless asked for.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = DEFAULT_DASHBOARD)]
    pub dashboard: Option<SocketAddr>,
    /// The most unfinished tasks the scheduler holds, from all clients together.
    #[arg(long, default_value_t = 1_000_000)]
    pub max_tasks: usize,
}

impl SchedulerArgs {
    pub fn config(&self) -> Config {
        Config {
            heartbeat: Duration::from_millis(self.heartbeat_ms),
            timeout: Duration::from_millis(self.timeout_ms),
            depth: self.depth,
            max_tasks: self.max_tasks,
            log: true,
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
            .with_context(|| {
                format!(
                    "cannot listen on {}: is another scheduler running there? Pick another \
                     port with `--listen 127.0.0.1:PORT`",
                    args.listen
                )
            })?;
        let handle = match args.dashboard {
            None => scheduler::serve(answers, listener, args.config())?,
            Some(addr) => {
                let (feed, runs) = dashboard::feed();
                let dropped = std::sync::Arc::clone(&feed.dropped);
                let handle = scheduler::serve_with(answers, listener, args.config(), Some(feed))?;
                let page = tokio::net::TcpListener::bind(addr).await.with_context(|| {
                    format!(
                        "cannot serve the dashboard on {addr}: is another one there? Pick \
                         another port with `--dashboard 127.0.0.1:PORT`"
                    )
                })?;
                let addr = dashboard::serve(page, handle.clone(), runs, dropped)?;
                eprintln!("dashboard on http://{addr}/");
                handle
            }
        };
        eprintln!(
            "scheduler ({}) listening on {}; start workers with `cargo run --release -p \
             lesson-05-distributed --bin worker-05 -- --scheduler {}`",
            answers.name(),
            handle.addr(),
            handle.addr()
        );
        std::future::pending::<()>().await;
        Ok(())
    })
}

/// Runs a worker until its scheduler goes away.
pub fn run_worker(answers: Answers, args: &WorkerArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start tokio")?;
    let mut config = WorkerConfig::new(args.threads);
    if let Some(name) = &args.name {
        config.name = name.clone();
    }
    runtime
        .block_on(worker::run(answers, args.scheduler, config))
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
fn warn_if_debug(binary: &str) {
    let command = format!("cargo run --release -p lesson-05-distributed --bin {binary}");
    if let Some(warning) = debug_build_warning(&command) {
        eprintln!("{warning}");
    }
}

/// `exercise-05` / `solution-05`: the lesson's measurements, or one of the cluster's
/// processes.
#[derive(Debug, clap::Parser)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub role: Option<Role>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// Run as one process of a cluster instead of measuring one.
#[derive(Debug, clap::Subcommand)]
pub enum Role {
    /// A worker (what the program starts as its worker processes).
    Worker(WorkerArgs),
    /// A scheduler.
    Scheduler(SchedulerArgs),
}

/// What the measurements run.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Timed runs of each variant; the tables show the median and the spread (min–max).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Empty tasks per batch in the overhead table.
    #[arg(long, default_value_t = 20_000)]
    pub tasks: usize,
    /// Worker processes of the larger cluster (the smaller has one).
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// The first year of the per-symbol statistics.
    #[arg(long, default_value_t = 2012)]
    pub year: i32,
    /// How many years, from `--year` on.
    #[arg(long, default_value_t = 3)]
    pub years: i32,
    /// Minute files per task of the per-symbol statistics.
    #[arg(long, default_value_t = 16)]
    pub files_per_task: usize,
    /// The symbol of the parameter search.
    #[arg(long, default_value = "AIG")]
    pub symbol: String,
    /// Window lengths per axis of the parameter search's grid.
    #[arg(long, default_value_t = 12)]
    pub grid: usize,
    /// Tasks of the lost-worker run (each sleeps 1 ms).
    #[arg(long, default_value_t = 1000)]
    pub lost_tasks: usize,
    /// Tasks in flight per worker thread (the scheduler's `--depth`).
    #[arg(long, default_value_t = 64)]
    pub depth: u32,
    /// Folder for the chart. Default: `output/05-distributed/` in the dataset folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// The main of `exercise-05` and `solution-05`.
pub fn main(answers: Answers) -> ExitCode {
    let args = Args::parse();
    match &args.role {
        Some(Role::Worker(worker)) => {
            let quiet = true; // a worker's stderr is the program's: say it once, in the parent
            let answers = probe(answers, quiet);
            exit(run_worker(answers, worker))
        }
        Some(Role::Scheduler(scheduler)) => {
            let answers = probe(answers, false);
            exit(run_scheduler(answers, scheduler))
        }
        None => {
            let answers = probe(answers, false);
            match run(answers, &args.run) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(err) => {
                    eprintln!("error: {err:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// An exercise's id and a call of its answer on a tiny input.
type Probe<'a> = (&'static str, Box<dyn FnOnce() + 'a>);

/// Calls each of `answers` once on a tiny input and returns them with the reference's in
/// place of each that panics (not done yet), so that the program runs, and says so on stderr
/// unless `quiet`, before all three are written.
pub fn probe(answers: Answers, quiet: bool) -> Answers {
    let id = TaskId {
        client: ClientId(1),
        n: 0,
    };
    let checks: [Probe; 3] = [
        (
            "5.1",
            Box::new(|| {
                let (tx, rx) = crossbeam_channel::bounded(1);
                let job = Job {
                    id,
                    name: Noop::NAME.into(),
                    args: Vec::new(),
                };
                tx.send(job).expect("room for one");
                drop(tx);
                answers.execute(&rx, &Context::new("probe"), &mut |_| true);
            }),
        ),
        (
            "5.2",
            Box::new(|| {
                let (done, future) = promise::<()>(id, Noop::NAME);
                done.resolve(&());
                let _ = futures::executor::block_on(
                    answers.gather(vec![future], &ProgressBar::hidden()),
                );
            }),
        ),
        (
            "5.3",
            Box::new(|| {
                let mut state = State::new(1);
                state.worker_joined(WorkerId(1), "probe".into(), 1);
                let task = NewTask {
                    id,
                    name: Noop::NAME.into(),
                    args: Vec::new(),
                    needs: None,
                    pin: None,
                };
                state.submit(id.client, vec![task]);
                state.assign();
                answers.worker_lost(&mut state, WorkerId(1));
            }),
        ),
    ];
    let mut picked = answers;
    for (m, (exercise, check)) in (1..).zip(checks) {
        if let Err(message) = catch_quietly(check) {
            picked = picked.with_reference(m);
            if !quiet {
                eprintln!("{}", shared::report::reference_note(exercise, &message));
            }
        }
    }
    picked
}

/// A scheduler in this process and `n` worker processes of this binary, all with the same
/// answers (a worker process probes them as its parent did). The workers are killed when it
/// is dropped.
struct ProcessCluster {
    cluster: LocalCluster,
    processes: WorkerProcesses,
    client: Client,
}

impl ProcessCluster {
    fn start(answers: Answers, n: usize, config: Config) -> anyhow::Result<ProcessCluster> {
        Self::start_with(answers, n, config, false)
    }

    /// [`ProcessCluster::start`]; with `dashboard`, the scheduler also serves its dashboard
    /// (on 127.0.0.1, a free port) and one reader follows its updates, as an open page does.
    fn start_with(
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
        let processes = WorkerProcesses::start(&program, cluster.addr(), n)?;
        cluster
            .wait_for_workers(n)
            .map_err(|err| anyhow::anyhow!("{err}: see the workers' errors above"))?;
        let client = cluster.client()?;
        Ok(ProcessCluster {
            cluster,
            processes,
            client,
        })
    }

    /// Runs `batch` on this cluster's runtime with its client.
    fn run<'a, F: Future + 'a>(&'a self, batch: impl FnOnce(&'a Client) -> F) -> F::Output {
        self.cluster.block_on(batch(&self.client))
    }
}

/// Submits task `T` once per item of `args` and gathers the outputs with `answers`'
/// exercise 5.2, with a progress bar.
async fn map_gather<T: Task>(
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

/// Runs the lesson with `answers` (after [`probe`] in the binaries); returns whether every
/// variant gave the expected answer. Worker processes run the same answers: they are this
/// binary, and probe as it did.
pub fn run(answers: Answers, args: &RunArgs) -> anyhow::Result<bool> {
    let command = format!(
        "cargo run --release -p lesson-05-distributed --bin {}",
        answers.binary()
    );
    if let Some(warning) = debug_build_warning(&command) {
        eprintln!("{warning}\n");
    }
    // The empty tasks, the batch sizes and the lost worker need no data: they run (and a
    // workshop can show them) before the dataset is made.
    let dataset = match Dataset::locate() {
        Ok(dataset) => Some(dataset),
        Err(err) => {
            eprintln!(
                "note: {err}\nThe tables of lesson 3's workloads need the dataset; the others \
                 run without it.\n"
            );
            None
        }
    };
    let out = match &args.out {
        Some(out) => out.clone(),
        None => dataset
            .as_ref()
            .map_or_else(shared::dataset::default_folder, |d| d.root().to_path_buf())
            .join("output")
            .join("05-distributed"),
    };
    std::fs::create_dir_all(&out)
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let reads = dataset
        .as_ref()
        .map_or_else(shared::dataset::default_folder, |d| d.root().to_path_buf());
    println!("{}\n", shared::dataset::location_lines(&reads, Some(&out)));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "Lesson 5 with the {} answers: a scheduler in this process, worker processes of \
         this binary on 127.0.0.1, {cores} cores.\n",
        answers.name()
    );
    let workers = args.workers.max(1);
    let config = Config {
        depth: args.depth,
        ..Config::default()
    };
    let one = ProcessCluster::start(answers, 1, config)?;
    let many = ProcessCluster::start(answers, workers, config)?;
    let watched = ProcessCluster::start_with(answers, workers, config, true)?;
    let watched_name = format!("{workers} worker processes, dashboard open");
    let mut problems = Vec::new();

    // 1. Empty tasks: what the scheduler costs per task.
    let noops = vec![(); args.tasks];
    let mut overhead = Comparison::new(
        format!(
            "Empty tasks: {} per batch, submitted with map and gathered",
            fmt_count(args.tasks as u64)
        ),
        args.runs,
    )
    .with_items(args.tasks as u64, "tasks/s")
    .check_output(|outputs: &Result<Vec<()>, ClientError>| match outputs {
        Ok(outputs) => format!("{} results", fmt_count(outputs.len() as u64)),
        Err(err) => err.to_string(),
    });
    let in_process = LocalCluster::start(answers, workers, config)?;
    let in_process_client = in_process.client()?;
    let variants: Vec<Variant<Result<Vec<()>, ClientError>>> = vec![
        (
            "1 worker process".into(),
            "5.1 + 5.2".into(),
            Box::new(|| one.run(|c| map_gather::<Noop>(answers, c, &noops, None))),
        ),
        (
            format!("{workers} worker processes"),
            "5.1 + 5.2".into(),
            Box::new(|| many.run(|c| map_gather::<Noop>(answers, c, &noops, None))),
        ),
        (
            watched_name.clone(),
            "5.1 + 5.2".into(),
            Box::new(|| watched.run(|c| map_gather::<Noop>(answers, c, &noops, None))),
        ),
        (
            format!("{workers} workers in this process (tokio tasks + threads)"),
            "5.1 + 5.2".into(),
            Box::new(|| {
                in_process.block_on(map_gather::<Noop>(
                    answers,
                    &in_process_client,
                    &noops,
                    None,
                ))
            }),
        ),
    ];
    overhead.interleaved(variants);
    for name in [
        "1 worker process".to_string(),
        format!("{workers} worker processes"),
    ] {
        if let Some(median) = overhead.median(&name) {
            let micros = median.as_secs_f64() * 1e6 / args.tasks as f64;
            overhead.note(format!("{name}: {micros:.2} µs per task (median)."));
        }
    }
    if let (Some(open), Some(closed)) = (
        overhead.median(&watched_name),
        overhead.median(&format!("{workers} worker processes")),
    ) {
        overhead.note(format!(
            "With the dashboard open, the rate is {:.1}% of the rate without (medians): the \
             scheduler feeds it through a bounded channel and never waits for it.",
            100.0 * closed.as_secs_f64() / open.as_secs_f64()
        ));
    }
    overhead.note(
        "dask.distributed on the same machine (2 worker processes, 1 thread each, 10,000 \
         no-op tasks, map + gather): see the book's section 5.4 and \
         scripts/compare/05-distributed.py.",
    );
    println!("{}", overhead.finish());
    problems.extend_from_slice(overhead.problems());
    drop((in_process_client, in_process, watched));

    if let Some(dataset) = &dataset {
        // 2. Lesson 3's per-symbol, per-year statistics: one task per group of files.
        let all = dataset.all_minute_files();
        let files: Vec<PathBuf> = (args.year..args.year + args.years)
            .flat_map(|year| files_of_year(&all, year))
            .collect();
        anyhow::ensure!(
            !files.is_empty(),
            "the dataset in {} has no minute files for {}–{}; pick years it covers with --year",
            dataset.root().display(),
            args.year,
            args.year + args.years - 1
        );
        let groups: Vec<Vec<PathBuf>> = files
            .chunks(args.files_per_task.max(1))
            .map(<[PathBuf]>::to_vec)
            .collect();
        let bytes: u64 = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        let summarise = |stats: &Result<Yearly, String>| match stats {
            Ok(stats) => {
                let bars: u64 = stats.values().map(|s| s.count).sum();
                let sum: f64 = stats.values().map(|s| s.sum).sum();
                format!(
                    "{} symbol-years, {} bars, Σclose {sum:.6e}",
                    stats.len(),
                    fmt_count(bars)
                )
            }
            Err(err) => err.clone(),
        };
        let mut yearly = Comparison::new(
            format!(
                "Lesson 3's per-symbol yearly statistics, {}–{}: {} files in {} tasks",
                args.year,
                args.year + args.years - 1,
                fmt_count(files.len() as u64),
                groups.len()
            ),
            args.runs,
        )
        .with_bytes(bytes)
        .check_output(summarise);
        let on_cluster = |cluster: &ProcessCluster| {
            let parts = cluster
                .run(|c| map_gather::<YearlyStats>(answers, c, &groups, None))
                .map_err(|err| err.to_string())?;
            let mut total = Yearly::new();
            for part in parts {
                merge_yearly(&mut total, part);
            }
            Ok(total)
        };
        let variants = here_and_on(
            Box::new(|| yearly_stats(&files)),
            &on_cluster,
            [&one, &many],
        );
        yearly.interleaved(variants);
        println!("{}", yearly.finish());
        problems.extend_from_slice(yearly.problems());

        // 3. Lesson 3's parameter search: the closes scattered once, one small task per window.
        let symbol_files = dataset.minute_files(&args.symbol);
        anyhow::ensure!(
            !symbol_files.is_empty(),
            "the dataset in {} has no symbol {:?}; it has {}. Pick one with --symbol",
            dataset.root().display(),
            args.symbol,
            dataset.symbols().join(", ")
        );
        let years: Vec<Vec<f64>> = closes_by_year(&symbol_files)?
            .into_iter()
            .map(|(_, closes)| closes)
            .collect();
        let windows: Vec<(usize, usize)> = grid(
            &log_spaced(2, 240, args.grid),
            &log_spaced(10, 2400, args.grid),
        )
        .into_iter()
        .map(|w| (w.fast, w.slow))
        .collect();
        let key = format!("closes-{}", args.symbol);
        for cluster in [&one, &many] {
            cluster.run(|c| c.scatter(&key, &years))?;
        }
        let task_args: Vec<ScoreArgs> = windows
            .iter()
            .map(|&window| ScoreArgs {
                closes: key.clone(),
                windows: vec![window],
            })
            .collect();
        let mut search = Comparison::new(
            format!(
                "Lesson 3's parameter search on {}: {} window pairs × {} years, one task per pair",
                args.symbol,
                windows.len(),
                years.len()
            ),
            args.runs,
        )
        .with_items(windows.len() as u64, "tasks/s")
        .check_output(|scores: &Result<Vec<Vec<f64>>, String>| match scores {
            Ok(scores) => {
                let best = scores
                    .iter()
                    .map(|s| s.iter().sum::<f64>() / s.len().max(1) as f64)
                    .fold(f64::NEG_INFINITY, f64::max);
                format!("{} pairs, best mean score {best:.4}", scores.len())
            }
            Err(err) => err.clone(),
        });
        let on_cluster = |cluster: &ProcessCluster| {
            cluster
                .run(|c| map_gather::<ScoreWindows>(answers, c, &task_args, Some(&key)))
                .map(|per_task| per_task.into_iter().flatten().collect())
                .map_err(|err| err.to_string())
        };
        let here = Box::new(|| Ok(score_windows(&years, &windows)));
        let variants = here_and_on(here, &on_cluster, [&one, &many]);
        search.interleaved(variants);
        println!("{}", search.finish());
        problems.extend_from_slice(search.problems());
    }

    // 4. The cost of a task against the size of its batch.
    batch_sizes(
        answers,
        args,
        &[
            (&one, "1 worker process"),
            (&many, &format!("{workers} worker processes")),
        ],
        &out,
    )?;
    drop((one, many));

    // 5. A worker process killed mid-batch.
    problems.extend(lost_worker(answers, args, workers.max(2), config)?);

    if problems.is_empty() {
        Ok(true)
    } else {
        eprintln!("Problems:");
        for problem in &problems {
            eprintln!("  - {problem}");
        }
        Ok(false)
    }
}

/// The variants of a real workload: done `here`, in this process, then by `on` each of
/// `clusters` (the row names say how many worker processes).
fn here_and_on<'a, T>(
    here: Box<dyn FnMut() -> T + 'a>,
    on: &'a dyn Fn(&ProcessCluster) -> T,
    clusters: [&'a ProcessCluster; 2],
) -> Vec<Variant<'a, T>> {
    let mut variants: Vec<Variant<'a, T>> =
        vec![("this process, sequential".into(), "given".into(), here)];
    for cluster in clusters {
        let n = cluster.processes.pids().len();
        let name = format!("{n} worker process{}", if n == 1 { "" } else { "es" });
        variants.push((name, "5.1 + 5.2".into(), Box::new(move || on(cluster))));
    }
    variants
}

/// Times batches of 1 to 10,000 empty tasks on each cluster, prints µs per task and draws
/// them: a batch pays one round trip however many tasks it holds.
fn batch_sizes(
    answers: Answers,
    args: &RunArgs,
    clusters: &[(&ProcessCluster, &str)],
    out: &std::path::Path,
) -> anyhow::Result<()> {
    const SIZES: [usize; 5] = [1, 10, 100, 1_000, 10_000];
    let mut table = Table::new(
        std::iter::once("tasks per batch".to_string()).chain(
            clusters
                .iter()
                .map(|(_, name)| format!("{name}: µs per task")),
        ),
    )
    .with_title(format!(
        "µs per empty task against the batch size (map + gather; median of {} runs)",
        args.runs
    ));
    let mut series: Vec<Series> = clusters
        .iter()
        .map(|(_, name)| Series {
            name: name.to_string(),
            points: Vec::new(),
        })
        .collect();
    let mut timings = Vec::new();
    for size in SIZES {
        // Small batches run many times over, so that each measurement lasts milliseconds.
        let repeat = (2_000 / size).max(1);
        let noops = &vec![(); size];
        let mut row = vec![fmt_count(size as u64)];
        for ((cluster, _), line) in clusters.iter().zip(&mut series) {
            let (timing, outcome) = time_runs(args.runs, || {
                cluster.run(|client| async move {
                    for _ in 0..repeat {
                        let futures = client.map::<Noop>(noops).await;
                        answers.gather(futures, &ProgressBar::hidden()).await?;
                    }
                    Ok::<(), ClientError>(())
                })
            });
            outcome?;
            let per_task = |d: Duration| d.as_secs_f64() * 1e6 / (size * repeat) as f64;
            let micros = per_task(timing.median());
            let (min, max) = timing.spread();
            row.push(match timing.runs.len() {
                1 => format!("{micros:.1}"),
                _ => format!("{micros:.1} ({:.1}–{:.1})", per_task(min), per_task(max)),
            });
            line.points.push(((size as f64).log10(), micros.log10()));
            timings.push((format!("{} tasks, {}", size, line.name), timing));
        }
        table.row(row);
    }
    if args.runs > 1 {
        table.note("In brackets: the fastest and the slowest run, in µs per task.");
    }
    let doubts = shared::report::spread_doubts(
        shared::machine::busy(),
        timings.iter().map(|(name, timing)| (name.as_str(), timing)),
    );
    if let Some(warning) = shared::report::untrusted_warning(&doubts) {
        table.note(warning);
    }
    println!("{table}");
    let chart = out.join("batch-size.png");
    // The axes are log10 of the values; their ticks show the values.
    let power_of_ten = |x: f64| {
        let value = 10f64.powf(x);
        if value >= 10.0 {
            format!("{value:.0}")
        } else {
            format!("{value:.1}")
        }
    };
    shared::chart::line_chart(
        &chart,
        &LineChart {
            title: "Cost of an empty task against the size of its batch (log-log)",
            x_label: "tasks per batch (log scale)",
            y_label: "µs per task (log scale)",
            series: &series,
            x_ticks: Some(&power_of_ten),
            y_ticks: Some(&power_of_ten),
        },
    )?;
    println!("Chart: {}\n", chart.display());
    Ok(())
}

/// Kills one of `workers` worker processes (SIGKILL) after a tenth of a batch of sleeping
/// tasks has come back, and checks that every result still comes, once.
fn lost_worker(
    answers: Answers,
    args: &RunArgs,
    workers: usize,
    config: Config,
) -> anyhow::Result<Vec<String>> {
    let mut cluster = ProcessCluster::start(answers, workers, config)?;
    let tasks = args.lost_tasks.max(10);
    let kill_at = tasks / 10;
    let sleeps = vec![1000_u64; tasks];
    let start = Instant::now();
    let pid = cluster.processes.pids()[0];
    let (mut ids, mut failed, mut killed_after) = (Vec::new(), Vec::new(), None);
    {
        let cluster = &mut cluster;
        let client = &cluster.client;
        let futures = cluster.cluster.block_on(client.map::<Sleep>(&sleeps));
        let mut arriving: FuturesUnordered<_> = futures
            .into_iter()
            .map(|future| async move { (future.id().n, future.await) })
            .collect();
        let bar = ClearOnDrop(shared::progress::items(tasks as u64, "tasks"));
        while let Some((n, outcome)) = cluster.cluster.block_on(arriving.next()) {
            bar.inc(1);
            ids.push(n);
            if let Err(err) = outcome {
                failed.push(err.to_string());
            }
            if ids.len() == kill_at {
                cluster.processes.kill(0)?;
                killed_after = Some(start.elapsed());
            }
        }
    }
    let elapsed = start.elapsed();
    let counters = cluster
        .cluster
        .snapshot()
        .map(|s| s.counters)
        .unwrap_or_default();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    let mut table = Table::new(["", "value"]).with_title(format!(
        "A worker killed mid-batch: {tasks} tasks of 1 ms on {workers} worker processes, \
         worker {pid} killed (SIGKILL) after {kill_at} results"
    ));
    table
        .row(["results", &format!("{} of {tasks}", ids.len())])
        .row(["distinct tasks among them", &unique.len().to_string()])
        .row(["failed", &failed.len().to_string()])
        .row(["tasks re-run elsewhere", &counters.rerun.to_string()])
        .row(["workers lost", &counters.workers_lost.to_string()])
        .row([
            "killed at / batch took",
            &format!(
                "{} / {}",
                shared::report::fmt_duration(killed_after.unwrap_or_default()),
                shared::report::fmt_duration(elapsed)
            ),
        ]);
    println!("{table}");
    let mut problems = Vec::new();
    if ids.len() != tasks || unique.len() != tasks || !failed.is_empty() {
        problems.push(format!(
            "lost worker: {} results for {tasks} tasks ({} distinct, {} failed{})",
            ids.len(),
            unique.len(),
            failed.len(),
            failed.first().map(|f| format!(": {f}")).unwrap_or_default()
        ));
    }
    Ok(problems)
}
