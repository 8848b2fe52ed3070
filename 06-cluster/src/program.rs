//! What `exercise-06` and `solution-06` run.
//!
//! - No subcommand: the lesson's tour. Each job on local clusters of 1×1, 1×2 and 2×1
//!   (processes × workers), timed, with the same answer checked on each; the limit of the
//!   group-by (reading and parsing the bytes); then the debugging exercise's corrupted copy.
//! - `launch JOB -n P -w W`: one job on a local cluster of this program's processes.
//! - `process JOB -w W -n P -p I -h HOSTFILE`: one process of a cluster, what each machine
//!   of a real cluster runs.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use lesson_03_datasets::strategy::{FASTS, SLOWS};
use lesson_03_datasets::strategy::{Scored, Search, Window, closes_by_year, grid, log_spaced};
use shared::dataset::Dataset;
use shared::progress::ClearOnDrop;
use shared::report::{Table, catch_quietly, debug_build_warning, fmt_duration, fmt_speedup};
use timely::dataflow::operators::vec::ToStream;

use crate::answers::Answers;
use crate::engine::{self, Layout, Progress};
use crate::job::{self, BadInput, GroupBy, Score};
use crate::launcher::{self, Launch, PROGRESS_LINES};

/// Lesson 6: cluster computing on timely-dataflow.
#[derive(Debug, Parser)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub tour: Tour,
}

/// The tour's options.
#[derive(Debug, Clone, clap::Args)]
pub struct Tour {
    /// Timed runs of each layout; the table shows the median and the spread (min–max).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    #[command(flatten)]
    pub job: JobArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One job on a local cluster: P processes of this program on 127.0.0.1, W workers
    /// each.
    Launch(LaunchArgs),
    /// One process of a cluster: run the same command on every machine, with its own -p.
    #[command(disable_help_flag = true)]
    Process(ProcessArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct LaunchArgs {
    /// The job to run.
    pub job: JobName,
    /// Processes.
    #[arg(short = 'n', long = "processes", default_value_t = 2)]
    pub processes: usize,
    /// Worker threads in each process.
    #[arg(short = 'w', long = "workers", default_value_t = 1)]
    pub workers: usize,
    #[command(flatten)]
    pub args: JobArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ProcessArgs {
    /// The job to run.
    pub job: JobName,
    #[command(flatten)]
    pub layout: Layout,
    #[command(flatten)]
    pub args: JobArgs,
    /// Print help (-h is timely's hostfile here).
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

/// The lesson's jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JobName {
    /// Exercises 6.1 and 6.3: every symbol's daily bars, over the whole minute tree.
    Groupby,
    /// Exercise 6.2: lesson 3's parameter search.
    Search,
}

/// What a job reads, the same in every process.
#[derive(Debug, Clone, clap::Args)]
pub struct JobArgs {
    /// The group-by's folder of minute files (`SYMBOL/DATE.csv`). Default: the dataset's
    /// `minute/` folder. Every process must see the same files at the same path.
    #[arg(long, value_name = "DIR")]
    pub minute: Option<PathBuf>,
    /// The symbol of the search (lesson 3's default).
    #[arg(long, default_value = "AIG")]
    pub symbol: String,
    /// Windows per axis of the search's grid (lesson 3's default).
    #[arg(long, default_value_t = 16)]
    pub grid: usize,
}

impl JobArgs {
    /// The options as a command line, for the processes a launcher starts.
    fn to_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        if let Some(minute) = &self.minute {
            args.extend(["--minute".into(), minute.clone().into_os_string()]);
        }
        args.extend(["--symbol".into(), self.symbol.clone().into()]);
        args.extend(["--grid".into(), self.grid.to_string().into()]);
        args
    }
}

/// Parses the command line, runs it with `answers` (or the reference's, for an exercise
/// still at `todo!`), and reports errors without a backtrace.
pub fn main(answers: Answers) -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Some(Command::Process(process)) => {
            // One note is enough: the launcher (or process 0, started by hand) prints it.
            let launched = std::env::var_os(PROGRESS_LINES).is_some();
            let answers = probe(answers, launched || process.layout.process != 0);
            run_process(answers, process)
        }
        Some(Command::Launch(args)) => {
            let answers = probe(answers, false);
            run_launch(answers, args)
        }
        None => {
            let answers = probe(answers, false);
            run_tour(answers, &cli.tour)
        }
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The minute files of the group-by, sorted: every process lists the same folder.
pub fn minute_files(args: &JobArgs) -> anyhow::Result<Vec<PathBuf>> {
    let Some(folder) = &args.minute else {
        let dataset = Dataset::locate()?;
        return Ok(dataset.all_minute_files());
    };
    let mut files = Vec::new();
    let entries = std::fs::read_dir(folder)
        .with_context(|| format!("cannot list the minute folder {}", folder.display()))?;
    for entry in entries {
        let symbol = entry?.path();
        if !symbol.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&symbol)
            .with_context(|| format!("cannot list {}", symbol.display()))?
        {
            let file = file?.path();
            if file.extension().is_some_and(|e| e == "csv") {
                files.push(file);
            }
        }
    }
    files.sort();
    anyhow::ensure!(
        !files.is_empty(),
        "{} has no SYMBOL/DATE.csv files",
        folder.display()
    );
    Ok(files)
}

/// The search's candidates, years and score, built by each process from the data.
fn search_setup(args: &JobArgs) -> anyhow::Result<(Vec<Window>, usize, Score)> {
    let dataset = Dataset::locate()?;
    anyhow::ensure!(
        dataset.symbols().contains(&args.symbol),
        "the dataset in {} has no symbol {:?}; it has {}. Pick one with --symbol",
        dataset.root().display(),
        args.symbol,
        dataset.symbols().join(", ")
    );
    let years = closes_by_year(&dataset.minute_files(&args.symbol))?;
    let candidates = grid(
        &log_spaced(FASTS.0, FASTS.1, args.grid),
        &log_spaced(SLOWS.0, SLOWS.1, args.grid),
    );
    let count = years.len();
    let score: Score =
        Arc::new(move |window, year| lesson_03_datasets::strategy::score(&years[year].1, window));
    Ok((candidates, count, score))
}

/// Progress for this process: lines for a launcher, or a bar in a terminal.
fn progress(label: &str) -> (Option<Progress>, Option<ClearOnDrop>) {
    if std::env::var_os(PROGRESS_LINES).is_some() {
        let lines: Progress = Arc::new(|done, rounds| println!("progress {done} {rounds}"));
        return (Some(lines), None);
    }
    let bar = ClearOnDrop(shared::progress::items(engine::ROUNDS, label));
    let handle = bar.0.clone();
    let moved: Progress = Arc::new(move |done, rounds| {
        handle.set_length(rounds);
        handle.set_position(done);
    });
    (Some(moved), Some(bar))
}

/// One process of a cluster. Process 0 prints the answer; returns whether the job gave one
/// without problems.
pub fn run_process(answers: Answers, process: &ProcessArgs) -> anyhow::Result<bool> {
    let started = Instant::now();
    let layout = &process.layout;
    let (progress, bar) = progress(match process.job {
        JobName::Groupby => "files",
        JobName::Search => "windows",
    });
    // Worker 0 first reports progress once every process is connected and its dataflow
    // built: the end of the start-up.
    let running = Arc::new(OnceLock::new());
    let mark = Arc::clone(&running);
    let progress = progress.map(|inner| -> Progress {
        Arc::new(move |done, rounds| {
            mark.get_or_init(Instant::now);
            inner(done, rounds)
        })
    });
    let timing = |setup: Duration| {
        let end = Instant::now();
        let running = *running.get().unwrap_or(&end);
        let start_up = running.saturating_duration_since(started + setup);
        print_timing(setup, start_up, end - running);
    };
    match process.job {
        JobName::Groupby => {
            let files = minute_files(&process.args)?;
            let count = files.len();
            let setup = started.elapsed();
            let answer = job::group_by(answers, layout, files, progress)?;
            drop(bar);
            if let Some(answer) = answer {
                print_group_by(count, &answer.map_err(anyhow::Error::from)?);
                timing(setup);
            }
            Ok(true)
        }
        JobName::Search => {
            let (candidates, years, score) = search_setup(&process.args)?;
            let setup = started.elapsed();
            let answer = job::search(answers, layout, candidates, years, score, progress)?;
            drop(bar);
            if let Some(search) = answer {
                print_search(&process.args.symbol, &search);
                timing(setup);
            }
            Ok(true)
        }
    }
}

/// Process 0's split of its time: before the dataflow (listing files, reading what the
/// job needs), starting up (connecting to the other processes, building the dataflow),
/// and the dataflow itself, up to the answer at worker 0.
fn print_timing(setup: Duration, start_up: Duration, dataflow: Duration) {
    println!(
        "timing: setup {} start-up {} dataflow {}",
        setup.as_secs_f64(),
        start_up.as_secs_f64(),
        dataflow.as_secs_f64()
    );
}

/// Process 0's report of the group-by: a digest that must be the same on every layout,
/// a few symbols, and the files it skipped (on stderr).
fn print_group_by(files: usize, answer: &GroupBy) {
    let days: usize = answer.symbols.values().map(Vec::len).sum();
    println!(
        "answer: {} symbols, {days} days from {files} files, digest {:016x}",
        answer.symbols.len(),
        digest_days(answer)
    );
    let mut table = Table::new(["symbol", "days", "from", "to", "highest high", "on"])
        .with_title("Daily bars per symbol (6.1): the first five symbols");
    for (symbol, days) in answer.symbols.iter().take(5) {
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            continue;
        };
        let top = days
            .iter()
            .max_by(|a, b| a.high.total_cmp(&b.high))
            .unwrap_or(first);
        table.row([
            symbol.clone(),
            days.len().to_string(),
            first.date.to_string(),
            last.date.to_string(),
            format!("{:.2}", top.high),
            top.date.to_string(),
        ]);
    }
    println!("{table}");
    if !answer.skipped.is_empty() {
        eprintln!("{}", BadInput(answer.skipped.clone()));
        eprintln!("The answer leaves these files out (exercise 6.3: skip and report).");
    }
}

fn print_search(symbol: &str, search: &Search) {
    let best = search
        .scored
        .iter()
        .max_by(|a, b| a.mean.total_cmp(&b.mean));
    let best = best.map_or("none".into(), |s: &Scored| {
        format!(
            "fast {} / slow {}, mean {:.3}",
            s.window.fast, s.window.slow, s.mean
        )
    });
    println!(
        "answer: {} windows on {symbol}, best {best}, digest {:016x}",
        search.scored.len(),
        digest_search(search)
    );
    for fold in &search.folds {
        println!(
            "  year {} held out: chose {}/{} (train {:.3}), validation {:.3}",
            fold.held_out, fold.chosen.fast, fold.chosen.slow, fold.train, fold.validation
        );
    }
}

/// A hash of every number of the group-by's answer: equal digests, equal answers.
fn digest_days(answer: &GroupBy) -> u64 {
    type DayBits = (i32, [u64; 4], u64);
    let bits: Vec<(&String, Vec<DayBits>)> = (answer.symbols.iter())
        .map(|(symbol, days)| {
            let days = days
                .iter()
                .map(|d| {
                    let prices = [d.open, d.high, d.low, d.close].map(f64::to_bits);
                    (
                        chrono::Datelike::num_days_from_ce(&d.date),
                        prices,
                        d.volume,
                    )
                })
                .collect();
            (symbol, days)
        })
        .collect();
    engine::key_hash(&bits)
}

fn digest_search(search: &Search) -> u64 {
    let bits: Vec<(Window, Vec<u64>)> = (search.scored.iter())
        .map(|s| (s.window, s.per_year.iter().map(|v| v.to_bits()).collect()))
        .collect();
    engine::key_hash(&bits)
}

/// `launch`: one job on a local cluster.
fn run_launch(answers: Answers, args: &LaunchArgs) -> anyhow::Result<bool> {
    warn_if_debug(answers);
    // Every process finds the dataset the same way: they inherit this one's folder and
    // environment.
    match &args.args.minute {
        Some(minute) => println!("Reads:  {}\n", minute.display()),
        None => println!(
            "{}\n",
            shared::dataset::location_lines(&shared::dataset::default_folder(), None)
        ),
    }
    let launched = launcher::launch(&launch_of(
        args.job,
        &args.args,
        (args.processes, args.workers),
    )?)?;
    print!("{}", launched.output);
    println!(
        "{} processes × {} workers: {}",
        args.processes,
        args.workers,
        fmt_duration(launched.elapsed)
    );
    Ok(true)
}

fn warn_if_debug(answers: Answers) {
    let command = format!(
        "cargo run --release -p lesson-06-cluster --bin {}",
        answers.binary()
    );
    if let Some(warning) = debug_build_warning(&command) {
        eprintln!("{warning}\n");
    }
}

/// A launch of this very binary (so that process i of exercise-06 is exercise-06).
fn launch_of(
    job: JobName,
    args: &JobArgs,
    (processes, workers): (usize, usize),
) -> anyhow::Result<Launch> {
    let program = std::env::current_exe().context("cannot find this program's own binary")?;
    let name = job
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    let mut argv: Vec<OsString> = vec!["process".into(), name.clone().into()];
    argv.extend(args.to_args());
    Ok(Launch {
        program,
        args: argv,
        processes,
        workers,
        label: Some(format!("{name} {processes}×{workers}")),
    })
}

/// The tour: both jobs on 1×1, 1×2 and 2×1, then the corrupted copy.
fn run_tour(answers: Answers, tour: &Tour) -> anyhow::Result<bool> {
    warn_if_debug(answers);
    let dataset = Dataset::locate()?;
    let out = dataset.root().join("output").join("06-cluster");
    println!(
        "{}\n",
        shared::dataset::location_lines(dataset.root(), Some(&out))
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("Lesson 6 ({}): {cores} cores.\n", answers.name());
    let mut ok = true;
    let files = dataset.all_minute_files();
    let bytes = dataset.bytes_under("minute/");
    ok &= time_layouts(
        JobName::Groupby,
        tour,
        &format!(
            "Group-by (6.1): daily bars of every symbol, {} files, {}",
            files.len(),
            shared::report::fmt_bytes(bytes)
        ),
        Some(&files),
    )?;
    ok &= time_layouts(
        JobName::Search,
        tour,
        &format!(
            "Parameter search (6.2) on {}: a grid of {}×{} windows",
            tour.job.symbol, tour.job.grid, tour.job.grid
        ),
        None,
    )?;
    debugging(&dataset, &files)?;
    Ok(ok)
}

/// The layouts of the tour: (processes, workers).
const LAYOUTS: [(usize, usize); 3] = [(1, 1), (1, 2), (2, 1)];

/// Times `job` on every layout of [`LAYOUTS`] (`runs` launches each) and prints a table.
/// `files`: the group-by's files, for the limit row. Returns whether every layout gave
/// the same answer.
fn time_layouts(
    job: JobName,
    tour: &Tour,
    title: &str,
    files: Option<&[PathBuf]>,
) -> anyhow::Result<bool> {
    let runs = tour.runs.max(1);
    // Per layout: the launch's wall time, process 0's setup, start-up and dataflow times.
    let mut times: Vec<[Vec<Duration>; 4]> = vec![Default::default(); LAYOUTS.len()];
    let mut outputs: Vec<String> = vec![String::new(); LAYOUTS.len()];
    // Interleaved (1×1, 1×2, 2×1, 1×1, …), so that a noisy moment hits every layout.
    for _ in 0..runs {
        for (i, &layout) in LAYOUTS.iter().enumerate() {
            let launched = launcher::launch(&launch_of(job, &tour.job, layout)?)?;
            let parts = parse_timing(&launched.output).unwrap_or_default();
            times[i][0].push(launched.elapsed);
            for (part, time) in parts.into_iter().enumerate() {
                times[i][part + 1].push(time);
            }
            outputs[i] = launched.output;
        }
    }
    let median = |runs: &[Duration]| {
        let runs = runs.to_vec();
        shared::report::Timing { runs }.median()
    };
    let answer = |output: &str| {
        let line = output.lines().find(|l| l.starts_with("answer:"));
        line.unwrap_or("(no answer)").to_string()
    };
    let baseline = median(&times[0][0]);
    let mut table = Table::new([
        "processes × workers",
        "median",
        "min–max",
        "speedup",
        "setup",
        "start-up",
        "dataflow",
        "answer",
    ])
    .with_title(format!("{title}: median of {runs} runs"));
    let wall_timings: Vec<shared::report::Timing> = times
        .iter()
        .map(|t| shared::report::Timing { runs: t[0].clone() })
        .collect();
    let names: Vec<String> = LAYOUTS.iter().map(|(p, w)| format!("{p} × {w}")).collect();
    for (i, &(p, w)) in LAYOUTS.iter().enumerate() {
        let wall = median(&times[i][0]);
        let digest = answer(&outputs[i])
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_string();
        table.row([
            format!("{p} × {w}"),
            fmt_duration(wall),
            wall_timings[i].fmt_spread(),
            fmt_speedup(baseline, wall),
            fmt_duration(median(&times[i][1])),
            fmt_duration(median(&times[i][2])),
            fmt_duration(median(&times[i][3])),
            format!("digest {digest}"),
        ]);
    }
    let mut limit_timing = None;
    if let Some(files) = files {
        let limit = limit_read_parse(files, runs)?;
        limit_timing = Some(shared::report::Timing { runs: vec![limit] });
        table.row([
            "limit: read + parse, 2 threads".to_string(),
            fmt_duration(limit),
            String::new(),
            fmt_speedup(baseline, limit),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    let same = outputs.iter().all(|o| answer(o) == answer(&outputs[0]));
    table.note(
        "median: from starting the processes to the last one's exit (the launcher's clock). \
         Process 0's parts of it: setup, before the dataflow (listing files, reading what the \
         job needs); start-up, connecting to the other processes (timely's listener looks \
         for connections once a second) and building the dataflow; dataflow, from its first \
         round to the answer at worker 0.",
    );
    table.note(if same {
        "Every layout gave the same answer (same digest)."
    } else {
        "The layouts gave DIFFERENT answers: see the digests."
    });
    let layouts: Vec<(&str, &shared::report::Timing)> = names
        .iter()
        .map(String::as_str)
        .zip(&wall_timings)
        .collect();
    let mut doubts = shared::report::spread_doubts(shared::machine::busy(), layouts.clone());
    if let Some(limit) = &limit_timing {
        doubts.extend(shared::report::beaten_limit(
            &layouts,
            &[("the limit", limit)],
        ));
    }
    if let Some(warning) = shared::report::untrusted_warning(&doubts) {
        table.note(warning);
    }
    println!("{table}");
    for line in outputs[0].lines().filter(|l| !l.starts_with("timing:")) {
        println!("{line}");
    }
    println!();
    Ok(same)
}

/// `timing: setup S start-up U dataflow D` (seconds) → the three durations.
fn parse_timing(output: &str) -> Option<[Duration; 3]> {
    let line = output
        .lines()
        .find_map(|l| l.strip_prefix("timing: setup "))?;
    let (setup, rest) = line.split_once(" start-up ")?;
    let (start_up, dataflow) = rest.split_once(" dataflow ")?;
    let seconds = |s: &str| s.trim().parse::<f64>().ok().map(Duration::from_secs_f64);
    Some([seconds(setup)?, seconds(start_up)?, seconds(dataflow)?])
}

/// The median time to read and parse every file into bars on two threads, in this
/// process (lesson 3's limit): what the group-by cannot beat on two cores.
fn limit_read_parse(files: &[PathBuf], runs: usize) -> anyhow::Result<Duration> {
    let (timing, bars) = shared::report::time_runs(runs, || {
        lesson_03_datasets::frame::on_threads(2, || {
            lesson_03_datasets::frame::read_and_parse_bars(files)
        })
    });
    bars.context("cannot start two threads")?;
    Ok(timing.median())
}

/// Exercise 6.3's demonstration: a copy of a few symbols' files with one damaged line,
/// grouped on 2 processes.
fn debugging(dataset: &Dataset, files: &[PathBuf]) -> anyhow::Result<()> {
    let out = dataset
        .root()
        .join("output")
        .join("06-cluster")
        .join("corrupted");
    let (minute, copied, bad, line) = plant_corruption(files, &out)?;
    println!(
        "Debugging (6.3): a copy of {copied} files in {}, with line {line} of {} damaged; \
         the group-by on 2 processes × 1 worker:",
        minute.display(),
        bad.display()
    );
    // Only the group-by runs here: the search's options are not read.
    let args = JobArgs {
        minute: Some(minute),
        symbol: String::new(),
        grid: 0,
    };
    match launcher::launch(&launch_of(JobName::Groupby, &args, (2, 1))?) {
        Ok(launched) => {
            let answer = launched
                .output
                .lines()
                .filter(|l| !l.starts_with("timing:"));
            println!("{}\n", answer.collect::<Vec<_>>().join("\n"));
        }
        Err(error) => println!("The launcher reports: {error}\n"),
    }
    Ok(())
}

/// Copies one month of the first three symbols' files under `out/minute/` and damages
/// one line of one of them; returns the folder, the number of files, the damaged file and
/// its line.
pub fn plant_corruption(
    files: &[PathBuf],
    out: &Path,
) -> anyhow::Result<(PathBuf, usize, PathBuf, usize)> {
    let minute = out.join("minute");
    if minute.exists() {
        std::fs::remove_dir_all(&minute)
            .with_context(|| format!("cannot clear {}", minute.display()))?;
    }
    let symbols: Vec<&str> = {
        let mut s: Vec<&str> = files
            .iter()
            .filter_map(|f| lesson_03_datasets::frame::symbol_of(f))
            .collect();
        s.dedup();
        s.into_iter().take(3).collect()
    };
    let mut copied = Vec::new();
    for symbol in &symbols {
        let theirs = files
            .iter()
            .filter(|f| lesson_03_datasets::frame::symbol_of(f) == Some(symbol))
            .take(21);
        for file in theirs {
            let name = file.file_name().context("a file name")?;
            let target = minute.join(symbol).join(name);
            std::fs::create_dir_all(minute.join(symbol))?;
            std::fs::copy(file, &target).with_context(|| {
                format!("cannot copy {} to {}", file.display(), target.display())
            })?;
            copied.push(target);
        }
    }
    copied.sort();
    let bad = copied
        .get(copied.len() / 2)
        .context("no files to copy")?
        .clone();
    let line = 101;
    let text = std::fs::read_to_string(&bad)?;
    let damaged: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == line {
                l.replacen('.', "..", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    shared::atomic::write_atomic(&bad, (damaged.join("\n") + "\n").as_bytes())?;
    Ok((minute, copied.len(), bad, line))
}

/// Builds each of `answers` once in a throwaway dataflow (6.3: and calls `settle`) and
/// returns them with the reference's in place of each that panics (not done yet), with a
/// line on stderr unless `quiet`. Every process decides the same, so all build the same
/// dataflow.
pub fn probe(answers: Answers, quiet: bool) -> Answers {
    type Check = (&'static str, Box<dyn FnOnce()>);
    let checks: [Check; 3] = [
        (
            "6.1",
            Box::new(move || {
                timely::execute_directly(move |worker| {
                    worker.dataflow::<u64, _, _>(|scope| {
                        answers.daily_bars(Vec::new().to_stream(scope));
                    })
                })
            }),
        ),
        (
            "6.2",
            Box::new(move || {
                timely::execute_directly(move |worker| {
                    worker.dataflow::<u64, _, _>(|scope| {
                        let score: Score = Arc::new(|_, _| 0.0);
                        answers.scores(Vec::new().to_stream(scope), 1, score);
                    })
                })
            }),
        ),
        (
            "6.3",
            Box::new(move || {
                timely::execute_directly(move |worker| {
                    worker.dataflow::<u64, _, _>(|scope| {
                        answers.split(Vec::new().to_stream(scope));
                    })
                });
                let _ = answers.settle(Vec::new(), Vec::new());
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
