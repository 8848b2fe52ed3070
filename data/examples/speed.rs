//! How fast is the generator, next to the fastest it could be: writing the same bytes?
//!
//! ```text
//! cargo run --release -p data --example speed -- [DIR] [RUNS] [SIZE]
//! ```
//!
//! Generates the dataset (default `full`) into a fresh folder inside DIR (default
//! `/dev/shm`) RUNS times (default 3), each into an empty folder; then, from memory, writes
//! the very same files and bytes the same way (in parallel, each under a temporary name then
//! renamed) RUNS times. Prints medians and the ratio. Deletes its folder at the end, and
//! never touches anything else in DIR (so `-- data` does not wipe your dataset).

use std::path::PathBuf;

use data::{Options, Size, generate};
use rayon::prelude::*;
use shared::report::{Table, Timing, fmt_bytes, fmt_duration, fmt_rate, fmt_speedup, time_runs};

fn main() -> anyhow::Result<()> {
    if let Some(warning) =
        shared::report::debug_build_warning("cargo run --release -p data --example speed")
    {
        eprintln!("{warning}");
    }
    let mut args = std::env::args().skip(1);
    let parent = PathBuf::from(args.next().unwrap_or_else(|| "/dev/shm".into()));
    let work = tempfile::Builder::new()
        .prefix("parallel-rust-speed")
        .tempdir_in(&parent)?;
    let dir = work.path().join("dataset");
    let runs: usize = args.next().map_or(Ok(3), |r| r.parse())?.max(1);
    let size = match args.next().as_deref() {
        None | Some("full") => Size::Full,
        Some("small") => Size::Small,
        Some("tiny") => Size::Tiny,
        Some(other) => anyhow::bail!("unknown size {other:?}: use tiny, small or full"),
    };
    let spec = size.spec();
    let fresh = || {
        let _ = std::fs::remove_dir_all(&dir);
    };

    let mut generated = Vec::with_capacity(runs);
    let mut summary = None;
    for _ in 0..runs {
        fresh();
        let (timing, result) = time_runs(1, || generate(&spec, &dir, Options::default()));
        summary = Some(result?);
        generated.extend(timing.runs);
    }
    let (generated, summary) = (Timing { runs: generated }, summary.expect("runs ≥ 1"));

    let dataset = data::Dataset::open(&dir)?;
    let files: Vec<(PathBuf, Vec<u8>)> = dataset
        .manifest()
        .files
        .iter()
        .map(|f| dir.join(&f.path))
        .map(|p| std::fs::read(&p).map(|b| (p, b)))
        .collect::<Result<_, _>>()?;
    let folders: Vec<PathBuf> = files
        .iter()
        .filter_map(|(p, _)| p.parent().map(Into::into))
        .collect();
    let mut written = Vec::with_capacity(runs);
    for _ in 0..runs {
        fresh();
        folders.iter().try_for_each(std::fs::create_dir_all)?;
        let (timing, result) = time_runs(1, || {
            files
                .par_iter()
                .try_for_each(|(path, bytes)| shared::atomic::write_atomic(path, bytes))
        });
        result?;
        written.extend(timing.runs);
    }
    let written = Timing { runs: written };
    fresh();

    let (g, w) = (generated.median(), written.median());
    let mut table =
        Table::new(["variant", "median", "throughput", "vs plain write"]).with_title(format!(
            "{} files, {} into {} ({} threads, median of {runs})",
            summary.files,
            fmt_bytes(summary.bytes),
            dir.display(),
            rayon::current_num_threads()
        ));
    table.row([
        "generate (model + format + write)".into(),
        fmt_duration(g),
        fmt_rate(summary.bytes, g),
        fmt_speedup(w, g),
    ]);
    table.row([
        "plain write of the same bytes".into(),
        fmt_duration(w),
        fmt_rate(summary.bytes, w),
        "1.00×".into(),
    ]);
    print!("{table}");
    println!(
        "generate takes {:.2}× the time of the plain write",
        g.as_secs_f64() / w.as_secs_f64()
    );
    Ok(())
}
