//! What `exercise-01` and `solution-01` run: the lesson's story on the full dataset, ending
//! with one timing table. Both binaries run this same code, one with your answers and one
//! with the reference's, so their tables compare like with like.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser as _;
use rayon::prelude::*;
use shared::Dataset;
use shared::report::{
    Comparison, Table, debug_build_warning, fmt_bytes, fmt_count, fmt_duration, fmt_rate, time_runs,
};

use crate::answers::Answers;
use crate::convert::{
    ConvertError, Outcome, Parser, convert_all_sequential, convert_file, parse_value,
    profile_sequential,
};
use crate::{granularity, naps};

/// Lesson 1: convert every JSON Lines file of the dataset to Parquet, several ways, and time
/// them.
#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Timed runs of each variant; the table shows the median and the spread (min–max).
    #[arg(long, default_value_t = 3, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
    pub runs: usize,
    /// Folder for the Parquet files. Default: `output/01-map/` in the dataset folder (not
    /// `columnar/`, which later lessons read and given code makes).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Threads for the by-hand map (exercise 1.2). Default: one per core.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub threads: Option<usize>,
    /// Number of naps in the naps example (1 to 1024: each takes a thread).
    #[arg(long, default_value_t = 8, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub naps: usize,
    /// Length of each nap, in milliseconds (0 to 60,000).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub nap_ms: u64,
    /// Skip the naps and granularity examples; only convert.
    #[arg(long)]
    pub skip_examples: bool,
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

/// Everything the conversion variants share.
struct Job<'a> {
    inputs: &'a [PathBuf],
    /// The inputs that could be read, with their bytes: read once to warm the page cache,
    /// and the input of the parse-only limits.
    files: &'a [(PathBuf, Vec<u8>)],
    out: &'a Path,
    threads: usize,
    runs: usize,
}

/// Runs the lesson; returns whether every file converted.
pub fn run(answers: Answers, args: &Args) -> anyhow::Result<bool> {
    let command = format!(
        "cargo run --release -p lesson-01-map --bin {}",
        answers.binary()
    );
    if let Some(warning) = debug_build_warning(&command) {
        eprintln!("{warning}\n");
    }
    let dataset = Dataset::locate()?;
    let inputs = dataset.json_files();
    let out = match &args.out {
        Some(out) => out.clone(),
        None => dataset.root().join("output").join("01-map"),
    };
    shared::dataset::prepare_output(&out).map_err(anyhow::Error::msg)?;
    println!(
        "{}\n",
        shared::dataset::location_lines(dataset.root(), Some(&out))
    );
    let threads = args.threads.unwrap_or_else(rayon::current_num_threads);
    println!(
        "Lesson 1 ({}): {} JSON Lines files → Parquet in {}; {} threads.\n",
        answers.name(),
        inputs.len(),
        out.display(),
        rayon::current_num_threads(),
    );

    // Warm the page cache so that every variant reads from memory, not from the disk. A file
    // that cannot be read is left out here; every variant then reports it, file by file.
    let files: Vec<(PathBuf, Vec<u8>)> = inputs
        .iter()
        .filter_map(|p| {
            shared::read::read_bytes(p)
                .ok()
                .map(|bytes| (p.clone(), bytes))
        })
        .collect();
    let readable: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    print_profile(&readable, &out);
    if !args.skip_examples {
        print_naps(args.naps, Duration::from_millis(args.nap_ms))?;
        print_granularity(args.runs);
    }
    let job = Job {
        inputs: &inputs,
        files: &files,
        out: &out,
        threads,
        runs: args.runs,
    };
    let (failures, problems) = print_conversions(answers, &job);
    report_failures(&failures, inputs.len());
    for problem in &problems {
        eprintln!("problem: {problem}");
    }
    Ok(failures.is_empty() && problems.is_empty())
}

fn print_profile(inputs: &[PathBuf], out: &Path) {
    match profile_sequential(inputs, out) {
        Ok(p) => {
            let total = p.read + p.parse + p.build + p.free + p.write;
            let mut table = Table::new(["step", "time", "share"])
                .with_title("Where the sequential Value conversion spends its time (one run)");
            for (step, d) in [
                ("read", p.read),
                ("parse JSON into Value", p.parse),
                ("build columns", p.build),
                ("free the Value trees", p.free),
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
    let mut comparison = Comparison::new(
        format!(
            "Granularity: a small sum over each of {} batches of {} numbers",
            fmt_count(granularity::BATCHES as u64),
            fmt_count(granularity::BATCH as u64)
        ),
        runs,
    )
    .check_output(|sum: &u64| format!("sum {sum}"));
    comparison.variant("sequential", "", || granularity::sequential(input));
    comparison.variant("par_iter inside each batch (fine)", "", || {
        granularity::fine(input)
    });
    comparison.variant("  … with_min_len(1024)", "", || {
        granularity::fine_min_len(input, 1024)
    });
    comparison.variant("par_iter over the batches (coarse)", "", || {
        granularity::coarse(input)
    });
    println!("{}", comparison.finish());
}

/// Times every conversion variant with `answers`, then the limits, and prints the table.
/// Returns the failed files (from the first variant that ran) and the variants' problems.
fn print_conversions(answers: Answers, job: &Job) -> (Vec<ConvertError>, Vec<String>) {
    let (inputs, out, threads) = (job.inputs, job.out, job.threads);
    let bytes_in: u64 = job.files.iter().map(|(_, b)| b.len() as u64).sum();
    let rows: u64 = job.files.iter().map(|(_, b)| count_lines(b)).sum();
    let mut comparison = Comparison::new(
        format!(
            "JSON Lines → Parquet: {} files, {} in, {} rows",
            inputs.len(),
            fmt_bytes(bytes_in),
            fmt_count(rows)
        ),
        job.runs,
    )
    .with_bytes(bytes_in)
    .check_output(|outcomes: &Vec<Outcome>| summarise(outcomes));
    let work = |parse: Parser| move |input: &PathBuf| convert_file(input, out, parse);
    let typed = work(answers.parser());

    let mut failures = None;
    let mut keep_failures = |outcomes: Option<Vec<Outcome>>| {
        if let (None, Some(outcomes)) = (&failures, outcomes) {
            failures = Some(outcomes.into_iter().filter_map(Result::err).collect());
        }
    };
    keep_failures(comparison.variant("sequential, Value", "given", || {
        convert_all_sequential(inputs, out, parse_value)
    }));
    keep_failures(comparison.variant("sequential, typed", "1.3", || {
        convert_all_sequential(inputs, out, answers.parser())
    }));
    keep_failures(comparison.variant("rayon, typed", "1.1 + 1.3", || {
        answers.par_map_rayon(inputs, typed)
    }));
    keep_failures(comparison.variant(
        format!("by hand ({threads} threads), typed"),
        "1.2 + 1.3",
        || answers.par_map_by_hand(inputs, threads, typed),
    ));
    // Going further: the same conversions with a SIMD JSON parser (`--features simd`).
    #[cfg(feature = "simd")]
    {
        let sonic = work(crate::simd::parse_sonic);
        keep_failures(comparison.variant("sequential, sonic-rs", "given", || {
            convert_all_sequential(inputs, out, crate::simd::parse_sonic)
        }));
        keep_failures(comparison.variant("rayon, sonic-rs", "1.1", || {
            answers.par_map_rayon(inputs, sonic)
        }));
    }
    add_limits(&mut comparison, job);
    comparison.note("MB/s: megabytes of JSON in per second. Inputs are read from the page cache (warmed first).");
    println!("{}", comparison.finish());
    (failures.unwrap_or_default(), comparison.problems().to_vec())
}

/// The rows no variant can beat: reading the bytes, and parsing them with the reference's
/// typed parser on one core and on all of them, with no writing.
fn add_limits<T>(comparison: &mut Comparison<T>, job: &Job) {
    let (inputs, files) = (job.inputs, job.files);
    let parse = |(path, bytes): &(PathBuf, Vec<u8>)| {
        Answers::SOLUTION
            .parse_typed(path, bytes)
            .map_or(0, |c| c.len())
    };
    comparison.limit("read only (page cache), all cores", || {
        inputs
            .par_iter()
            .map(|p| shared::read::read_bytes(p).map_or(0, |b| b.len()))
            .sum::<usize>()
    });
    comparison.one_thread_limit("parse only, typed, 1 thread", || {
        files.iter().map(parse).sum::<usize>()
    });
    comparison.limit("parse only, typed, all cores", || {
        files.par_iter().map(parse).sum::<usize>()
    });
}

/// What a conversion variant did, for comparing it with the baseline: files converted,
/// rows written, files failed.
fn summarise(outcomes: &[Outcome]) -> String {
    let converted: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    let rows: u64 = converted.iter().map(|c| c.rows).sum();
    format!(
        "{} files converted ({} rows), {} failed",
        converted.len(),
        fmt_count(rows),
        outcomes.len() - converted.len()
    )
}

/// Rows as the parsers count them: non-blank lines.
fn count_lines(bytes: &[u8]) -> u64 {
    shared::read::json_lines(bytes).count() as u64
}

/// "1 of 4 files could not be converted (the other 3 were converted)", in plain English
/// whatever the counts.
pub fn failure_summary(failed: usize, total: usize) -> String {
    match (failed, total - failed) {
        (1, 0) => "the one file could not be converted".to_string(),
        (_, 0) => format!("none of the {total} files could be converted"),
        (_, 1) => format!("{failed} of {total} files could not be converted (the other one was)"),
        (_, n) => format!(
            "{failed} of {total} files could not be converted (the other {n} were converted)"
        ),
    }
}

fn report_failures(failures: &[ConvertError], total: usize) {
    if failures.is_empty() {
        return;
    }
    eprintln!("\n{}:", failure_summary(failures.len(), total));
    for failure in failures {
        eprintln!("  - {failure}");
    }
}
