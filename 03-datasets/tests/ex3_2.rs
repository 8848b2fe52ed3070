//! Exercise 3.2: the max high of one symbol in one year, and its dates (book section 3.2).
//!
//! `cargo test -p lesson-03-datasets --test ex3_2`. These tests call only your `max_high`
//! and given code.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `03-datasets/mutants/3.2-*.rs`, checked by `cargo course verify --mutants --exercise 3.2`):
//! - only the first date that reached the max: `ex3_2_lists_every_date_of_a_tie_once_and_in_order`;
//! - a bad file skipped: `ex3_2_reports_a_bad_file_with_its_line`.

mod common;

use common::{all_bars, damage, dataset, reads_in_parallel, same_on_1_2_4, tie_files};
use lesson_03_datasets::answer::max_high;
use lesson_03_datasets::frame::{MaxHigh, files_of_year};
use shared::testing::within;

#[test]
fn ex3_2_gives_the_max_high_and_date_a_naive_loop_gives() {
    let (_dir, dataset) = dataset();
    let files = files_of_year(&dataset.minute_files("AIG"), 2016);
    within("3.2", move || {
        let bars = all_bars(&files);
        let high = bars.iter().map(|b| b.high).fold(f64::MIN, f64::max);
        let mut dates: Vec<_> = bars
            .iter()
            .filter(|b| b.high == high)
            .map(|b| b.timestamp.date())
            .collect();
        dates.dedup();
        let expected = Some(MaxHigh { high, dates });
        let got = same_on_1_2_4("3.2", || max_high(&files, &|_| {}).unwrap(), |a, b| a == b);
        assert_eq!(
            got, expected,
            "exercise 3.2: on AIG's 2016 files the max high is {expected:?}, you gave {got:?}; see book section 3.2"
        );
    });
}

#[test]
fn ex3_2_lists_every_date_of_a_tie_once_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let files = tie_files(dir.path());
    within("3.2", move || {
        let got = same_on_1_2_4("3.2", || max_high(&files, &|_| {}).unwrap(), |a, b| a == b);
        let date = |d| chrono::NaiveDate::from_ymd_opt(2016, 3, d).unwrap();
        let expected = Some(MaxHigh {
            high: 9.0,
            dates: vec![date(1), date(3)],
        });
        assert_eq!(
            got, expected,
            "exercise 3.2: two days reach the max high 9.0 (March 1st twice, March 3rd once): list each date once, \
             sorted; see book section 3.2"
        );
        assert_eq!(
            max_high(&[], &|_| {}).unwrap(),
            None,
            "exercise 3.2: no files, no max; see book section 3.2"
        );
    });
}

#[test]
fn ex3_2_reads_files_on_several_threads_at_once() {
    let (_dir, dataset) = dataset();
    let files = dataset.minute_files("JPM");
    within("3.2", move || {
        reads_in_parallel("3.2", |on_file| max_high(&files, on_file)).unwrap();
    });
}

#[test]
fn ex3_2_reports_a_bad_file_with_its_line() {
    let (_dir, dataset) = dataset();
    let files = dataset.minute_files("AIG");
    damage(&files[3], 5, "2016-01-04T09:06:00,1,2,x,1,100");
    within("3.2", move || {
        let err = max_high(&files, &|_| {}).expect_err(
            "exercise 3.2: a file has a bad line 5, so the answer must be an error; see book section 3.2",
        );
        assert!(
            err.path() == files[3] && err.line() == Some(5),
            "exercise 3.2: the error must name {} line 5, it was: {err}; pass read_csv's error on with `?`; see book section 3.2",
            files[3].display()
        );
    });
}
