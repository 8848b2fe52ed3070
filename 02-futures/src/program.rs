//! What `exercise-02` and `solution-02` run: the lesson's story on the full dataset, ending
//! with timing tables, the most correlated pair and its chart. Both binaries run this same
//! code, one with your answers and one with the reference's.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context;
use clap::Parser as _;
use futures::executor::ThreadPool;
use shared::Dataset;
use shared::report::{
    Comparison, Table, debug_build_warning, fmt_bytes, fmt_count, fmt_duration, time_runs,
};

use crate::answers::Answers;
use crate::correlate::{
    Closes, Correlation, chart_pair, correlate, correlations_sequential, correlations_standardised,
    most_correlated, pairs, returns,
};
use crate::slow::{Slow, double_loop_calls, double_loop_sequential};
use crate::submit::{thread_pool, tokio_runtime};
use crate::waits::{fake_request, fixed_pool, one_thread_each};

/// Lesson 2: submit and gather, on slow arithmetic, on every pairwise correlation of the
/// dataset's close series, and on thousands of waits.
#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Timed runs of each variant; the tables show the median and the spread (min–max).
    #[arg(long, default_value_t = 3, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
    pub runs: usize,
    /// Threads of the pool the correlations are submitted to. Default: one per core.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub threads: Option<usize>,
    /// The double loop runs over `0..n` (n × (n − 1) slow calls).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(i64).range(1..=10_000))]
    pub slow_n: i64,
    /// How long each slow call sleeps, in milliseconds.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub slow_ms: u64,
    /// Threads of the pool the slow calls are submitted to (the 2016 notebook's
    /// `ThreadPoolExecutor(4)`).
    #[arg(long, default_value_t = 4, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub slow_threads: usize,
    /// How many I/O-bound waits to make.
    #[arg(long, default_value_t = 10_000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000000))]
    pub waits: usize,
    /// How long each wait lasts, in milliseconds.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub wait_ms: u64,
    /// Threads of the fixed pool the waits are compared with.
    #[arg(long, default_value_t = 200, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10000))]
    pub wait_pool: usize,
    /// Folder for the chart. Default: `output/02-futures/` in the dataset folder.
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

/// Runs the lesson; returns whether every variant gave the expected answer.
pub fn run(answers: Answers, args: &Args) -> anyhow::Result<bool> {
    let command = format!(
        "cargo run --release -p lesson-02-futures --bin {}",
        answers.binary()
    );
    if let Some(warning) = debug_build_warning(&command) {
        eprintln!("{warning}\n");
    }
    let dataset = Dataset::locate()?;
    let out = match &args.out {
        Some(out) => out.clone(),
        None => dataset.root().join("output").join("02-futures"),
    };
    shared::dataset::prepare_output(&out).map_err(anyhow::Error::msg)?;
    println!(
        "{}\n",
        shared::dataset::location_lines(dataset.root(), Some(&out))
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = args.threads.unwrap_or(cores);
    println!("Lesson 2 ({}): {cores} cores.\n", answers.name());

    let mut problems = Vec::new();
    problems.extend(print_slow(answers, args)?);

    let closes = Closes::load(&shared::columnar::ensure(&dataset)?)?;
    let pool = thread_pool(threads, "correlate").context("cannot start a thread pool")?;
    problems.extend(print_correlations(
        answers, &closes, &pool, threads, args.runs,
    ));
    print_prices_or_returns(&closes);
    let best = most_correlated(&correlations_sequential(&closes.series));
    match best {
        Some(pair) => {
            let chart = out.join("most-correlated.png");
            chart_pair(&chart, &closes, pair)?;
            println!(
                "The most correlated pair: {} and {}, r = {:.4}; chart: {}\n",
                closes.symbols[pair.a],
                closes.symbols[pair.b],
                pair.r.unwrap_or(f64::NAN),
                chart.display()
            );
        }
        None => println!("No pair has a defined correlation (every series is constant).\n"),
    }

    problems.extend(print_waits(answers, args, cores)?);
    for problem in &problems {
        eprintln!("problem: {problem}");
    }
    Ok(problems.is_empty())
}

/// Exercise 2.1's table: the double loop, sequential and submitted.
fn print_slow(answers: Answers, args: &Args) -> anyhow::Result<Vec<String>> {
    let slow = Slow::new(Duration::from_millis(args.slow_ms));
    let pool = thread_pool(args.slow_threads, "slow").context("cannot start a thread pool")?;
    let calls = double_loop_calls(args.slow_n);
    let rounds = |threads: usize| times(slow.delay(), calls.div_ceil(threads.max(1)));
    let mut comparison = Comparison::new(
        format!(
            "slowadd/slowsub double loop: {calls} calls of {} each",
            fmt_duration(slow.delay())
        ),
        1,
    )
    .with_items(calls as u64, "calls/s")
    .check_output(|results: &Vec<i64>| format!("{results:?}"));
    comparison.variant("sequential", "given", || {
        double_loop_sequential(args.slow_n, &slow)
    });
    comparison.variant(
        format!("submit to a pool of {} threads", args.slow_threads),
        "2.1",
        || answers.double_loop_submit(args.slow_n, &slow, &pool),
    );
    comparison.note(format!(
        "Expected: {} sequentially, {} on {} threads (the calls sleep, so threads beyond the cores still pay).",
        fmt_duration(rounds(1)),
        fmt_duration(rounds(args.slow_threads)),
        args.slow_threads
    ));
    println!("{}", comparison.finish());
    Ok(comparison.problems().to_vec())
}

/// Exercises 2.2 and 2.3: every pairwise correlation, sequential, submitted and gathered in
/// order, and taken as completed with a progress bar.
fn print_correlations(
    answers: Answers,
    closes: &Closes,
    pool: &ThreadPool,
    threads: usize,
    runs: usize,
) -> Vec<String> {
    let n = closes.series.len();
    let count = pairs(n).count();
    let series = Arc::new(closes.series.clone());
    let mut comparison = Comparison::new(
        format!(
            "Pearson correlation of every pair of close series: {n} symbols, {} pairs, {} points each",
            fmt_count(count as u64),
            fmt_count(closes.timestamps.len() as u64)
        ),
        runs,
    )
    .with_items(count as u64, "pairs/s")
    .check_output(|c: &Vec<Correlation>| summarise(c));
    comparison.variant("sequential", "given", || correlations_sequential(&series));
    comparison.variant(
        format!("submit, gather in order ({threads} threads)"),
        "2.2",
        || answers.correlations_submit(&series, pool),
    );
    comparison.variant(
        format!("submit, as completed + progress ({threads} threads)"),
        "2.3",
        || as_completed(answers, &series, pool),
    );
    comparison.variant(
        "sequential, standardised once + dot products",
        "given",
        || correlations_standardised(&series),
    );
    if let Some(sequential) = comparison.baseline() {
        comparison.note(format!(
            "Ideal on {threads} threads: the sequential time / {threads} = {}. Each pair is one task of {}, so the pool's overhead per task (a few µs) hardly shows.",
            fmt_duration(sequential.div_f64(threads.max(1) as f64)),
            fmt_duration(sequential.div_f64(count.max(1) as f64)),
        ));
    }
    let (copy, _) = time_runs(runs, || closes.series.clone());
    comparison.note(format!(
        "Copying the series once ({}), the least a process pool adds for each worker, takes {}.",
        fmt_bytes(closes.bytes()),
        fmt_duration(copy.median())
    ));
    println!("{}", comparison.finish());
    comparison.problems().to_vec()
}

/// Exercise 2.3 at work: the correlations taken as they complete, each moving a progress
/// bar on, and put back in pair order so the table can check them against the baseline.
fn as_completed(
    answers: Answers,
    series: &Arc<Vec<Vec<f64>>>,
    pool: &ThreadPool,
) -> Vec<Correlation> {
    let all: Vec<(usize, usize)> = pairs(series.len()).collect();
    let tasks: Vec<_> = all
        .iter()
        .map(|&(a, b)| {
            let series = Arc::clone(series);
            move || correlate(&series, a, b)
        })
        .collect();
    let progress =
        shared::progress::ClearOnDrop(shared::progress::items(tasks.len() as u64, "pairs"));
    let slots = Mutex::new(vec![None; tasks.len()]);
    answers.submit_as_completed(pool, tasks, |i, correlation| {
        if let Some(slot) = slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(i)
        {
            *slot = Some(correlation);
        }
        progress.inc(1);
    });
    slots
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .flatten()
        .collect()
}

/// `d × n`, saturating instead of overflowing on absurd command-line values.
fn times(d: Duration, n: usize) -> Duration {
    d.saturating_mul(u32::try_from(n).unwrap_or(u32::MAX))
}

/// What a correlation variant found: pairs computed, how many undefined, the best one.
fn summarise(correlations: &[Correlation]) -> String {
    let undefined = correlations.iter().filter(|c| c.r.is_none()).count();
    let best = most_correlated(correlations).map_or("none".to_string(), |c| {
        format!("{}-{} r={:.6}", c.a, c.b, c.r.unwrap_or(f64::NAN))
    });
    format!(
        "{} pairs, {undefined} undefined, best {best}",
        correlations.len()
    )
}

/// The question a data person asks next: the most correlated pair by prices, and by
/// returns.
fn print_prices_or_returns(closes: &Closes) {
    let name = |c: Correlation| format!("{} & {}", closes.symbols[c.a], closes.symbols[c.b]);
    let r = |c: Option<f64>| c.map_or("-".to_string(), |r| format!("{r:.4}"));
    let daily = closes.daily();
    let daily_returns = returns(&daily);
    let minute_returns = returns(&closes.series);
    let mut table = Table::new([
        "correlated",
        "most correlated pair",
        "r",
        "r of daily returns",
    ])
    .with_title("Prices or returns? The most correlated pair, three ways");
    for (what, series) in [
        ("prices (every 2-minute close)", &closes.series),
        ("daily log returns", &daily_returns),
        ("2-minute log returns", &minute_returns),
    ] {
        let best = most_correlated(&correlations_sequential(series));
        match best {
            Some(best) => table.row([
                what.to_string(),
                name(best),
                r(best.r),
                r(correlate(&daily_returns, best.a, best.b).r),
            ]),
            None => table.row([what.to_string(), "none".into(), "-".into(), "-".into()]),
        };
    }
    table.note(format!(
        "{} days of {} bars each. Prices that trend the same way correlate whether or not the stocks are related: correlate returns.",
        daily.first().map_or(0, Vec::len),
        closes.timestamps.len() / daily.first().map_or(1, |d| d.len().max(1)),
    ));
    println!("{table}");
}

/// Exercise 2.4's table: thousands of waits with a fixed pool, one thread each, and tokio.
fn print_waits(answers: Answers, args: &Args, cores: usize) -> anyhow::Result<Vec<String>> {
    let (count, wait) = (args.waits, Duration::from_millis(args.wait_ms));
    let runtime = tokio_runtime(cores).context("cannot start a tokio runtime")?;
    let in_order = |values: Vec<usize>| {
        if values.iter().copied().eq(0..count) {
            Ok(values.len())
        } else {
            Err(format!("{} answers, not 0..{count} in order", values.len()))
        }
    };
    let mut comparison = Comparison::new(
        format!(
            "{} I/O-bound waits of {} each",
            fmt_count(count as u64),
            fmt_duration(wait)
        ),
        args.runs,
    )
    .with_items(count as u64, "waits/s")
    .check_output(|outcome: &Result<usize, String>| match outcome {
        Ok(n) => format!("{n} answers in order"),
        Err(e) => e.clone(),
    });
    let pool_rounds = times(wait, count.div_ceil(args.wait_pool.max(1)));
    // The pool's run is long (count / threads rounds of the wait): once is enough.
    let (pool_time, pool_outcome) = time_runs(1, || {
        fixed_pool(count, wait, args.wait_pool)
            .map_err(|e| e.to_string())
            .and_then(in_order)
    });
    comparison.variant(
        format!("one OS thread per wait ({count} threads)"),
        "given",
        || match one_thread_each(count, wait) {
            Ok(values) => in_order(values),
            // Not a wrong answer but a system limit: the row says "panicked", the message
            // follows the table, and the next row becomes the baseline.
            Err(e) => panic!("{e}; see `ulimit -u`, or ask for fewer with --waits"),
        },
    );
    comparison.variant(
        format!("tokio tasks ({cores} worker threads)"),
        "2.4",
        || in_order(runtime.block_on(answers.spawn_all(count, |i| fake_request(i, wait)))),
    );
    comparison.limit("one wait", || std::thread::sleep(wait));
    comparison.note(format!(
        "A fixed pool of {} threads took {} (one run; expected {}: {} rounds of one wait){}.",
        args.wait_pool,
        fmt_duration(pool_time.median()),
        fmt_duration(pool_rounds),
        count.div_ceil(args.wait_pool.max(1)),
        match &pool_outcome {
            Ok(_) => String::new(),
            Err(e) => format!(", and failed: {e}"),
        }
    ));
    println!("{}", comparison.finish());
    let mut problems = comparison.problems().to_vec();
    if let Err(e) = pool_outcome {
        problems.push(format!("fixed pool: {e}"));
    }
    Ok(problems)
}
