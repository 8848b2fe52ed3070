//! What `exercise-01` and `solution-01` run: the lesson's story on the full dataset, ending
//! with one timing table. Both binaries run this same code, one with your answers and one
//! with the reference's, so their tables compare like with like.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser as _;
use rayon::prelude::*;
use shared::Dataset;
use shared::report::{
    Table, Timing, fmt_bytes, fmt_count, fmt_duration, fmt_rate, fmt_speedup, time_runs,
};

use crate::convert::{
    ConvertError, Converted, Parser, convert_all_sequential, convert_file, parse_value,
    profile_sequential,
};
use crate::{exercise, granularity, naps, solution};

/// The result of converting one file.
pub type Outcome = Result<Converted, ConvertError>;
/// The per-file work handed to a parallel map.
pub type Work<'a> = &'a (dyn Fn(&PathBuf) -> Outcome + Sync);

/// A variant of the lesson's job, ready to be timed.
type Run<'a, T> = Box<dyn Fn() -> T + 'a>;

/// One set of answers to the exercises: yours or the reference's.
#[derive(Clone, Copy)]
pub struct Answers {
    pub label: &'static str,
    pub par_map_rayon: for<'a> fn(&[PathBuf], Work<'a>) -> Vec<Outcome>,
    pub par_map_by_hand: for<'a> fn(&[PathBuf], usize, Work<'a>) -> Vec<Outcome>,
    pub parse_typed: Parser,
}

impl Answers {
    /// Your answers, from `exercise.rs`.
    pub fn exercise() -> Self {
        Answers {
            label: "exercise",
            par_map_rayon: |items, work| exercise::par_map_rayon(items, work),
            par_map_by_hand: |items, threads, work| exercise::par_map_by_hand(items, threads, work),
            parse_typed: exercise::parse_typed,
        }
    }

    /// The reference answers, from `solution.rs`.
    pub fn solution() -> Self {
        Answers {
            label: "solution",
            par_map_rayon: |items, work| solution::par_map_rayon(items, work),
            par_map_by_hand: |items, threads, work| solution::par_map_by_hand(items, threads, work),
            parse_typed: solution::parse_typed,
        }
    }
}

/// Lesson 1: convert every JSON Lines file of the dataset to Parquet, several ways, and time
/// them.
#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Timed runs of each variant; the table shows the median.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Folder for the Parquet files. Default: `columnar/` in the dataset folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Threads for the by-hand map (exercise 1.2). Default: one per core.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Number of naps in the naps example.
    #[arg(long, default_value_t = 8)]
    pub naps: usize,
    /// Length of each nap, in milliseconds.
    #[arg(long, default_value_t = 500)]
    pub nap_ms: u64,
    /// Skip the naps and granularity examples; only convert.
    #[arg(long)]
    pub skip_examples: bool,
}

/// Parses the command line, runs the lesson, and reports errors without a backtrace.
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

/// Runs the lesson; returns whether every file converted.
pub fn run(answers: Answers, args: &Args) -> anyhow::Result<bool> {
    let dataset = Dataset::locate()?;
    let inputs = dataset.json_files();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| dataset.root().join("columnar"));
    std::fs::create_dir_all(&out)
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let threads = args.threads.unwrap_or_else(rayon::current_num_threads);
    println!(
        "Lesson 1 ({}): {} JSON Lines files → Parquet in {}; {} threads, median of {} runs.\n",
        answers.label,
        inputs.len(),
        out.display(),
        rayon::current_num_threads(),
        args.runs
    );

    // Warm the page cache so that every variant reads from memory, not from the disk.
    let files: Vec<(PathBuf, Vec<u8>)> = inputs
        .iter()
        .map(|p| {
            std::fs::read(p)
                .map(|bytes| (p.clone(), bytes))
                .with_context(|| format!("cannot read {}", p.display()))
        })
        .collect::<anyhow::Result<_>>()?;
    let bytes_in: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();

    print_profile(&inputs, &out);
    if !args.skip_examples {
        print_naps(args.naps, Duration::from_millis(args.nap_ms))?;
        print_granularity(args.runs);
    }
    let failures = print_conversions(answers, args.runs, threads, &inputs, &files, &out, bytes_in);
    report_failures(&failures, inputs.len());
    Ok(failures.is_empty())
}

fn print_profile(inputs: &[PathBuf], out: &Path) {
    match profile_sequential(inputs, out) {
        Ok(p) => {
            let total = p.read + p.parse + p.build + p.write;
            let mut table = Table::new(["step", "time", "share"])
                .with_title("Where the sequential Value conversion spends its time");
            for (step, d) in [
                ("read", p.read),
                ("parse JSON into Value", p.parse),
                ("build columns", p.build),
                ("write Parquet", p.write),
            ] {
                table.row([
                    step.to_string(),
                    fmt_duration(d),
                    format!("{:.0}%", 100.0 * d.as_secs_f64() / total.as_secs_f64()),
                ]);
            }
            table.row([
                "total".to_string(),
                fmt_duration(total),
                fmt_rate(p.bytes, total),
            ]);
            println!("{table}");
        }
        Err(e) => println!("(no profile: {e})\n"),
    }
}

fn print_naps(count: usize, length: Duration) -> anyhow::Result<()> {
    let cores = rayon::current_num_threads();
    let mut table = Table::new(["naps example", "time", "expected"])
        .with_title(format!("{count} naps of {} each", fmt_duration(length)));
    let rounds = |threads: usize| length * count.div_ceil(threads.max(1)) as u32;
    let (t, _) = time_runs(1, || naps::naps_sequential(count, length));
    table.row([
        "sequential".to_string(),
        fmt_duration(t.median()),
        fmt_duration(rounds(1)),
    ]);
    let (t, _) = time_runs(1, || naps::naps_scoped_threads(count, length));
    table.row([
        "std::thread::scope, a thread per nap".to_string(),
        fmt_duration(t.median()),
        fmt_duration(rounds(count)),
    ]);
    let (t, _) = time_runs(1, || naps::naps_rayon(count, length));
    table.row([
        format!("rayon, global pool ({cores} threads)"),
        fmt_duration(t.median()),
        fmt_duration(rounds(cores)),
    ]);
    let (t, result) = time_runs(1, || naps::naps_rayon_pool(count, length, count));
    result?;
    table.row([
        format!("rayon, pool of {count} threads"),
        fmt_duration(t.median()),
        fmt_duration(rounds(count)),
    ]);
    println!("{table}");
    Ok(())
}

fn print_granularity(runs: usize) {
    let input = granularity::BATCHES;
    // One untimed run first: after the naps the cores may have slowed down to save power.
    granularity::sequential(input);
    let (seq, expected) = time_runs(runs, || granularity::sequential(input));
    let mut table = Table::new(["variant", "median", "vs sequential"]).with_title(format!(
        "Granularity: a small sum over each of {} batches of {} numbers",
        fmt_count(granularity::BATCHES as u64),
        fmt_count(granularity::BATCH as u64)
    ));
    table.row([
        "sequential".to_string(),
        fmt_duration(seq.median()),
        "1.00×".to_string(),
    ]);
    let variants: [(&str, &dyn Fn() -> u64); 3] = [
        ("par_iter inside each batch (fine)", &|| {
            granularity::fine(input)
        }),
        ("  … with_min_len(1024)", &|| {
            granularity::fine_min_len(input, 1024)
        }),
        ("par_iter over the batches (coarse)", &|| {
            granularity::coarse(input)
        }),
    ];
    for (name, variant) in variants {
        let (t, sum) = time_runs(runs, variant);
        assert_eq!(sum, expected, "{name} computed another sum");
        table.row([
            name.to_string(),
            fmt_duration(t.median()),
            fmt_speedup(seq.median(), t.median()),
        ]);
    }
    table.note("(a speedup below 1.00× is a slowdown)");
    println!("{table}");
}

/// Times `run` `runs` times, or returns `None` if it panicked (an exercise not done yet).
fn time_variant<T>(runs: usize, run: impl FnMut() -> T) -> Option<(Timing, T)> {
    catch_unwind(AssertUnwindSafe(|| time_runs(runs, run))).ok()
}

#[allow(clippy::too_many_arguments)]
fn print_conversions(
    answers: Answers,
    runs: usize,
    threads: usize,
    inputs: &[PathBuf],
    files: &[(PathBuf, Vec<u8>)],
    out: &Path,
    bytes_in: u64,
) -> Vec<ConvertError> {
    let typed = answers.parse_typed;
    let with = |parse: Parser| move |input: &PathBuf| convert_file(input, out, parse);
    let typed_work = with(typed);
    #[cfg_attr(not(feature = "simd"), allow(unused_mut))]
    let mut variants: Vec<(String, &str, Run<Vec<Outcome>>)> = vec![
        (
            "sequential, Value".into(),
            "given",
            Box::new(|| convert_all_sequential(inputs, out, parse_value)),
        ),
        (
            "sequential, typed".into(),
            "1.3",
            Box::new(|| convert_all_sequential(inputs, out, typed)),
        ),
        (
            "rayon, typed".into(),
            "1.1 + 1.3",
            Box::new(|| (answers.par_map_rayon)(inputs, &typed_work)),
        ),
        (
            format!("by hand ({threads} threads), typed"),
            "1.2 + 1.3",
            Box::new(|| (answers.par_map_by_hand)(inputs, threads, &typed_work)),
        ),
    ];
    // Going further: the same conversions with a SIMD JSON parser (`--features simd`).
    #[cfg(feature = "simd")]
    {
        let sonic_work = with(crate::simd::parse_sonic);
        variants.push((
            "sequential, sonic-rs".into(),
            "given",
            Box::new(|| convert_all_sequential(inputs, out, crate::simd::parse_sonic)),
        ));
        variants.push((
            "rayon, sonic-rs".into(),
            "1.1",
            Box::new(move || (answers.par_map_rayon)(inputs, &sonic_work)),
        ));
    }

    let mut table = Table::new(["variant", "exercise", "median", "JSON MB/s", "× seq. Value"])
        .with_title(format!(
            "JSON Lines → Parquet: {} files, {} in, {} rows",
            inputs.len(),
            fmt_bytes(bytes_in),
            fmt_count(rows(files))
        ));
    let mut baseline = None;
    let mut failures = Vec::new();
    for (name, exercise, run) in &variants {
        match time_variant(runs, run) {
            Some((timing, outcomes)) => {
                let median = timing.median();
                let base = *baseline.get_or_insert(median);
                table.row([
                    name.clone(),
                    exercise.to_string(),
                    fmt_duration(median),
                    fmt_rate(bytes_in, median),
                    fmt_speedup(base, median),
                ]);
                if failures.is_empty() {
                    failures = outcomes.into_iter().filter_map(Result::err).collect();
                }
            }
            None => {
                table.row([
                    name.clone(),
                    exercise.to_string(),
                    "not done yet".into(),
                    "-".into(),
                    "-".into(),
                ]);
            }
        }
    }

    let reference = solution::parse_typed;
    let limits: [(&str, Run<usize>); 3] = [
        (
            "limit: read only (page cache), all cores",
            Box::new(|| {
                inputs
                    .par_iter()
                    .map(|p| std::fs::read(p).map_or(0, |b| b.len()))
                    .sum()
            }),
        ),
        (
            "limit: parse only, typed, 1 thread",
            Box::new(|| {
                files
                    .iter()
                    .map(|(p, b)| reference(p, b).map_or(0, |c| c.len()))
                    .sum()
            }),
        ),
        (
            "limit: parse only, typed, all cores",
            Box::new(|| {
                files
                    .par_iter()
                    .map(|(p, b)| reference(p, b).map_or(0, |c| c.len()))
                    .sum()
            }),
        ),
    ];
    let mut parse_limit = None;
    for (name, run) in &limits {
        let (timing, _) = time_runs(runs, run);
        let median = timing.median();
        parse_limit = Some(median);
        let base = baseline.unwrap_or(median);
        table.row([
            name.to_string(),
            "-".into(),
            fmt_duration(median),
            fmt_rate(bytes_in, median),
            fmt_speedup(base, median),
        ]);
    }
    table.note("MB/s: megabytes of JSON in per second. Inputs are read from the page cache (warmed first).");
    if let Some(limit) = parse_limit {
        table.note(format!(
            "The parse-only limit uses the reference parser: {} for these files.",
            fmt_duration(limit)
        ));
    }
    println!("{table}");
    failures
}

fn rows(files: &[(PathBuf, Vec<u8>)]) -> u64 {
    files
        .iter()
        .map(|(_, b)| b.iter().filter(|&&c| c == b'\n').count() as u64)
        .sum()
}

fn report_failures(failures: &[ConvertError], total: usize) {
    if failures.is_empty() {
        return;
    }
    eprintln!(
        "\n{} of {total} files could not be converted (the others were):",
        failures.len()
    );
    for failure in failures {
        eprintln!("  - {failure}");
    }
}
