//! The bounded pipeline's table, with the memory each variant held.

use super::*;

/// Table 4.3: the pipeline, bounded and unbounded, with the memory each one held.
pub(super) fn print_pipeline(
    answers: Answers,
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
            answers.pipeline::<_, SymbolStats>(
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
