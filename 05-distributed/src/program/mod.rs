//! What the binaries run. `exercise-05` and `solution-05` measure the lesson's cluster (with
//! `worker …` or `scheduler …` they are a worker or a scheduler instead); `scheduler-05`
//! and `worker-05` are the two halves of a deployment, for several machines.
//!
//! One file per role: `deploy` (the scheduler and worker binaries), `probe` (which
//! answers run), `processes` (a cluster of this binary's processes), and one per table:
//! `overhead`, `workloads`, `graphs`, `batches`, `lost`, `steal`.

mod batches;
mod client;
mod deploy;
pub mod graphs;
mod lost;
mod overhead;
mod probe;
mod processes;
mod steal;
mod workloads;

pub use deploy::{
    SchedulerArgs, WorkerArgs, run_scheduler, run_worker, scheduler_main, worker_main,
};
use std::path::PathBuf;
use std::process::ExitCode;

use shared::Dataset;
use shared::report::debug_build_warning;

use crate::answers::Answers;
use crate::scheduler::Config;
pub use client::{ClientArgs, Workload, client_main, run_client};
use deploy::exit;
pub use probe::probe;
use processes::{ProcessCluster, processes};

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
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Timed runs of each variant; the tables show the median and the spread (min–max).
    #[arg(long, default_value_t = 5, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
    pub runs: usize,
    /// Empty tasks per batch in the overhead table.
    #[arg(long, default_value_t = 20_000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000000))]
    pub tasks: usize,
    /// Worker processes of the larger cluster (the smaller has one): 1 to 64.
    #[arg(long, default_value_t = 2, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=64))]
    pub workers: usize,
    /// The first year of the per-symbol statistics (the dataset's first year when it does
    /// not cover 2012).
    #[arg(long, default_value_t = shared::defaults::YEAR, value_parser = clap::value_parser!(i32).range(1..=9999))]
    pub year: i32,
    /// How many years, from `--year` on (fewer when the dataset ends sooner).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..=100))]
    pub years: i32,
    /// Minute files per task of the per-symbol statistics.
    #[arg(long, default_value_t = 16, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub files_per_task: usize,
    /// The symbol of the parameter search (the dataset's first symbol when it has no AIG).
    #[arg(long, default_value = shared::defaults::SYMBOL)]
    pub symbol: String,
    /// Window lengths per axis of the parameter search's grid.
    #[arg(long, default_value_t = 12, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(2..=256))]
    pub grid: usize,
    /// Tasks of the lost-worker run (each sleeps 1 ms).
    #[arg(long, default_value_t = 1000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(10..=1000000))]
    pub lost_tasks: usize,
    /// Tasks in flight per worker thread (the scheduler's `--depth`).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=crate::protocol::MAX_DEPTH as i64))]
    pub depth: u32,
    /// Folder for the chart. Default: `output/05-distributed/` in the dataset folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Which options were typed: only defaults adapt to a dataset that lacks them.
    #[arg(skip)]
    pub given: shared::defaults::Given,
}

/// The main of `exercise-05` and `solution-05`.
pub fn main(answers: Answers) -> ExitCode {
    let (mut args, given) = shared::defaults::parse::<Args>();
    args.run.given = given;
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
    let (dataset, out) = dataset_and_out(args)?;
    let mut args = args.clone();
    if let Some(dataset) = &dataset {
        dataset.fit_symbol(&mut args.symbol, args.given.has("symbol"));
        let years = Some((&mut args.years, args.given.has("years")));
        dataset.fit_years(&mut args.year, args.given.has("year"), years);
    }
    let args = &args;
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
    let mut problems = overhead::empty_tasks(answers, args, [&one, &many], config)?;
    // The dataset the yearly tables can read: none when one of their files is damaged.
    let mut readable = dataset.as_ref();
    if let Some(dataset) = &dataset {
        match workloads::check_year_files(dataset, args)? {
            None => problems.extend(workloads::yearly(answers, args, dataset, [&one, &many])?),
            Some(problem) => {
                problems.push(problem);
                readable = None;
            }
        }
        problems.extend(workloads::search(answers, args, dataset, [&one, &many])?);
    }
    problems.extend(graphs::graphs(answers, args, readable, &many)?);
    let clusters = [(&one, processes(1)), (&many, processes(workers))];
    batches::batch_sizes(answers, args, &clusters, &out)?;
    drop((one, many));
    problems.extend(lost::lost_worker(answers, args, workers.max(2), config)?);
    problems.extend(steal::stealing(answers, args)?);

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

/// `dataset`, if its folder's name is UTF-8: tasks name their files as text (postcard
/// strings), so a path that is not cannot be sent, and the error says how to give one.
pub(super) fn utf8_dataset(dataset: Dataset) -> anyhow::Result<Dataset> {
    utf8_folder(dataset.root())?;
    Ok(dataset)
}

/// `folder` as text, or an error: see [`utf8_dataset`].
pub(super) fn utf8_folder(folder: &std::path::Path) -> anyhow::Result<&str> {
    folder.to_str().ok_or_else(|| {
        anyhow::anyhow!(
            "the dataset's folder {} has a name that is not UTF-8, and lesson 5's tasks name \
             their files as text. Link it from a plain name: `ln -s {} /tmp/parallel-rust-data`, \
             then PARALLEL_RUST_DATA=/tmp/parallel-rust-data (and --data \
             /tmp/parallel-rust-data for worker-05)",
            folder.display(),
            bash_quoted(folder)
        )
    })
}

/// `path` as bash reads it back byte for byte, even when it is not UTF-8: `$'…'`, with
/// `\xNN` for every byte that is not plain printable ASCII.
#[cfg(unix)]
fn bash_quoted(path: &std::path::Path) -> String {
    use std::os::unix::ffi::OsStrExt as _;
    let bytes = path.as_os_str().as_bytes();
    let quoted: String = (bytes.iter())
        .map(|&b| match b {
            b'\'' | b'\\' => format!("\\{}", b as char),
            0x20..=0x7e => (b as char).to_string(),
            _ => format!("\\x{b:02x}"),
        })
        .collect();
    format!("$'{quoted}'")
}

#[cfg(not(unix))]
fn bash_quoted(path: &std::path::Path) -> String {
    format!("'{}'", path.display())
}

/// The dataset, if there is one (the empty tasks, the batch sizes and the lost worker need
/// no data: they run, and a workshop can show them, before the dataset is made), and the
/// output folder, created; prints where the program reads and writes.
fn dataset_and_out(args: &RunArgs) -> anyhow::Result<(Option<Dataset>, PathBuf)> {
    let dataset = match Dataset::locate()
        .map_err(anyhow::Error::from)
        .and_then(utf8_dataset)
    {
        Ok(dataset) => Some(dataset),
        Err(err) => {
            eprintln!(
                "note: {err}\nThe tables of lesson 3's workloads need the dataset; the others \
                 run without it.\n"
            );
            None
        }
    };
    let reads = dataset
        .as_ref()
        .map_or_else(shared::dataset::default_folder, |d| d.root().to_path_buf());
    let out = match &args.out {
        Some(out) => out.clone(),
        None => reads.join("output").join("05-distributed"),
    };
    shared::dataset::prepare_output(&out).map_err(anyhow::Error::msg)?;
    println!("{}\n", shared::dataset::location_lines(&reads, Some(&out)));
    Ok((dataset, out))
}
