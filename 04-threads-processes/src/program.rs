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
use clap::Parser as _;
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

/// Lesson 4: contention, communication, a process pool.
#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Timed runs of each variant; the tables show the median and the spread (min–max).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// The first year whose minute bars are aggregated.
    #[arg(long, default_value_t = 2012)]
    pub year: i32,
    /// How many years, from `--year` on: three make each timed run long enough (tens of
    /// milliseconds) to stand out of a shared machine's noise.
    #[arg(long, default_value_t = 3)]
    pub years: i32,
    /// The most threads of the scaling runs (1, 2, 4, … up to this).
    #[arg(long, default_value_t = 8)]
    pub max_threads: usize,
    /// Messages each channel of the pipeline holds.
    #[arg(long, default_value_t = 16)]
    pub bound: usize,
    /// Parser threads of the pipeline. Default: one per core (the reader and the aggregator
    /// mostly wait).
    #[arg(long)]
    pub parsers: Option<usize>,
    /// Worker processes of the pool. Default: one per core.
    #[arg(long)]
    pub workers: Option<usize>,
    /// Tiny tasks of the pool comparison.
    #[arg(long, default_value_t = 20_000)]
    pub tiny_tasks: usize,
    /// Large tasks of the pool comparison.
    #[arg(long, default_value_t = 64)]
    pub large_tasks: usize,
    /// Folder for the chart. Default: `output/04-threads-processes/` in the dataset folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Run as a worker of the process pool: read jobs on stdin, answer on stdout. The pool
    /// starts workers this way; there is no need to run it by hand.
    #[arg(long, hide = true)]
    pub worker: bool,
}

/// Parses the command line, runs the lesson with answers `A` (or serves as a worker), and
/// reports errors without a backtrace.
pub fn main<A: Answers>() -> ExitCode {
    let args = Args::parse();
    if args.worker {
        return match serve(&mut std::io::stdin().lock(), &mut std::io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("worker {}: {err}", std::process::id());
                ExitCode::FAILURE
            }
        };
    }
    match run::<A>(&args) {
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
pub fn run<A: Answers>(args: &Args) -> anyhow::Result<bool> {
    let command = format!(
        "cargo run --release -p lesson-04-threads-processes --bin {}",
        A::BINARY
    );
    if let Some(warning) = debug_build_warning(&command) {
        eprintln!("{warning}\n");
    }
    let dataset = Dataset::locate()?;
    let out = match &args.out {
        Some(out) => out.clone(),
        None => dataset.root().join("output").join("04-threads-processes"),
    };
    std::fs::create_dir_all(&out)
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
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
    println!("Lesson 4 ({}): {cores} cores.\n", A::NAME);
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
    problems.extend(print_aggregation::<A>(&cx, &records, &fmt_years(&years))?);
    problems.extend(print_atomics::<A>(&cx, &records, dataset.symbols().len()));
    print_false_sharing(&cx);
    problems.extend(print_pipeline::<A>(
        &cx, args, &files, &symbols, bytes, &records,
    ));
    problems.extend(print_pool::<A>(&cx, args)?);
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

/// Table 4.1 and the scaling chart: sequential, shared `Mutex` and partials on 1, 2, 4, 8
/// threads.
fn print_aggregation<A: Answers>(
    cx: &Setup,
    records: &[Record],
    years: &str,
) -> anyhow::Result<Vec<String>> {
    let title = format!(
        "4.1 Count, sum, min, max of every symbol's closes in {years}: {} bars",
        fmt_count(records.len() as u64)
    );
    let mut table = Comparison::new(title, cx.runs)
        .with_items(records.len() as u64, "bars/s")
        .check_output(summary);
    // Round by round: every variant sees the same moments of a noisy machine.
    let mut variants: Vec<Variant<SymbolStats>> = vec![(
        "sequential".into(),
        "given".into(),
        Box::new(|| sequential::<SymbolStats>(records)),
    )];
    for &t in &cx.thread_counts {
        variants.push((
            format!("shared Mutex, {t} threads"),
            "given".into(),
            Box::new(move || shared_mutex::<SymbolStats>(records, t)),
        ));
    }
    for &t in &cx.thread_counts {
        variants.push((
            format!("partials, {t} threads"),
            "4.1".into(),
            Box::new(move || A::partials::<SymbolStats>(records, t)),
        ));
    }
    table.interleaved(variants);
    table.note("The variants ran round by round, one run of each per round.");
    let at_cores = |name: &str| table.median(&format!("{name}, {} threads", cx.cores));
    if let (Some(mutex), Some(partials)) = (at_cores("shared Mutex"), at_cores("partials")) {
        let note = format!(
            "On {} threads, partials + merge are {:.1}× as fast as the shared Mutex.",
            cx.cores,
            mutex.as_secs_f64() / partials.as_secs_f64().max(1e-9)
        );
        table.note(note);
    }
    println!("{}", table.finish());
    let chart = scaling_chart(cx, &table);
    match chart {
        Ok(Some((path, s))) => println!(
            "Scaling chart: {} (Amdahl's law fitted: serial fraction {:.1} %).\n",
            path.display(),
            s * 100.0
        ),
        Ok(None) => println!("No scaling chart: exercise 4.1 did not run on every thread count.\n"),
        Err(e) => return Err(e),
    }
    Ok(table.problems().to_vec())
}

/// Draws speedup against threads for the partials and the shared `Mutex`, with Amdahl's
/// curve fitted to the partials; returns the chart's path and the fitted serial fraction.
fn scaling_chart(
    cx: &Setup,
    table: &Comparison<SymbolStats>,
) -> anyhow::Result<Option<(PathBuf, f64)>> {
    let Some(one) = table.median("partials, 1 threads") else {
        return Ok(None);
    };
    let speedups = |name: &str| -> Option<Vec<(f64, f64)>> {
        cx.thread_counts
            .iter()
            .map(|&t| {
                let d = table.median(&format!("{name}, {t} threads"))?;
                Some((t as f64, one.as_secs_f64() / d.as_secs_f64().max(1e-9)))
            })
            .collect()
    };
    let (Some(partials), Some(mutex)) = (speedups("partials"), speedups("shared Mutex")) else {
        return Ok(None);
    };
    let s = amdahl_fit(&partials, cx.cores);
    let amdahl: Vec<(f64, f64)> = cx
        .thread_counts
        .iter()
        .map(|&t| {
            let p = t.min(cx.cores) as f64;
            (t as f64, 1.0 / (s + (1.0 - s) / p))
        })
        .collect();
    let series = [
        Series {
            name: "partials + merge (4.1), measured".into(),
            points: partials,
        },
        Series {
            name: "shared Mutex, measured".into(),
            points: mutex,
        },
        Series {
            name: format!(
                "Amdahl's law, serial fraction {:.1} %, on min(threads, {}) cores",
                s * 100.0,
                cx.cores
            ),
            points: amdahl,
        },
    ];
    let path = cx.out.join("scaling.png");
    let title = format!(
        "Per-symbol stats: speedup over partials on 1 thread ({} cores)",
        cx.cores
    );
    shared::chart::line_chart(
        &path,
        &LineChart {
            title: &title,
            x_label: "threads",
            y_label: "speedup",
            series: &series,
            x_ticks: None,
            y_ticks: None,
        },
    )?;
    Ok(Some((path, s)))
}

// ANCHOR: amdahl
/// Fits Amdahl's law, speedup(p) = 1 / (s + (1 − s) / p), to measured `(threads, speedup)`
/// points by least squares on 1 / speedup, which is linear in the serial fraction `s`:
/// 1/S − 1/p = s (1 − 1/p). Only points with 2..=`cores` threads count: more threads than
/// cores add no processors. Returns `s` in [0, 1].
pub fn amdahl_fit(points: &[(f64, f64)], cores: usize) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for &(p, speedup) in points {
        if p < 2.0 || p > cores as f64 || speedup <= 0.0 {
            continue;
        }
        let x = 1.0 - 1.0 / p;
        num += (1.0 / speedup - 1.0 / p) * x;
        den += x * x;
    }
    if den == 0.0 {
        0.0
    } else {
        (num / den).clamp(0.0, 1.0)
    }
}
// ANCHOR_END: amdahl

/// Table 4.2: count, min and max per symbol by the shared Mutex, the partials, the atomics.
fn print_atomics<A: Answers>(cx: &Setup, records: &[Record], symbols: usize) -> Vec<String> {
    let title = format!(
        "4.2 Count, min, max of every symbol on {} threads",
        cx.cores
    );
    let mut table = Comparison::new(title, cx.runs)
        .with_items(records.len() as u64, "bars/s")
        .check_output(|e: &Vec<Extremes>| format!("{e:?}"));
    let t = cx.cores;
    table.variant("shared Mutex", "given", || {
        extremes_of(&shared_mutex::<SymbolStats>(records, t), symbols)
    });
    table.variant("partials", "4.1", || {
        extremes_of(&A::partials::<SymbolStats>(records, t), symbols)
    });
    table.variant("atomics", "4.2", || {
        atomic_extremes(records, symbols, t, A::add_atomic)
    });
    table.note("The atomics update one table that every thread shares: no lock, but the cache lines of the busiest symbols still travel between cores.");
    println!("{}", table.finish());
    table.problems().to_vec()
}

/// The false-sharing table: the same counting, packed counters against padded ones.
fn print_false_sharing(cx: &Setup) {
    let threads = cx.cores.max(2);
    let per_thread = 20_000_000u64;
    let title = format!(
        "False sharing: {threads} threads count to {} each, in their own counter",
        fmt_count(per_thread)
    );
    let mut table = Comparison::new(title, cx.runs)
        .with_items(per_thread * threads as u64, "steps/s")
        .check_output(|counts: &Vec<u64>| format!("{counts:?}"));
    table.variant("counters side by side (one cache line)", "given", || {
        count_packed(threads, per_thread)
    });
    table.variant("counters padded (CachePadded)", "given", || {
        count_padded(threads, per_thread)
    });
    println!("{}", table.finish());
}

/// Table 4.3: the pipeline, bounded and unbounded, with the memory each one held.
fn print_pipeline<A: Answers>(
    cx: &Setup,
    args: &Args,
    files: &[PathBuf],
    symbols: &[u16],
    bytes: u64,
    records: &[Record],
) -> Vec<String> {
    let parsers = args.parsers.unwrap_or(cx.cores).max(1);
    let expected = summary(&sequential::<SymbolStats>(records));
    let mut table = Table::new(["variant", "exercise", "median", "min–max", "MB/s", "peak memory rise", "output"])
        .with_title(format!(
            "4.3 Pipeline: 1 reader → {parsers} parsers → 1 aggregator, {} files ({}), median of {} runs",
            fmt_count(files.len() as u64),
            fmt_bytes(bytes),
            cx.runs.max(1)
        ));
    let mut problems = Vec::new();
    let mut timings = Vec::new();
    for (name, bound) in [
        (
            format!("bounded, {} messages", args.bound),
            Some(args.bound),
        ),
        ("unbounded".to_string(), None),
    ] {
        let errors = Mutex::new(Vec::new());
        let run = || {
            A::pipeline::<_, SymbolStats>(
                files.len(),
                |i| read_chunk(files, symbols, i),
                |chunk| parse_chunk(files, chunk, &errors),
                bound,
                parsers,
            )
        };
        let outcome = shared::report::catch_quietly(|| peak_rise(|| time_runs(cx.runs, run)));
        match outcome {
            Ok(((timing, stats), rise)) => {
                let got = summary(&stats);
                let ok = got == expected && errors.lock().map_or(true, |e| e.is_empty());
                if !ok {
                    problems.push(format!("pipeline, {name}: wrong output"));
                }
                table.row([
                    name.clone(),
                    "4.3".into(),
                    fmt_duration(timing.median()),
                    timing.fmt_spread(),
                    fmt_rate(bytes, timing.median()),
                    rise.map_or("n/a".into(), fmt_bytes),
                    if ok { "right" } else { "wrong" }.into(),
                ]);
                timings.push((name, timing));
            }
            Err(message) => {
                let status = if shared::panic::is_todo(&message) {
                    "not done yet"
                } else {
                    problems.push(format!("pipeline, {name}: panicked: {message}"));
                    "panicked"
                };
                table.row([
                    name,
                    "4.3".into(),
                    status.into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                ]);
            }
        }
    }
    let (timing, _) = time_runs(cx.runs, || load_records(files, |i| symbols[i]));
    table.row([
        format!("limit: read + parse on {} threads (rayon)", cx.cores),
        "-".into(),
        fmt_duration(timing.median()),
        timing.fmt_spread(),
        fmt_rate(bytes, timing.median()),
        "-".into(),
        "-".into(),
    ]);
    let limit = timing;
    table.note("peak memory rise: the highest resident memory during the runs, above what the process held before (Linux /proc/self/status).");
    table.note("Reading is about ten times faster than parsing: unbounded, the reader runs ahead and the files' bytes wait in the channel.");
    let variants: Vec<(&str, &shared::report::Timing)> = timings
        .iter()
        .map(|(name, timing)| (name.as_str(), timing))
        .collect();
    let limits = [("the limit", &limit)];
    let mut doubts = shared::report::spread_doubts(
        shared::machine::busy(),
        variants.iter().copied().chain(limits),
    );
    doubts.extend(shared::report::beaten_limit(&variants, &limits));
    if let Some(warning) = shared::report::untrusted_warning(&doubts) {
        table.note(warning);
    }
    println!("{table}");
    problems
}

/// Table 4.4: threads against the process pool, for tiny tasks and large ones, then a
/// worker that crashes mid-task.
fn print_pool<A: Answers>(cx: &Setup, args: &Args) -> anyhow::Result<Vec<String>> {
    let workers = args.workers.unwrap_or(cx.cores).max(1);
    let command = WorkerCommand::this_program()
        .context("cannot find this program's own path to start workers")?;
    let tiny: Vec<Task> = (0..args.tiny_tasks)
        .map(|i| Task::Sum((0..16).map(|k| (i * 16 + k) as f64).collect()))
        .collect();
    let large: Vec<Task> = (0..args.large_tasks)
        .map(|i| Task::Simulate {
            seed: i as u64,
            paths: 2_000,
            steps: 390,
        })
        .collect();
    let mut problems = Vec::new();
    for (what, tasks) in [
        ("tiny tasks: sums of 16 numbers", &tiny),
        (
            "large tasks: 2,000 simulated days of 390 minutes each",
            &large,
        ),
    ] {
        let title = format!(
            "4.4 {} {what}, on {workers} threads or {workers} worker processes",
            fmt_count(tasks.len() as u64)
        );
        let mut table = Comparison::new(title, cx.runs)
            .with_items(tasks.len() as u64, "tasks/s")
            .check_output(|o: &Vec<Output>| outputs_summary(o));
        let threads: Variant<Vec<Output>> = (
            "threads (rayon)".into(),
            "given".into(),
            Box::new(|| {
                run_threads(tasks, workers)
                    .unwrap_or_else(|e| panic!("cannot start {workers} threads: {e}"))
            }),
        );
        let processes: Variant<Vec<Output>> = (
            "worker processes".into(),
            "4.4".into(),
            Box::new(|| {
                A::run_pool(&|| command.start(), workers, tasks).unwrap_or_else(|e| panic!("{e}"))
            }),
        );
        table.interleaved(vec![threads, processes]);
        if let (Some(threads), Some(pool)) = (
            table.median("threads (rayon)"),
            table.median("worker processes"),
        ) {
            let per_task = |d: Duration| d.as_secs_f64() / tasks.len().max(1) as f64;
            let extra = per_task(pool) - per_task(threads);
            table.note(if extra > 0.0 {
                format!(
                    "The processes cost {} more per task: the job and its output are encoded, written to a pipe, read and decoded (and the workers started).",
                    fmt_duration(Duration::from_secs_f64(extra))
                )
            } else {
                "No cost per task shows at this size: the work dwarfs the frames.".to_string()
            });
        }
        println!("{}", table.finish());
        problems.extend_from_slice(table.problems());
    }
    problems.extend(print_crash::<A>(cx, &command, workers, &large));
    Ok(problems)
}

/// The isolation demo: the first worker to get job 5 aborts; the pool must carry on.
fn print_crash<A: Answers>(
    cx: &Setup,
    command: &WorkerCommand,
    workers: usize,
    tasks: &[Task],
) -> Vec<String> {
    let job = 5.min(tasks.len().saturating_sub(1));
    let marker = cx.out.join(format!("abort-once-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let mut crashing = command.clone();
    crashing
        .envs
        .push((ABORT_ONCE_ENV.into(), format!("{job}:{}", marker.display())));
    println!(
        "4.4 Isolation: the first worker to get job {job} aborts (as a crash in native code would)."
    );
    let expected = run_threads(tasks, workers).ok();
    let outcome =
        shared::report::catch_quietly(|| A::run_pool(&|| crashing.start(), workers, tasks));
    let aborted = marker.exists();
    let _ = std::fs::remove_file(&marker);
    let problem = match outcome {
        Err(message) if shared::panic::is_todo(&message) => {
            println!("  not done yet.\n");
            return Vec::new();
        }
        Err(message) => Some(format!("the pool panicked: {message}")),
        Ok(Err(e)) => Some(format!("the pool gave up: {e}")),
        Ok(Ok(outputs)) if Some(&outputs) != expected.as_ref() => Some(format!(
            "{} outputs for {} tasks, not the threads' outputs",
            outputs.len(),
            tasks.len()
        )),
        Ok(Ok(outputs)) => {
            println!(
                "  a worker {} job {job}; the pool gave {} outputs for {} tasks, the same as the threads', and the parent carried on.\n",
                if aborted {
                    "aborted on"
                } else {
                    "did not abort on (fewer tasks than 6?)"
                },
                outputs.len(),
                tasks.len()
            );
            None
        }
    };
    match problem {
        Some(problem) => {
            println!("  problem: {problem}\n");
            vec![format!("4.4 isolation: {problem}")]
        }
        None => Vec::new(),
    }
}

/// What two runs of the same tasks share exactly: how many outputs, and every value.
fn outputs_summary(outputs: &[Output]) -> String {
    let values: Vec<f64> = outputs
        .iter()
        .flat_map(|o| match *o {
            Output::Sum(x) => vec![x],
            Output::Simulated { mean, p5 } => vec![mean, p5],
        })
        .collect();
    let total: f64 = values.iter().sum();
    format!(
        "{} outputs, total {total:e}, last {:?}",
        outputs.len(),
        outputs.last()
    )
}
