//! Exercises 3.1, 3.2, 3.3 and 3.5: questions about one symbol or one pair, each timed on
//! one thread and on every core.

use std::collections::BTreeMap;

use chrono::Datelike;
use shared::report::{Comparison, Table, fmt_count};

use crate::answers::Answers;
use crate::bag::{Best, max_correlation_sequential};
use crate::frame::{MaxHigh, Period, files_of_year};

use super::{Setup, bytes_of, dates, on, one_and_all};

/// Exercise 3.1: the most correlated pair of close series, as 2016's bag computed it.
pub(super) fn print_correlation(answers: Answers, cx: &Setup) -> anyhow::Result<Vec<String>> {
    let paths = shared::columnar::ensure(cx.dataset)?;
    let mut series = Vec::with_capacity(paths.len());
    for path in &paths {
        series.push(shared::columnar::read_columns(path)?.close);
    }
    let symbols = cx.dataset.symbols().to_vec();
    let correlate = |a: &Vec<f64>, b: &Vec<f64>| shared::stats::pearson(a, b).ok();
    let names = symbols.clone();
    let name = move |best: &Option<Best>| match best {
        Some(b) => format!("{} & {}, r = {:.4}", names[b.a], names[b.b], b.r),
        None => "none".into(),
    };
    let n = series.len();
    let mut comparison = Comparison::new(
        format!(
            "3.1 The most correlated pair of close series: {n} series, {} pairs",
            n * n.saturating_sub(1) / 2
        ),
        cx.runs,
    )
    .with_items((n * n.saturating_sub(1) / 2) as u64, "pairs/s")
    .check_output(move |best: &Option<Best>| name(best));
    comparison.variant("sequential double loop", "given", || {
        max_correlation_sequential(&series, correlate)
    });
    let best = comparison.variant(
        format!("one pipeline, {} threads", cx.threads),
        "3.1",
        || on(cx.threads, || answers.max_correlation(&series, correlate)),
    );
    if let Some(Some(best)) = best {
        comparison.note(format!(
            "The most correlated pair: {} and {}, r = {:.4} (prices, not returns: see chapter 2).",
            symbols[best.a], symbols[best.b], best.r
        ));
    }
    println!("{}", comparison.finish());
    Ok(comparison.problems().to_vec())
}

/// Exercises 3.2 and 3.3: the max high of a symbol in a year, and in every year.
pub(super) fn print_max_high(
    answers: Answers,
    cx: &Setup,
    symbol: &str,
    year: i32,
) -> anyhow::Result<Vec<String>> {
    let all = cx.dataset.minute_files(symbol);
    let files = files_of_year(&all, year);
    if files.is_empty() {
        anyhow::bail!(
            "the dataset in {} has no {symbol} files for {year}; pick a year it covers with --year",
            cx.dataset.root().display()
        );
    }
    let mut problems = Vec::new();
    let mut comparison = Comparison::new(
        format!(
            "3.2 The max high of {symbol} in {year}: {} files",
            files.len()
        ),
        cx.runs,
    )
    .with_bytes(bytes_of(&files))
    .check_output(|m: &Result<Option<MaxHigh>, String>| format!("{m:?}"));
    let found = one_and_all(&mut comparison, cx.threads, "3.2", || {
        answers.max_high(&files, &|_| {}).map_err(|e| e.to_string())
    });
    if let Some(Ok(Some(max))) = &found {
        comparison.note(format!(
            "{symbol}'s highest high in {year}: {:.3}, on {}.",
            max.high,
            dates(&max.dates)
        ));
    }
    failed(&mut comparison, &mut problems, "3.2", &found);
    println!("{}", comparison.finish());
    problems.extend_from_slice(comparison.problems());

    let mut comparison = Comparison::new(
        format!(
            "3.3 The max high of {symbol} in every year: {} files",
            all.len()
        ),
        cx.runs,
    )
    .with_bytes(bytes_of(&all))
    .check_output(|m: &Result<BTreeMap<i32, MaxHigh>, String>| format!("{m:?}"));
    let found = one_and_all(&mut comparison, cx.threads, "3.3", || {
        answers
            .max_high_by_year(&all, &|_| {})
            .map_err(|e| e.to_string())
    });
    failed(&mut comparison, &mut problems, "3.3", &found);
    println!("{}", comparison.finish());
    problems.extend_from_slice(comparison.problems());
    if let Some(Ok(by_year)) = found {
        let mut table = Table::new(["year", "max high", "on"])
            .with_title(format!("{symbol}'s highest high, year by year (3.3)"));
        for (year, max) in &by_year {
            table.row([
                year.to_string(),
                format!("{:.3}", max.high),
                dates(&max.dates),
            ]);
        }
        println!("{table}");
    }
    Ok(problems)
}

/// When the answer is an error (a file that cannot be read), says so under the table and
/// counts it as a problem: the timings above it are of work that stopped there.
fn failed<T>(
    comparison: &mut Comparison<Result<T, String>>,
    problems: &mut Vec<String>,
    exercise: &str,
    found: &Option<Result<T, String>>,
) {
    if let Some(Err(error)) = found {
        comparison.note(format!("No answer: {error}"));
        problems.push(format!("{exercise}: {error}"));
    }
}

/// Exercise 3.5: hourly and weekly resampling of one symbol's close.
pub(super) fn print_resample(
    answers: Answers,
    cx: &Setup,
    symbol: &str,
) -> anyhow::Result<Vec<String>> {
    let files = cx.dataset.minute_files(symbol);
    let mut problems = Vec::new();
    for (period, name) in [(Period::Hour, "hourly"), (Period::Week, "weekly")] {
        let mut comparison = Comparison::new(
            format!(
                "3.5 {symbol}'s close resampled {name}: {} files",
                files.len()
            ),
            cx.runs,
        )
        .with_bytes(bytes_of(&files))
        .check_output(
            |r: &Result<BTreeMap<shared::Timestamp, f64>, String>| match r {
                Ok(buckets) => format!(
                    "{} buckets, mean of means {:.6}",
                    buckets.len(),
                    buckets.values().sum::<f64>() / buckets.len().max(1) as f64
                ),
                Err(e) => e.clone(),
            },
        );
        let run = || {
            answers
                .resample_close(&files, period, &|_| {})
                .map_err(|e| e.to_string())
        };
        let found = one_and_all(&mut comparison, cx.threads, "3.5", run);
        failed(&mut comparison, &mut problems, "3.5", &found);
        if let Some(Ok(buckets)) = found {
            let first: Vec<String> = buckets
                .iter()
                .take(3)
                .map(|(t, close)| format!("{} {close:.3}", t.to_naive().format("%Y-%m-%d %H:%M")))
                .collect();
            comparison.note(format!(
                "{} {name} buckets; the first: {}.",
                fmt_count(buckets.len() as u64),
                first.join(", ")
            ));
            if period == Period::Week {
                let straddle = buckets
                    .keys()
                    .find(|t| t.date().year() != (t.date() + chrono::Days::new(6)).year());
                if let Some(t) = straddle {
                    comparison.note(format!(
                        "The week of {} spans two years, so two files' folders of dates and two threads' partial sums: merged like any other key.",
                        t.date()
                    ));
                }
            }
        }
        println!("{}", comparison.finish());
        problems.extend_from_slice(comparison.problems());
    }
    Ok(problems)
}
