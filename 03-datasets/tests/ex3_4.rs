//! Exercise 3.4: the daily mean close of all symbols, a group-by on the date (book section
//! 3.4).
//!
//! `cargo test -p lesson-03-datasets --test ex3_4`. These tests call only your
//! `daily_mean_close` and given code.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `03-datasets/mutants/3.4-*.rs`, checked by `cargo course verify --mutants --exercise 3.4`):
//! - each file's mean averaged, or a date's pieces replaced, not added:
//!   `ex3_4_gives_the_mean_close_of_each_date_as_a_naive_loop_does`.

mod common;

use std::collections::BTreeMap;

use common::{all_bars, close, dataset, reads_in_parallel, same_means, same_on_1_2_4, write_csv};
use lesson_03_datasets::answer::daily_mean_close;
use shared::testing::within;

#[test]
fn ex3_4_gives_the_mean_close_of_each_date_as_a_naive_loop_does() {
    let (dir, dataset) = dataset();
    let mut files = dataset.all_minute_files();
    // A fourth "symbol" with two bars on a date the others also have: its closes count
    // like any others (merge sums and counts: a mean of the files' means would be wrong).
    files.push(write_csv(
        dir.path(),
        "ZZZ",
        "2016-01-04.csv",
        &[
            ("2016-01-04T09:00:00", 1000.0, 999.0),
            ("2016-01-04T09:02:00", 1000.0, 997.0),
        ],
    ));
    within("3.4", move || {
        let mut sums: BTreeMap<_, (f64, u32)> = BTreeMap::new();
        for bar in all_bars(&files) {
            let entry = sums.entry(bar.timestamp.date()).or_default();
            entry.0 += bar.close;
            entry.1 += 1;
        }
        let expected: BTreeMap<_, f64> = sums
            .into_iter()
            .map(|(d, (s, n))| (d, s / f64::from(n)))
            .collect();
        let got = same_on_1_2_4(
            "3.4",
            || daily_mean_close(&files, &|_| {}).unwrap(),
            same_means,
        );
        let wrong = expected
            .iter()
            .find(|(d, v)| !got.get(d).is_some_and(|g| close(*g, **v)));
        if let Some((date, v)) = wrong
            .or_else(|| (got.len() != expected.len()).then_some((&chrono::NaiveDate::MIN, &0.0)))
        {
            panic!(
                "exercise 3.4: {} dates expected, {} given; on {date} the mean close of every bar is {v}, you gave {:?}. \
                 Add up sums and counts per date, divide at the end; see book section 3.4",
                expected.len(),
                got.len(),
                got.get(date)
            );
        }
    });
}

#[test]
fn ex3_4_reads_files_on_several_threads_and_reports_a_bad_one() {
    let (dir, dataset) = dataset();
    let mut files = dataset.all_minute_files();
    within("3.4", move || {
        reads_in_parallel("3.4", |on_file| daily_mean_close(&files, on_file)).unwrap();
        files.push(write_csv(
            dir.path(),
            "BAD",
            "x.csv",
            &[("2016-01-04T09:00:00", 1.0, 2.0)],
        ));
        let err = daily_mean_close(&files, &|_| {})
            .expect_err("exercise 3.4: a file has a close above its high, so the answer must be an error; see book section 3.4");
        assert!(
            err.line() == Some(2) && err.path().ends_with("BAD/x.csv"),
            "exercise 3.4: the error must name BAD/x.csv line 2, it was: {err}; see book section 3.4"
        );
    });
}
