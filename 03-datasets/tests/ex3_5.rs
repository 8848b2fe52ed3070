//! Exercise 3.5: hourly and weekly resampling of the close (book section 3.5).
//!
//! `cargo test -p lesson-03-datasets --test ex3_5`. These tests call only your
//! `resample_close` and given code.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `03-datasets/mutants/3.5-*.rs`, checked by `cargo course verify --mutants --exercise 3.5`):
//! - each bar keyed by its own timestamp: both resample tests;
//! - a bucket's pieces replaced, not added, or their means averaged:
//!   `ex3_5_resamples_weekly_across_files_threads_and_years`.

mod common;

use std::collections::BTreeMap;

use chrono::{Datelike, Timelike};
use common::{all_bars, close, dataset, reads_in_parallel, same_means, same_on_1_2_4};
use lesson_03_datasets::answer::resample_close;
use lesson_03_datasets::frame::Period;
use shared::Timestamp;
use shared::testing::within;

/// The naive resample: the bucket's start worked out with chrono, written here
/// independently of `Period::start`.
fn naive(bars: &[shared::Bar], period: Period) -> BTreeMap<Timestamp, f64> {
    let mut sums: BTreeMap<Timestamp, (f64, u32)> = BTreeMap::new();
    for bar in bars {
        let t = bar.timestamp.to_naive();
        let start = match period {
            Period::Hour => t.date().and_hms_opt(t.hour(), 0, 0).unwrap(),
            Period::Week => {
                let monday =
                    t.date() - chrono::Days::new(u64::from(t.weekday().num_days_from_monday()));
                monday.and_hms_opt(0, 0, 0).unwrap()
            }
        };
        let start = Timestamp::new(start.date(), start.hour(), 0, 0);
        let entry = sums.entry(start).or_default();
        entry.0 += bar.close;
        entry.1 += 1;
    }
    sums.into_iter()
        .map(|(t, (s, n))| (t, s / f64::from(n)))
        .collect()
}

fn check(period: Period, what: &'static str) {
    let (_dir, dataset) = dataset();
    let files = dataset.minute_files("AIG");
    within("3.5", move || {
        let expected = naive(&all_bars(&files), period);
        let got = same_on_1_2_4(
            "3.5",
            || resample_close(&files, period, &|_| {}).unwrap(),
            same_means,
        );
        if !same_means(&got, &expected) {
            panic!(
                "exercise 3.5: resampled {what}, AIG has {} buckets, you gave {}: {}; see book section 3.5",
                expected.len(),
                got.len(),
                diagnosis(&expected, &got, what),
            );
        }
    });
}

/// What is wrong with `got`, in words a learner can act on; timestamps as dates and times.
fn diagnosis(
    expected: &BTreeMap<Timestamp, f64>,
    got: &BTreeMap<Timestamp, f64>,
    what: &str,
) -> String {
    let period = if what == "hourly" {
        "an hour"
    } else {
        "a week"
    };
    if let Some(extra) = got.keys().find(|t| !expected.contains_key(t)) {
        return format!(
            "you gave a bucket at {extra}, which is not the start of {period} that has bars. Key each \
             bar by the start of its period (a `Period`'s `start` method), so that every bar of {period} \
             gets the same key"
        );
    }
    if let Some(missing) = expected.keys().find(|t| !got.contains_key(t)) {
        return format!(
            "the bucket of {period} starting at {missing} is missing: every bar counts"
        );
    }
    match expected
        .iter()
        .find(|(t, v)| got.get(t).is_some_and(|g| !close(*g, **v)))
    {
        Some((t, v)) => format!(
            "the bucket starting at {t} holds {}, but the mean close of its bars is {v}. The bars of \
             {period} can come from several files, read on different threads, so a bucket is put \
             together from pieces: carry a sum and a count per bucket, add the pieces' sums and counts \
             when merging (neither keep one piece nor average their means), and divide at the end",
            got[t]
        ),
        None => "the buckets differ".into(),
    }
}

#[test]
fn ex3_5_resamples_hourly_as_a_naive_loop_does() {
    check(Period::Hour, "hourly");
}

#[test]
fn ex3_5_resamples_weekly_across_files_threads_and_years() {
    // The test data's weeks start on 2015-12-21, 2015-12-28 (it holds days of both years)
    // and 2016-01-04: each week's bars come from five files.
    check(Period::Week, "weekly");
}

#[test]
fn ex3_5_reads_files_on_several_threads_at_once() {
    let (_dir, dataset) = dataset();
    let files = dataset.minute_files("JPM");
    within("3.5", move || {
        reads_in_parallel("3.5", |on_file| {
            resample_close(&files, Period::Week, on_file)
        })
        .unwrap();
    });
}
