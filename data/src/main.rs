//! `cargo run --release -p data`: makes the course's dataset (see `--help`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::Parser;
use data::{Options, Size, check, generate};
use shared::dataset::{DATA_ENV, default_folder};
use shared::report::{debug_build_warning, fmt_bytes, fmt_count, fmt_duration, fmt_rate};

/// Make the course's fake stock-market dataset: one CSV of 2-minute bars per symbol per
/// trading day under minute/, and a JSON Lines file per symbol (its last 365 trading days)
/// under json/. The same options always give the same bytes. A rerun only rewrites files
/// that are missing or have the wrong size, so an interrupted run can simply be started
/// again; damage that keeps a file's size is found by --check and repaired by --force.
#[derive(Debug, Parser)]
#[command(
    version,
    after_help = "Examples:\n  cargo run --release -p data                       # the full ~1 GB dataset into data/\n  cargo run --release -p data -- --size small       # ~40 MB, for a quick start\n  cargo run --release -p data -- --check            # verify every byte of an existing dataset\n  cargo run --release -p data -- --out /dev/shm/d   # write to a RAM disk"
)]
struct Args {
    /// How much data: tiny (4 symbols, 3 days, ~0.5 MB), small (8 symbols, half a year,
    /// ~40 MB) or full (29 symbols, 2010-2016, ~1 GB).
    #[arg(long, value_enum, default_value_t = Size::Full)]
    size: Size,
    /// Folder to write into. Default: $PARALLEL_RUST_DATA if set, else the workspace's data/.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Random seed; the same seed gives the same bytes. Default: 2016.
    #[arg(long)]
    seed: Option<u64>,
    /// Comma-separated tickers, e.g. AAPL,GOOG,JPM. Default: the size's symbols.
    #[arg(long, value_delimiter = ',', value_name = "TICKERS")]
    symbols: Option<Vec<String>>,
    /// First calendar day, YYYY-MM-DD. Default: the size's.
    #[arg(long, value_name = "DATE")]
    start: Option<NaiveDate>,
    /// Last calendar day, YYYY-MM-DD. Default: the size's.
    #[arg(long, value_name = "DATE")]
    end: Option<NaiveDate>,
    /// Trading days in each JSON Lines file (the last ones). Default: 365.
    #[arg(long, value_name = "N")]
    json_days: Option<usize>,
    /// Verify the existing dataset instead of writing: regenerate every file in memory and
    /// compare it byte for byte with the disk.
    #[arg(long, conflicts_with_all = ["size", "seed", "symbols", "start", "end", "json_days", "force"])]
    check: bool,
    /// Rewrite every file, even if the dataset looks complete.
    #[arg(long)]
    force: bool,
    /// Allow a dataset above 5 GB (the full one is about 1 GB).
    #[arg(long)]
    allow_large: bool,
    /// Worker threads, at least 1. Default: one per core.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    if let Some(threads) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(threads))
            .build_global()
            .context("cannot start the thread pool")?;
    }
    if let Some(warning) = debug_build_warning("cargo run --release -p data") {
        eprintln!("{warning}");
    }
    let root = args.out.clone().unwrap_or_else(default_folder);
    if root.exists() && !root.is_dir() {
        bail!(
            "{} is a file, not a folder: --out (or {DATA_ENV}) names the folder to write the dataset into",
            root.display()
        );
    }
    if !args.quiet {
        let verb = if args.check { "Checks" } else { "Writes" };
        let why = shared::dataset::why_this_folder(&root);
        let warning = shared::dataset::build_time_warning(&root);
        println!("{verb}: {}{why}{warning}", root.display());
    }
    if args.check {
        return run_check(&root, !args.quiet);
    }

    let mut spec = args.size.spec();
    spec.seed = args.seed.unwrap_or(spec.seed);
    spec.symbols = args.symbols.unwrap_or(spec.symbols);
    spec.start = args.start.unwrap_or(spec.start);
    spec.end = args.end.unwrap_or(spec.end);
    spec.json_days = args.json_days.unwrap_or(spec.json_days);

    let options = Options {
        force: args.force,
        progress: !args.quiet,
        allow_large: args.allow_large,
    };
    let s = generate(&spec, &root, options)?;
    let dataset = format!(
        "{} files, {}, {} rows",
        fmt_count(s.files),
        fmt_bytes(s.bytes),
        fmt_count(s.rows)
    );
    if s.written_files == 0 && s.removed_files == 0 {
        println!("{}: up to date ({dataset}); nothing to do.", root.display());
    } else {
        println!(
            "{}: {dataset}. Wrote {} files ({}) in {} = {}{}.",
            root.display(),
            fmt_count(s.written_files),
            fmt_bytes(s.written_bytes),
            fmt_duration(s.elapsed),
            fmt_rate(s.written_bytes, s.elapsed),
            match s.removed_files {
                0 => String::new(),
                n => format!("; removed {} files of the previous spec", fmt_count(n)),
            }
        );
    }
    Ok(())
}

fn run_check(root: &std::path::Path, progress: bool) -> anyhow::Result<()> {
    let report = check(root, progress)?;
    if report.problems.is_empty() {
        println!(
            "{}: all {} files ({}) are exactly as generated.",
            root.display(),
            fmt_count(report.files),
            fmt_bytes(report.bytes)
        );
        return Ok(());
    }
    const SHOWN: usize = 20;
    for problem in report.problems.iter().take(SHOWN) {
        eprintln!("{}: {}", problem.path.display(), problem.what);
    }
    if report.problems.len() > SHOWN {
        eprintln!("… and {} more", report.problems.len() - SHOWN);
    }
    let dataset = data::Dataset::open(root)?;
    let problems = match report.problems.len() {
        1 => "1 problem".to_string(),
        n => format!("{} problems", fmt_count(n as u64)),
    };
    bail!(
        "{problems} in {} ({} files checked). Rewrite the dataset with `{}`",
        root.display(),
        fmt_count(report.files),
        dataset.generator_command("--force")
    )
}
