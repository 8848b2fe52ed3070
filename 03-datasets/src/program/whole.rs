//! Exercises 3.4 and 3.6 on every minute file: the daily mean close (charted) and the
//! per-symbol yearly stats, against the limits of reading and parsing the bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::NaiveDate;
use shared::chart::{LineChart, Series};
use shared::report::{Comparison, Table, fmt_bytes, fmt_count, fmt_duration, time_runs};

use crate::answers::Answers;
use crate::frame::{YearlyStats, read_and_parse_bars, read_and_parse_closes, read_only};

use super::{Setup, bytes_of, on, with_progress};

/// Exercises 3.4 and 3.6 on every minute file: the daily mean close (charted), and the
/// per-symbol yearly stats against the limits of reading and parsing the bytes.
pub(super) fn print_whole_dataset(answers: Answers, cx: &Setup) -> anyhow::Result<Vec<String>> {
    let files = cx.dataset.all_minute_files();
    warm_up(cx, &files);
    // 3.6 first: it is the one with bars to meet.
    let mut problems = yearly_table(answers, cx, &files)?;
    problems.extend(daily_table(answers, cx, &files)?);
    Ok(problems)
}

/// Reads every file once, so that every timed run reads from memory (see the book on disks).
fn warm_up(cx: &Setup, files: &[PathBuf]) {
    let total = bytes_of(files);
    // Warm the page cache, so every timed run reads from memory (see the book on disks).
    let progress = shared::progress::bytes(total, "warm-up");
    let (warm, _) = time_runs(1, || {
        on(cx.threads, || {
            use rayon::prelude::*;
            files.par_iter().for_each(|path| {
                progress.inc(shared::read::read_bytes(path).map_or(0, |b| b.len() as u64));
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
}

/// Exercise 3.6's table: the yearly stats on one thread and on all, against the limits;
/// then the stats themselves.
fn yearly_table(answers: Answers, cx: &Setup, files: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let total = bytes_of(files);
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
            on(threads, || answers.yearly_stats(files, on_file))
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
        || on(cx.threads, || read_and_parse_closes(files)),
    );
    comparison.limit(format!("read only ({} threads)", cx.threads), || {
        on(cx.threads, || read_only(files))
    });
    let (bars, _) = time_runs(1, || on(cx.threads, || read_and_parse_bars(files)));
    comparison.note(format!(
        "The limits do part of the job and nothing else: reading every file, then also parsing each row's timestamp and close (shared::read::for_each_close). The answer adds the group-by. Parsing whole bars instead (read_csv, every field checked) takes {} (one run).",
        fmt_duration(bars.median())
    ));
    println!("{}", comparison.finish());
    if let Some(stats) = &last {
        print_stats(cx, stats)?;
    }
    Ok(comparison.problems().to_vec())
}

/// Exercise 3.4's table (one run) and its chart of the daily mean close.
fn daily_table(answers: Answers, cx: &Setup, files: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let total = bytes_of(files);
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
            on(cx.threads, || answers.daily_mean_close(files, on_file)).map_err(|e| e.to_string())
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
    Ok(comparison.problems().to_vec())
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
