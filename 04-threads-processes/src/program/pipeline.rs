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
    let mut table = Table::new([
        "variant",
        "exercise",
        "median",
        "min–max",
        "MB/s",
        "peak memory rise",
        "output",
    ])
    .with_title(format!(
        "4.3 Pipeline: 1 reader → {parsers} parsers → 1 aggregator, {} files ({}), median of {} runs",
        fmt_count(files.len() as u64),
        fmt_bytes(bytes),
        cx.runs.max(1)
    ));
    let mut problems = Vec::new();
    let mut timings = Vec::new();
    let bounded = format!("bounded, {} messages", args.bound);
    for (name, bound) in [(bounded, Some(args.bound)), ("unbounded".to_string(), None)] {
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
        let row = match outcome {
            Ok(((timing, stats), rise)) => {
                let ok =
                    summary(&stats) == expected && errors.lock().map_or(true, |e| e.is_empty());
                if !ok {
                    problems.push(format!("pipeline, {name}: wrong output"));
                }
                let memory = rise.map_or("n/a".into(), fmt_bytes);
                let mut row = timed_row(&name, "4.3", &timing, bytes, memory);
                row.push(if ok { "right" } else { "wrong" }.into());
                timings.push((name, timing));
                row
            }
            Err(message) => {
                let status = if shared::panic::is_todo(&message) {
                    "not done yet"
                } else {
                    problems.push(format!("pipeline, {name}: panicked: {message}"));
                    "panicked"
                };
                let mut row = vec!["-".to_string(); 7];
                (row[0], row[1], row[2]) = (name, "4.3".into(), status.into());
                row
            }
        };
        table.row(row);
    }
    let (limit, _) = time_runs(cx.runs, || load_records(files, |i| symbols[i]));
    let name = format!("limit: read + parse on {} threads (rayon)", cx.cores);
    table.row(
        [
            timed_row(&name, "-", &limit, bytes, "-".into()),
            vec!["-".into()],
        ]
        .concat(),
    );
    table.note("peak memory rise: the highest resident memory during the runs, above what the process held before (Linux /proc/self/status).");
    table.note("Reading is about ten times faster than parsing: unbounded, the reader runs ahead and the files' bytes wait in the channel.");
    let rows: Vec<_> = timings.iter().map(|(name, t)| (name.as_str(), t)).collect();
    if let Some(warning) = shared::report::doubts_note(&rows, &[("the limit", &limit)]) {
        table.note(warning);
    }
    println!("{table}");
    problems
}

/// The first six cells of a timed row: name, exercise, median, spread, MB/s, memory.
fn timed_row(
    name: &str,
    exercise: &str,
    timing: &shared::report::Timing,
    bytes: u64,
    memory: String,
) -> Vec<String> {
    [
        name.to_string(),
        exercise.to_string(),
        fmt_duration(timing.median()),
        timing.fmt_spread(),
        fmt_rate(bytes, timing.median()),
        memory,
    ]
    .into()
}
