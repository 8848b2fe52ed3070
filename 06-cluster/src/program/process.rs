//! One process of a cluster: list the files, build the job, run it, and at process 0
//! print the answer, its digest and where the time went.

use std::path::PathBuf;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use market::strategy::{FASTS, SLOWS};
use market::strategy::{Scored, Search, Window, closes_by_year, grid, log_spaced};
use shared::dataset::Dataset;
use shared::progress::ClearOnDrop;
use shared::report::Table;

use crate::answers::Answers;
use crate::engine::{self, Progress};
use crate::job::{self, BadInput, GroupBy, Score};
use crate::launcher::PROGRESS_LINES;

use super::cli::{JobArgs, JobName, ProcessArgs};

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

/// The search's candidates, years, score and symbol, built by each process from the data.
fn search_setup(args: &JobArgs) -> anyhow::Result<(Vec<Window>, usize, Score, String)> {
    let dataset = Dataset::locate()?;
    let args = &args.fitted(&dataset);
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
        Arc::new(move |window, year| market::strategy::score(&years[year].1, window));
    Ok((candidates, count, score, args.symbol.clone()))
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
            let (candidates, years, score, symbol) = search_setup(&process.args)?;
            let setup = started.elapsed();
            let answer = job::search(answers, layout, candidates, years, score, progress)?;
            drop(bar);
            if let Some(search) = answer {
                print_search(&symbol, &search);
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
