//! What `exercise-04` and `solution-04` run: one year of minute bars aggregated by 1 to 8
//! threads in each of the lesson's ways, false sharing measured, the pipeline bounded and
//! unbounded with its memory, the process pool against threads for tiny and large tasks and
//! with a worker that crashes, and the scaling chart with Amdahl's law fitted. Both binaries
//! run this same code, one with your answers and one with the reference's. With `--worker`,
//! the binary is a worker of the process pool instead, reading jobs on stdin.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context as _;
use shared::Dataset;
use shared::chart::{LineChart, Series};
use shared::report::{
    Comparison, Table, Variant, debug_build_warning, fmt_bytes, fmt_count, fmt_duration, fmt_rate,
    time_runs,
};

use crate::aggregate::{
    Extremes, Record, SymbolStats, atomic_extremes, extremes_of, load_records, sequential,
    shared_mutex, summary,
};
use crate::answers::Answers;
use crate::pipeline::{parse_chunk, peak_rise, read_chunk};
use crate::pool::{ABORT_ONCE_ENV, Output, Task, WorkerCommand, run_threads, serve};
use crate::sharing::{count_packed, count_padded};

mod aggregation;
mod pipeline;
mod pool;

pub use aggregation::amdahl_fit;
use aggregation::{print_aggregation, print_atomics, print_false_sharing};
use pipeline::print_pipeline;
use pool::print_pool;

/// Lesson 4: contention, communication, a process pool.
#[derive(Debug, Clone, clap::Parser)]
pub struct Args {
    /// Timed runs of each variant; the tables show the median and the spread (min–max).
    #[arg(long, default_value_t = 3, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
    pub runs: usize,
    /// The first year whose minute bars are aggregated (the dataset's first year when it
    /// does not cover 2012).
    #[arg(long, default_value_t = shared::defaults::YEAR, value_parser = clap::value_parser!(i32).range(1..=9999))]
    pub year: i32,
    /// How many years, from `--year` on: three make each timed run long enough (tens of
    /// milliseconds) to stand out of a shared machine's noise (fewer when the dataset ends
    /// sooner).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..=100))]
    pub years: i32,
    /// The most threads of the scaling runs (1, 2, 4, … up to this; 1 to 1024).
    #[arg(long, default_value_t = 8, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub max_threads: usize,
    /// Messages each channel of the pipeline holds.
    #[arg(long, default_value_t = 16, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000000))]
    pub bound: usize,
    /// Parser threads of the pipeline. Default: one per core (the reader and the aggregator
    /// mostly wait). 1 to 1024.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub parsers: Option<usize>,
    /// Worker processes of the pool (1 to 1024). Default: one per core.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub workers: Option<usize>,
    /// Tiny tasks of the pool comparison.
    #[arg(long, default_value_t = 20_000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10000000))]
    pub tiny_tasks: usize,
    /// Large tasks of the pool comparison.
    #[arg(long, default_value_t = 64, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100000))]
    pub large_tasks: usize,
    /// Folder for the chart. Default: `output/04-threads-processes/` in the dataset folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Run as a worker of the process pool: read jobs on stdin, answer on stdout. The pool
    /// starts workers this way; there is no need to run it by hand.
    #[arg(long, hide = true)]
    pub worker: bool,
    /// Which options were typed: only defaults adapt to a dataset that lacks them.
    #[arg(skip)]
    pub given: shared::defaults::Given,
}

/// Parses the command line, runs the lesson with `answers` (or serves as a worker), and
/// reports errors without a backtrace.
pub fn main(answers: Answers) -> ExitCode {
    let (mut args, given) = shared::defaults::parse::<Args>();
    args.given = given;
    if args.worker {
        return match serve(&mut std::io::stdin().lock(), &mut std::io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("worker {}: {err}", std::process::id());
                ExitCode::FAILURE
            }
        };
    }
    match run(answers, &args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// What the program's parts share.
struct Setup {
    out: PathBuf,
    cores: usize,
    runs: usize,
    /// 1, 2, 4, … up to `--max-threads`, and the core count.
    thread_counts: Vec<usize>,
}

/// Runs the lesson; returns whether every variant gave the expected answer.
pub fn run(answers: Answers, args: &Args) -> anyhow::Result<bool> {
    let command = format!(
        "cargo run --release -p lesson-04-threads-processes --bin {}",
        answers.binary()
    );
    if let Some(warning) = debug_build_warning(&command) {
        eprintln!("{warning}\n");
    }
    let dataset = Dataset::locate()?;
    let mut args = args.clone();
    let years = Some((&mut args.years, args.given.has("years")));
    dataset.fit_years(&mut args.year, args.given.has("year"), years);
    let args = &args;
    let out = match &args.out {
        Some(out) => out.clone(),
        None => dataset.root().join("output").join("04-threads-processes"),
    };
    shared::dataset::prepare_output(&out).map_err(anyhow::Error::msg)?;
    println!(
        "{}\n",
        shared::dataset::location_lines(dataset.root(), Some(&out))
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut thread_counts: Vec<usize> = std::iter::successors(Some(1usize), |t| t.checked_mul(2))
        .take_while(|&t| t <= args.max_threads.max(1))
        .chain([cores])
        .collect();
    thread_counts.sort_unstable();
    thread_counts.dedup();
    println!("Lesson 4 ({}): {cores} cores.\n", answers.name());
    let cx = Setup {
        out,
        cores,
        runs: args.runs,
        thread_counts,
    };

    let years = args.year..args.year.saturating_add(args.years.max(1));
    let (files, symbols) = files_of_years(&dataset, years.clone())?;
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let (timing, records) = time_runs(1, || load_records(&files, |i| symbols[i]));
    let records = records.context("cannot load the year's bars; every other part needs them")?;
    println!(
        "{} bars of {} from {} files ({}), read and parsed in {}.\n",
        fmt_count(records.len() as u64),
        fmt_years(&years),
        fmt_count(files.len() as u64),
        fmt_bytes(bytes),
        fmt_duration(timing.median())
    );

    let mut problems = Vec::new();
    problems.extend(print_aggregation(
        answers,
        &cx,
        &records,
        &fmt_years(&years),
    )?);
    problems.extend(print_atomics(
        answers,
        &cx,
        &records,
        dataset.symbols().len(),
    ));
    print_false_sharing(&cx);
    problems.extend(print_pipeline(
        answers, &cx, args, &files, &symbols, bytes, &records,
    ));
    problems.extend(print_pool(answers, &cx, args)?);
    for problem in &problems {
        eprintln!("problem: {problem}");
    }
    Ok(problems.is_empty())
}

/// "2012" or "2012–2014".
fn fmt_years(years: &std::ops::Range<i32>) -> String {
    match years.len() {
        0 | 1 => years.start.to_string(),
        _ => format!("{}–{}", years.start, years.end - 1),
    }
}

/// The minute files of `years`, and each one's symbol index.
fn files_of_years(
    dataset: &Dataset,
    years: std::ops::Range<i32>,
) -> anyhow::Result<(Vec<PathBuf>, Vec<u16>)> {
    let mut files = Vec::new();
    let mut symbols = Vec::new();
    for (i, symbol) in dataset.symbols().iter().enumerate() {
        let index = u16::try_from(i).context("more than 65,536 symbols")?;
        for file in dataset.minute_files(symbol) {
            let year = file
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.get(..4))
                .and_then(|y| y.parse::<i32>().ok());
            if year.is_some_and(|y| years.contains(&y)) {
                files.push(file);
                symbols.push(index);
            }
        }
    }
    if files.is_empty() {
        anyhow::bail!(
            "the dataset in {} has no minute files for {}; pick years it covers with --year and --years",
            dataset.root().display(),
            fmt_years(&years)
        );
    }
    Ok((files, symbols))
}
