//! What `exercise-03` and `solution-03` run: the lesson's questions on the full dataset,
//! each answer timed on one thread and on every core, with the limits (reading and parsing
//! the bytes) beside the whole-dataset job, two charts and the search's heatmap. Both
//! binaries run this same code, one with your answers and one with the reference's.
//!
//! One file per table: `symbol` (3.1, 3.2, 3.3, 3.5), `whole` (3.4, 3.6) and `search`
//! (3.7); this file holds the command line and what they share.

mod search;
mod symbol;
mod whole;

use search::print_search;
use symbol::{print_correlation, print_max_high, print_resample};
use whole::print_whole_dataset;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use shared::Dataset;
use shared::report::{Comparison, debug_build_warning};

use crate::answers::Answers;
use crate::frame::{OnFile, on_threads};

/// Lesson 3: the bag, dataframe questions, a parameter search.
#[derive(Debug, Clone, clap::Parser)]
pub struct Args {
    /// Timed runs of each variant; the tables show the median and the spread (min–max).
    #[arg(long, default_value_t = 3, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
    pub runs: usize,
    /// Threads of the parallel variants. Default: one per core.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub threads: Option<usize>,
    /// The symbol of the one-symbol questions (2016 asked about AIG; the dataset's first
    /// symbol when it has no AIG).
    #[arg(long, default_value = shared::defaults::SYMBOL)]
    pub symbol: String,
    /// The year of the max-high question (2016 asked about 2012; the dataset's first year
    /// when it does not cover 2012).
    #[arg(long, default_value_t = shared::defaults::YEAR, value_parser = clap::value_parser!(i32).range(1..=9999))]
    pub year: i32,
    /// Windows per axis of the search's grid (fast and slow, log-spaced): 2 to 256.
    #[arg(long, default_value_t = 16, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(2..=256))]
    pub grid: usize,
    /// Windows in the search's random sample (2016's `ParameterSampler`): 1 to 65,536.
    #[arg(long, default_value_t = 64, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=65_536))]
    pub samples: usize,
    /// Seed of the random sample.
    #[arg(long, default_value_t = 2016)]
    pub seed: u64,
    /// Folder for the charts and the stats file. Default: `output/03-datasets/` in the
    /// dataset folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Which options were typed: only defaults adapt to a dataset that lacks them.
    #[arg(skip)]
    pub given: shared::defaults::Given,
}

/// Parses the command line, runs the lesson with `answers`, and reports errors without a
/// backtrace.
pub fn main(answers: Answers) -> ExitCode {
    let (mut args, given) = shared::defaults::parse::<Args>();
    args.given = given;
    match run(answers, &args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

pub use crate::strategy::{FASTS, SLOWS};

/// What the program's parts share.
struct Setup<'a> {
    dataset: &'a Dataset,
    out: PathBuf,
    threads: usize,
    runs: usize,
}

/// Runs the lesson; returns whether every variant gave the expected answer.
pub fn run(answers: Answers, args: &Args) -> anyhow::Result<bool> {
    let command = format!(
        "cargo run --release -p lesson-03-datasets --bin {}",
        answers.binary()
    );
    if let Some(warning) = debug_build_warning(&command) {
        eprintln!("{warning}\n");
    }
    let dataset = Dataset::locate()?;
    let mut args = args.clone();
    dataset.fit_symbol(&mut args.symbol, args.given.has("symbol"));
    dataset.fit_years(&mut args.year, args.given.has("year"), None);
    let args = &args;
    if !dataset.symbols().contains(&args.symbol) {
        anyhow::bail!(
            "the dataset in {} has no symbol {:?}; it has {}. Pick one with --symbol",
            dataset.root().display(),
            args.symbol,
            dataset.symbols().join(", ")
        );
    }
    let out = match &args.out {
        Some(out) => out.clone(),
        None => dataset.root().join("output").join("03-datasets"),
    };
    shared::dataset::prepare_output(&out).map_err(anyhow::Error::msg)?;
    println!(
        "{}\n",
        shared::dataset::location_lines(dataset.root(), Some(&out))
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = args.threads.unwrap_or(cores).max(1);
    println!(
        "Lesson 3 ({}): {cores} cores, {threads} threads.\n",
        answers.name()
    );
    let cx = Setup {
        dataset: &dataset,
        out,
        threads,
        runs: args.runs,
    };

    let mut problems = Vec::new();
    problems.extend(print_correlation(answers, &cx)?);
    problems.extend(print_max_high(answers, &cx, &args.symbol, args.year)?);
    problems.extend(print_resample(answers, &cx, &args.symbol)?);
    problems.extend(print_whole_dataset(answers, &cx)?);
    problems.extend(print_search(answers, &cx, args)?);
    for problem in &problems {
        eprintln!("problem: {problem}");
    }
    Ok(problems.is_empty())
}

/// Runs `work` on `threads` threads; a pool that cannot start is an error worth stopping for.
fn on<R: Send>(threads: usize, work: impl FnOnce() -> R + Send) -> R {
    match on_threads(threads, work) {
        Ok(r) => r,
        Err(e) => panic!("cannot start a pool of {threads} threads: {e}"),
    }
}

/// The two rows every exercise's table has: the answer on one thread, then on all.
/// Returns the output of the second, or `None` if it panicked.
fn one_and_all<T>(
    comparison: &mut Comparison<T>,
    threads: usize,
    exercise: &str,
    run: impl Fn() -> T + Send + Sync,
) -> Option<T>
where
    T: Send,
{
    comparison.variant("1 thread (the same code)", exercise, || on(1, &run));
    comparison.variant(format!("{threads} threads"), exercise, || on(threads, &run))
}

/// Total size of `files` (0 for a file that cannot be read: the answer will say why).
fn bytes_of(files: &[PathBuf]) -> u64 {
    files
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum()
}

/// Dates as "2012-03-01, 2012-03-02", or "none".
fn dates(dates: &[NaiveDate]) -> String {
    match dates {
        [] => "none".into(),
        some => some
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Runs `run` with an `on_file` that moves a progress bar of `count` files, cleared at the
/// end (also when the answer panics).
fn with_progress<R>(count: usize, label: &str, run: impl FnOnce(&OnFile) -> R) -> R {
    let bar = shared::progress::ClearOnDrop(shared::progress::items(count as u64, label));
    run(&|_| bar.inc(1))
}
