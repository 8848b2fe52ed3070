//! The aggregation tables: a shared `Mutex` against partials over 1 to N threads (with the
//! scaling chart and Amdahl's law), the atomics, and false sharing.

use super::*;

/// Table 4.1 and the scaling chart: sequential, shared `Mutex` and partials on 1, 2, 4, 8
/// threads.
pub(super) fn print_aggregation(
    answers: Answers,
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
            Box::new(move || answers.partials::<SymbolStats>(records, t)),
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
pub(super) fn print_atomics(
    answers: Answers,
    cx: &Setup,
    records: &[Record],
    symbols: usize,
) -> Vec<String> {
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
        extremes_of(&answers.partials::<SymbolStats>(records, t), symbols)
    });
    table.variant("atomics", "4.2", || {
        atomic_extremes(records, symbols, t, |table, record| {
            answers.add_atomic(table, record)
        })
    });
    table.note("The atomics update one table that every thread shares: no lock, but the cache lines of the busiest symbols still travel between cores.");
    println!("{}", table.finish());
    table.problems().to_vec()
}

/// The false-sharing table: the same counting, packed counters against padded ones.
pub(super) fn print_false_sharing(cx: &Setup) {
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
