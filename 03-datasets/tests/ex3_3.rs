//! Exercise 3.3: the max high of every year, as a group-by (book section 3.3).
//!
//! `cargo test -p lesson-03-datasets --test ex3_3`. These tests call only your
//! `max_high_by_year` and given code.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `03-datasets/mutants/3.3-*.rs`, checked by `cargo course verify --mutants --exercise 3.3`):
//! - dates of a tie left in the order they were met, or met twice:
//!   `ex3_3_lists_every_date_of_a_tie_once_and_in_order`;
//! - each bar filed under the year in its file's name:
//!   `ex3_3_takes_the_year_from_the_bars_not_the_file_name`.

mod common;

use std::collections::BTreeMap;

use chrono::Datelike;
use common::{
    all_bars, damage, dataset, new_years_eve, reads_in_parallel, same_on_1_2_4, tie_files,
    write_csv,
};
use lesson_03_datasets::answer::max_high_by_year;
use lesson_03_datasets::frame::MaxHigh;
use shared::testing::within;

#[test]
fn ex3_3_gives_each_years_max_high_as_a_naive_loop_does() {
    let (_dir, dataset) = dataset();
    let files = dataset.minute_files("AIG");
    within("3.3", move || {
        let mut expected: BTreeMap<i32, MaxHigh> = BTreeMap::new();
        for bar in all_bars(&files) {
            let (year, date) = (bar.timestamp.date().year(), bar.timestamp.date());
            let entry = expected.entry(year).or_insert(MaxHigh {
                high: bar.high,
                dates: vec![],
            });
            if bar.high > entry.high {
                *entry = MaxHigh {
                    high: bar.high,
                    dates: vec![],
                };
            }
            if bar.high == entry.high && !entry.dates.contains(&date) {
                entry.dates.push(date);
            }
        }
        assert_eq!(expected.len(), 2, "the test dataset spans two years");
        let got = same_on_1_2_4(
            "3.3",
            || max_high_by_year(&files, &|_| {}).unwrap(),
            |a, b| a == b,
        );
        assert_eq!(
            got, expected,
            "exercise 3.3: AIG's max high per year is {expected:?}, you gave {got:?}; see book section 3.3"
        );
    });
}

/// Within a year, a tie lists every date once and in order, whatever order the files come
/// in and however the work was split: here the files come newest first, so an answer that
/// keeps dates in the order it met them (or meets one date twice) fails on one thread too.
#[test]
fn ex3_3_lists_every_date_of_a_tie_once_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    // The tie of 3.2, and a year of its own.
    let mut files = tie_files(dir.path());
    files.insert(
        2,
        write_csv(
            dir.path(),
            "X",
            "z.csv",
            &[("2015-06-01T09:00:00", 3.0, 2.0)],
        ),
    );
    within("3.3", move || {
        let got = same_on_1_2_4(
            "3.3",
            || max_high_by_year(&files, &|_| {}).unwrap(),
            |a, b| a == b,
        );
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let expected = BTreeMap::from([
            (
                2015,
                MaxHigh {
                    high: 3.0,
                    dates: vec![date(2015, 6, 1)],
                },
            ),
            (
                2016,
                MaxHigh {
                    high: 9.0,
                    dates: vec![date(2016, 3, 1), date(2016, 3, 3)],
                },
            ),
        ]);
        assert_eq!(
            got, expected,
            "exercise 3.3: in 2016 two days reach the max high 9.0 (March 3rd in the first file, \
             March 1st twice in the second): list each date once, sorted, as in 3.2; see book \
             section 3.3"
        );
    });
}

#[test]
fn ex3_3_takes_the_year_from_the_bars_not_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    // One file whose bars cross midnight into a new year (its name says 2015).
    let files = vec![new_years_eve(dir.path())];
    within("3.3", move || {
        let got = max_high_by_year(&files, &|_| {}).unwrap();
        let years: Vec<(i32, f64)> = got.iter().map(|(y, m)| (*y, m.high)).collect();
        assert_eq!(
            years,
            vec![(2015, 5.0), (2016, 6.0)],
            "exercise 3.3: group by each bar's year (bar.timestamp.date().year()); see book section 3.3"
        );
    });
}

#[test]
fn ex3_3_reads_files_on_several_threads_and_reports_a_bad_one() {
    let (_dir, dataset) = dataset();
    let files = dataset.minute_files("JPM");
    within("3.3", move || {
        reads_in_parallel("3.3", |on_file| max_high_by_year(&files, on_file)).unwrap();
        damage(&files[7], 2, "2016-01-04T09:00:00,1,2,1");
        let err = max_high_by_year(&files, &|_| {})
            .expect_err("exercise 3.3: a file has a bad line, so the answer must be an error; see book section 3.3");
        assert!(
            err.path() == files[7] && err.line() == Some(2),
            "exercise 3.3: the error must name {} line 2, it was: {err}; see book section 3.3",
            files[7].display()
        );
    });
}
