//! What `exercise-03` and `solution-03` run: the lesson's questions on the full dataset,
//! each answer timed on one thread and on every core, with the limits (reading and parsing
//! the bytes) beside the whole-dataset job, two charts and the search's heatmap. Both
//! binaries run this same code, one with your answers and one with the reference's.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{Datelike, NaiveDate};
use clap::Parser as _;
use shared::Dataset;
use shared::chart::{Heatmap, LineChart, Series};
use shared::report::{
    Comparison, Table, debug_build_warning, fmt_bytes, fmt_count, fmt_duration, time_runs,
};

use crate::answers::Answers;
use crate::bag::{Best, max_correlation_sequential};
use crate::frame::{
    MaxHigh, OnFile, Period, YearlyStats, files_of_year, on_threads, read_and_parse_bars,
    read_and_parse_closes, read_only,
};
use crate::strategy::{Search, Window, closes_by_year, grid, log_spaced, sample, score};

/// Lesson 3: the bag, dataframe questions, a parameter search.
#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Timed runs of each variant; the tables show the median and the spread (min–max).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Threads of the parallel variants. Default: one per core.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub threads: Option<usize>,
    /// The symbol of the one-symbol questions (2016 asked about AIG).
    #[arg(long, default_value = "AIG")]
    pub symbol: String,
    /// The year of the max-high question (2016 asked about 2012).
    #[arg(long, default_value_t = 2012)]
    pub year: i32,
    /// Windows per axis of the search's grid (fast and slow, log-spaced).
    #[arg(long, default_value_t = 16)]
    pub grid: usize,
    /// Windows in the search's random sample (2016's `ParameterSampler`).
    #[arg(long, default_value_t = 64)]
    pub samples: usize,
    /// Seed of the random sample.
    #[arg(long, default_value_t = 2016)]
    pub seed: u64,
    /// Folder for the charts and the stats file. Default: `output/03-datasets/` in the
    /// dataset folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Parses the command line, runs the lesson with `answers`, and reports errors without a
/// backtrace.
pub fn main(answers: Answers) -> ExitCode {
    match run(answers, &Args::parse()) {
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
    std::fs::create_dir_all(&out)
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
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

/// Exercise 3.1: the most correlated pair of close series, as 2016's bag computed it.
fn print_correlation(answers: Answers, cx: &Setup) -> anyhow::Result<Vec<String>> {
    let paths = shared::columnar::ensure(cx.dataset)?;
    let mut series = Vec::with_capacity(paths.len());
    for path in &paths {
        series.push(shared::columnar::read_columns(path)?.close);
    }
    let symbols = cx.dataset.symbols().to_vec();
    let correlate = |a: &Vec<f64>, b: &Vec<f64>| shared::stats::pearson(a, b).ok();
    let names = symbols.clone();
    let name = move |best: &Option<Best>| match best {
        Some(b) => format!("{} & {}, r = {:.4}", names[b.a], names[b.b], b.r),
        None => "none".into(),
    };
    let n = series.len();
    let mut comparison = Comparison::new(
        format!(
            "3.1 The most correlated pair of close series: {n} series, {} pairs",
            n * n.saturating_sub(1) / 2
        ),
        cx.runs,
    )
    .with_items((n * n.saturating_sub(1) / 2) as u64, "pairs/s")
    .check_output(move |best: &Option<Best>| name(best));
    comparison.variant("sequential double loop", "given", || {
        max_correlation_sequential(&series, correlate)
    });
    let best = comparison.variant(
        format!("one pipeline, {} threads", cx.threads),
        "3.1",
        || on(cx.threads, || answers.max_correlation(&series, correlate)),
    );
    if let Some(Some(best)) = best {
        comparison.note(format!(
            "The most correlated pair: {} and {}, r = {:.4} (prices, not returns: see chapter 2).",
            symbols[best.a], symbols[best.b], best.r
        ));
    }
    println!("{}", comparison.finish());
    Ok(comparison.problems().to_vec())
}

/// Exercises 3.2 and 3.3: the max high of a symbol in a year, and in every year.
fn print_max_high(
    answers: Answers,
    cx: &Setup,
    symbol: &str,
    year: i32,
) -> anyhow::Result<Vec<String>> {
    let all = cx.dataset.minute_files(symbol);
    let files = files_of_year(&all, year);
    if files.is_empty() {
        anyhow::bail!(
            "the dataset in {} has no {symbol} files for {year}; pick a year it covers with --year",
            cx.dataset.root().display()
        );
    }
    let mut problems = Vec::new();
    let mut comparison = Comparison::new(
        format!(
            "3.2 The max high of {symbol} in {year}: {} files",
            files.len()
        ),
        cx.runs,
    )
    .with_bytes(bytes_of(&files))
    .check_output(|m: &Result<Option<MaxHigh>, String>| format!("{m:?}"));
    let found = one_and_all(&mut comparison, cx.threads, "3.2", || {
        answers.max_high(&files, &|_| {}).map_err(|e| e.to_string())
    });
    if let Some(Ok(Some(max))) = found {
        comparison.note(format!(
            "{symbol}'s highest high in {year}: {:.3}, on {}.",
            max.high,
            dates(&max.dates)
        ));
    }
    println!("{}", comparison.finish());
    problems.extend_from_slice(comparison.problems());

    let mut comparison = Comparison::new(
        format!(
            "3.3 The max high of {symbol} in every year: {} files",
            all.len()
        ),
        cx.runs,
    )
    .with_bytes(bytes_of(&all))
    .check_output(|m: &Result<BTreeMap<i32, MaxHigh>, String>| format!("{m:?}"));
    let found = one_and_all(&mut comparison, cx.threads, "3.3", || {
        answers
            .max_high_by_year(&all, &|_| {})
            .map_err(|e| e.to_string())
    });
    println!("{}", comparison.finish());
    problems.extend_from_slice(comparison.problems());
    if let Some(Ok(by_year)) = found {
        let mut table = Table::new(["year", "max high", "on"])
            .with_title(format!("{symbol}'s highest high, year by year (3.3)"));
        for (year, max) in &by_year {
            table.row([
                year.to_string(),
                format!("{:.3}", max.high),
                dates(&max.dates),
            ]);
        }
        println!("{table}");
    }
    Ok(problems)
}

/// Exercise 3.5: hourly and weekly resampling of one symbol's close.
fn print_resample(answers: Answers, cx: &Setup, symbol: &str) -> anyhow::Result<Vec<String>> {
    let files = cx.dataset.minute_files(symbol);
    let mut problems = Vec::new();
    for (period, name) in [(Period::Hour, "hourly"), (Period::Week, "weekly")] {
        let mut comparison = Comparison::new(
            format!(
                "3.5 {symbol}'s close resampled {name}: {} files",
                files.len()
            ),
            cx.runs,
        )
        .with_bytes(bytes_of(&files))
        .check_output(
            |r: &Result<BTreeMap<shared::Timestamp, f64>, String>| match r {
                Ok(buckets) => format!(
                    "{} buckets, mean of means {:.6}",
                    buckets.len(),
                    buckets.values().sum::<f64>() / buckets.len().max(1) as f64
                ),
                Err(e) => e.clone(),
            },
        );
        let run = || {
            answers
                .resample_close(&files, period, &|_| {})
                .map_err(|e| e.to_string())
        };
        if let Some(Ok(buckets)) = one_and_all(&mut comparison, cx.threads, "3.5", run) {
            let first: Vec<String> = buckets
                .iter()
                .take(3)
                .map(|(t, close)| format!("{} {close:.3}", t.to_naive().format("%Y-%m-%d %H:%M")))
                .collect();
            comparison.note(format!(
                "{} {name} buckets; the first: {}.",
                fmt_count(buckets.len() as u64),
                first.join(", ")
            ));
            if period == Period::Week {
                let straddle = buckets
                    .keys()
                    .find(|t| t.date().year() != (t.date() + chrono::Days::new(6)).year());
                if let Some(t) = straddle {
                    comparison.note(format!(
                        "The week of {} spans two years, so two files' folders of dates and two threads' partial sums: merged like any other key.",
                        t.date()
                    ));
                }
            }
        }
        println!("{}", comparison.finish());
        problems.extend_from_slice(comparison.problems());
    }
    Ok(problems)
}

/// Exercises 3.4 and 3.6 on every minute file: the daily mean close (charted), and the
/// per-symbol yearly stats against the limits of reading and parsing the bytes.
fn print_whole_dataset(answers: Answers, cx: &Setup) -> anyhow::Result<Vec<String>> {
    let files = cx.dataset.all_minute_files();
    let total = bytes_of(&files);
    // Warm the page cache, so every timed run reads from memory (see the book on disks).
    let progress = shared::progress::bytes(total, "warm-up");
    let (warm, _) = time_runs(1, || {
        on(cx.threads, || {
            use rayon::prelude::*;
            files.par_iter().for_each(|path| {
                progress.inc(std::fs::read(path).map_or(0, |b| b.len() as u64));
            });
        })
    });
    progress.finish_and_clear();
    println!(
        "Read every minute file once to warm the page cache: {} files, {} in {}.\n",
        fmt_count(files.len() as u64),
        fmt_bytes(total),
        fmt_duration(warm.median())
    );
    let mut problems = Vec::new();

    // 3.6 first: it is the one with bars to meet.
    let mut comparison = Comparison::new(
        format!(
            "3.6 Count, mean, min, max of the close per symbol and year: {} files",
            fmt_count(files.len() as u64)
        ),
        cx.runs,
    )
    .with_bytes(total)
    .check_output(|s: &YearlyStats| summarise_stats(s));
    let mut last = None;
    let yearly = |threads: usize| {
        with_progress(files.len(), "3.6", |on_file| {
            on(threads, || answers.yearly_stats(&files, on_file))
        })
    };
    comparison.variant("1 thread (the same code)", "3.6", || yearly(1));
    if let Some(stats) = comparison.variant(format!("{} threads", cx.threads), "3.6", || {
        yearly(cx.threads)
    }) {
        last = Some(stats);
    }
    comparison.limit(
        format!("read + parse timestamp, close ({} threads)", cx.threads),
        || on(cx.threads, || read_and_parse_closes(&files)),
    );
    comparison.limit(format!("read only ({} threads)", cx.threads), || {
        on(cx.threads, || read_only(&files))
    });
    let (bars, _) = time_runs(1, || on(cx.threads, || read_and_parse_bars(&files)));
    comparison.note(format!(
        "The limits do part of the job and nothing else: reading every file, then also parsing each row's timestamp and close (shared::read::for_each_close). The answer adds the group-by. Parsing whole bars instead (read_csv, every field checked) takes {} (one run).",
        fmt_duration(bars.median())
    ));
    println!("{}", comparison.finish());
    problems.extend_from_slice(comparison.problems());
    if let Some(stats) = &last {
        print_stats(cx, stats)?;
    }

    let mut comparison = Comparison::new(
        format!(
            "3.4 The mean close of every date, all symbols: {} files",
            fmt_count(files.len() as u64)
        ),
        1,
    )
    .with_bytes(total)
    .check_output(|r: &Result<BTreeMap<NaiveDate, f64>, String>| match r {
        Ok(days) => format!("{} dates", days.len()),
        Err(e) => e.clone(),
    });
    let daily = comparison.variant(format!("{} threads (one run)", cx.threads), "3.4", || {
        with_progress(files.len(), "3.4", |on_file| {
            on(cx.threads, || answers.daily_mean_close(&files, on_file)).map_err(|e| e.to_string())
        })
    });
    if let Some(Ok(days)) = daily {
        let chart = cx.out.join("daily-mean-close.png");
        chart_daily(&chart, &days)?;
        comparison.note(format!(
            "The mean close of the {} symbols, like the Dow Jones index (a price-weighted mean), over {} dates; chart: {}",
            cx.dataset.symbols().len(),
            fmt_count(days.len() as u64),
            chart.display()
        ));
    }
    println!("{}", comparison.finish());
    problems.extend_from_slice(comparison.problems());
    Ok(problems)
}

/// Runs `run` with an `on_file` that moves a progress bar of `count` files, cleared at the
/// end (also when the answer panics).
fn with_progress<R>(count: usize, label: &str, run: impl FnOnce(&OnFile) -> R) -> R {
    let bar = shared::progress::ClearOnDrop(shared::progress::items(count as u64, label));
    run(&|_| bar.inc(1))
}

/// What a yearly-stats answer found, to compare answers: group count, bars, errors, and
/// the close's overall range (sums are left out: their last bits depend on the order).
fn summarise_stats(s: &YearlyStats) -> String {
    let bars: u64 = s.stats.values().map(|st| st.count).sum();
    let min = s
        .stats
        .values()
        .map(|st| st.min)
        .fold(f64::INFINITY, f64::min);
    let max = s
        .stats
        .values()
        .map(|st| st.max)
        .fold(f64::NEG_INFINITY, f64::max);
    format!(
        "{} groups, {bars} bars, {} unreadable files, close from {min} to {max}",
        s.stats.len(),
        s.errors.len()
    )
}

/// Writes the yearly stats to `yearly-stats.csv` and prints the first symbol's years.
fn print_stats(cx: &Setup, stats: &YearlyStats) -> anyhow::Result<()> {
    let path = cx.out.join("yearly-stats.csv");
    let mut text = String::from("symbol,year,count,mean,min,max\n");
    for ((symbol, year), s) in &stats.stats {
        let _ = writeln!(
            text,
            "{symbol},{year},{},{:.6},{},{}",
            s.count,
            s.mean().unwrap_or(f64::NAN),
            s.min,
            s.max
        );
    }
    shared::atomic::write_atomic(&path, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    let first = stats.stats.keys().next().map(|(s, _)| s.clone());
    let mut table =
        Table::new(["symbol", "year", "bars", "mean", "min", "max"]).with_title(format!(
            "Yearly stats of the close (3.6): the first symbol of {}; all in {}",
            stats
                .stats
                .keys()
                .map(|(s, _)| s)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            path.display()
        ));
    for ((symbol, year), s) in stats
        .stats
        .iter()
        .filter(|((s, _), _)| Some(s) == first.as_ref())
    {
        table.row([
            symbol.clone(),
            year.to_string(),
            fmt_count(s.count),
            format!("{:.3}", s.mean().unwrap_or(f64::NAN)),
            format!("{:.3}", s.min),
            format!("{:.3}", s.max),
        ]);
    }
    for error in &stats.errors {
        table.note(format!("unreadable: {error}"));
    }
    println!("{table}");
    Ok(())
}

/// Draws the daily mean close.
fn chart_daily(path: &Path, days: &BTreeMap<NaiveDate, f64>) -> anyhow::Result<()> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let points = days
        .iter()
        .map(|(d, close)| ((*d - epoch).num_days() as f64, *close))
        .collect();
    let ticks = |x: f64| {
        (epoch + chrono::Days::new(x.max(0.0) as u64))
            .format("%Y-%m")
            .to_string()
    };
    shared::chart::line_chart(
        path,
        &LineChart {
            title: "Mean close of all symbols, per day",
            x_label: "date",
            y_label: "mean close ($)",
            series: &[Series {
                name: "mean close".into(),
                points,
            }],
            x_ticks: Some(&ticks),
            y_ticks: None,
        },
    )?;
    Ok(())
}

/// Exercise 3.7: the grid and the random sample, cross-validated over the years.
fn print_search(answers: Answers, cx: &Setup, args: &Args) -> anyhow::Result<Vec<String>> {
    let files = cx.dataset.minute_files(&args.symbol);
    let years = closes_by_year(&files)?;
    let names: Vec<String> = years.iter().map(|(y, _)| y.to_string()).collect();
    let closes: Vec<&[f64]> = years.iter().map(|(_, c)| c.as_slice()).collect();
    let score_of = |window: Window, year: usize| score(closes[year], window);
    let (fasts, slows) = (
        log_spaced(FASTS.0, FASTS.1, args.grid),
        log_spaced(SLOWS.0, SLOWS.1, args.grid),
    );
    let candidates = grid(&fasts, &slows);
    let mut problems = Vec::new();

    let mut comparison = Comparison::new(
        format!(
            "3.7 Parameter search on {}: {} window pairs × {} years = {} evaluations",
            args.symbol,
            candidates.len(),
            years.len(),
            fmt_count((candidates.len() * years.len()) as u64)
        ),
        cx.runs,
    )
    .with_items((candidates.len() * years.len()) as u64, "evaluations/s")
    .check_output(|s: &Search| summarise_search(s));
    let found = one_and_all(&mut comparison, cx.threads, "3.7", || {
        answers.search(&candidates, years.len(), score_of)
    });
    println!("{}", comparison.finish());
    problems.extend_from_slice(comparison.problems());
    let Some(found) = found else {
        return Ok(problems);
    };
    let chart = cx.out.join("search-heatmap.png");
    heatmap(&chart, &found, &fasts, &slows)?;
    print_folds(&format!("grid of {}", candidates.len()), &found, &names);
    println!(
        "Heatmap of the mean validation score: {}\n",
        chart.display()
    );

    let sampled = sample(FASTS, SLOWS, args.samples, args.seed);
    let found = on(cx.threads, || {
        answers.search(&sampled, years.len(), score_of)
    });
    print_folds(
        &format!("random sample of {} (seed {})", sampled.len(), args.seed),
        &found,
        &names,
    );
    Ok(problems)
}

fn summarise_search(s: &Search) -> String {
    let best = s
        .scored
        .iter()
        .max_by(|a, b| a.mean.total_cmp(&b.mean))
        .map(|b| format!("{:?} {:.6}", b.window, b.mean));
    let folds: Vec<String> = s
        .folds
        .iter()
        .map(|f| format!("{}:{}/{}", f.held_out, f.chosen.fast, f.chosen.slow))
        .collect();
    format!(
        "{} scored, best {}, folds {}",
        s.scored.len(),
        best.unwrap_or_default(),
        folds.join(" ")
    )
}

/// The folds of a search as a table, and the overfitting they reveal.
fn print_folds(what: &str, found: &Search, years: &[String]) {
    let Some(best) = found.scored.iter().max_by(|a, b| a.mean.total_cmp(&b.mean)) else {
        return;
    };
    let mut table = Table::new([
        "held-out year",
        "chosen on the other years (fast/slow bars)",
        "train score",
        "validation score",
    ])
    .with_title(format!(
        "Cross-validation, {what}: each year held out in turn"
    ));
    for fold in &found.folds {
        table.row([
            years.get(fold.held_out).cloned().unwrap_or_default(),
            format!("{}/{}", fold.chosen.fast, fold.chosen.slow),
            format!("{:.2}", fold.train),
            format!("{:.2}", fold.validation),
        ]);
    }
    let validation =
        found.folds.iter().map(|f| f.validation).sum::<f64>() / found.folds.len().max(1) as f64;
    table.note(format!(
        "Best pair over all years: fast {} / slow {} bars, mean Sharpe {:.2}. Picked on other years and scored on the held-out one, the search's own choice averages {:.2}: the gap is how much the best score owes to luck.",
        best.window.fast, best.window.slow, best.mean, validation
    ));
    println!("{table}");
}

/// Draws the mean validation score of every grid cell.
fn heatmap(path: &Path, found: &Search, fasts: &[usize], slows: &[usize]) -> anyhow::Result<()> {
    let mean: BTreeMap<Window, f64> = found.scored.iter().map(|s| (s.window, s.mean)).collect();
    let values: Vec<Vec<f64>> = slows
        .iter()
        .map(|&slow| {
            fasts
                .iter()
                .map(|&fast| {
                    mean.get(&Window { fast, slow })
                        .copied()
                        .unwrap_or(f64::NAN)
                })
                .collect()
        })
        .collect();
    shared::chart::heatmap(
        path,
        &Heatmap {
            title: "Mean annualised Sharpe ratio over held-out years",
            x_label: "fast window (2-minute bars)",
            y_label: "slow window (bars)",
            columns: &fasts.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
            rows: &slows.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            values: &values,
        },
    )?;
    Ok(())
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
