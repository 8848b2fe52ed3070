//! Exercise 3.6: per-symbol, per-year stats of the close over the whole dataset (book
//! section 3.6).
//!
//! `cargo test -p lesson-03-datasets --test ex3_6`. These tests call only your
//! `yearly_stats` and given code.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `03-datasets/mutants/3.6-*.rs`, checked by `cargo course verify --mutants --exercise 3.6`):
//! - each file's stats filed under the year of its first bar (a file is one trading day in
//!   the dataset, but nothing promises it): `ex3_6_takes_each_bars_year_from_that_bar`;
//! - a file that cannot be read skipped without an error:
//!   `ex3_6_reports_bad_files_with_their_lines_and_aggregates_the_others`.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::Datelike;
use common::{close, damage, dataset, new_years_eve, reads_in_parallel, same_on_1_2_4};
use lesson_03_datasets::answer::yearly_stats;
use lesson_03_datasets::frame::{Stats, YearlyStats};
use shared::testing::within;

/// The naive computation: every file read in turn, every bar added to its (symbol, year).
fn naive(files: &[PathBuf]) -> BTreeMap<(String, i32), Stats> {
    let mut stats: BTreeMap<(String, i32), Stats> = BTreeMap::new();
    for file in files {
        let symbol = file
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        for bar in shared::read::read_csv(file).unwrap() {
            let s = stats
                .entry((symbol.to_string(), bar.timestamp.date().year()))
                .or_default();
            s.count += 1;
            s.sum += bar.close;
            s.min = s.min.min(bar.close);
            s.max = s.max.max(bar.close);
        }
    }
    stats
}

/// Equal counts, mins and maxes; sums equal but for their last bits (order of addition).
fn same_stats(a: &BTreeMap<(String, i32), Stats>, b: &BTreeMap<(String, i32), Stats>) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|((ka, x), (kb, y))| {
            ka == kb
                && x.count == y.count
                && x.min == y.min
                && x.max == y.max
                && close(x.sum, y.sum)
        })
}

fn first_wrong(
    got: &BTreeMap<(String, i32), Stats>,
    expected: &BTreeMap<(String, i32), Stats>,
) -> String {
    if got.len() != expected.len() {
        let keys: Vec<_> = got.keys().collect();
        return format!(
            "{} (symbol, year) groups expected, you gave {}: {keys:?}",
            expected.len(),
            got.len()
        );
    }
    for (key, e) in expected {
        let g = got.get(key);
        if !g.is_some_and(|g| same_stats(&[(key.clone(), *g)].into(), &[(key.clone(), *e)].into()))
        {
            return format!("for {key:?} expected {e:?}, you gave {g:?}");
        }
    }
    String::new()
}

#[test]
fn ex3_6_gives_the_stats_a_naive_loop_gives_on_1_2_and_4_threads() {
    let (_dir, dataset) = dataset();
    let files = dataset.all_minute_files();
    within("3.6", move || {
        let expected = naive(&files);
        assert_eq!(expected.len(), 6, "3 symbols × 2 years in the test data");
        let got: YearlyStats = same_on_1_2_4(
            "3.6",
            || yearly_stats(&files, &|_| {}),
            |a, b| same_stats(&a.stats, &b.stats) && a.errors.len() == b.errors.len(),
        );
        assert!(
            same_stats(&got.stats, &expected) && got.errors.is_empty(),
            "exercise 3.6: {}{}; see book section 3.6",
            first_wrong(&got.stats, &expected),
            got.errors
                .first()
                .map(|e| format!("; unexpected error: {e}"))
                .unwrap_or_default()
        );
    });
}

#[test]
fn ex3_6_reports_bad_files_with_their_lines_and_aggregates_the_others() {
    let (_dir, dataset) = dataset();
    let files = dataset.all_minute_files();
    let bad = [files[4].clone(), files[30].clone()];
    within("3.6", move || {
        damage(&bad[0], 10, "2015-12-28T09:16:00,1,2,1,oops,100");
        damage(&bad[1], 3, "2016-01-05T09:02:00,1,2");
        let good: Vec<PathBuf> = files.iter().filter(|f| !bad.contains(f)).cloned().collect();
        let expected = naive(&good);
        let got = yearly_stats(&files, &|_| {});
        let reported: Vec<(PathBuf, Option<u64>)> = got
            .errors
            .iter()
            .map(|e| (e.path().to_path_buf(), e.line()))
            .collect();
        let mut want = vec![(bad[0].clone(), Some(10)), (bad[1].clone(), Some(3))];
        want.sort();
        assert_eq!(
            reported, want,
            "exercise 3.6: two files have a bad line: report each in `errors` (sorted by path), with read error's file \
             and line; see book section 3.6"
        );
        assert!(
            same_stats(&got.stats, &expected),
            "exercise 3.6: the other files must still be aggregated, and nothing of a bad file kept: {}; see book section 3.6",
            first_wrong(&got.stats, &expected)
        );
    });
}

#[test]
fn ex3_6_reads_files_on_several_threads_at_once() {
    let (_dir, dataset) = dataset();
    let files = dataset.all_minute_files();
    within("3.6", move || {
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let got = reads_in_parallel("3.6", |on_file| {
            yearly_stats(&files, &|path| {
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                on_file(path);
            })
        });
        assert!(
            got.errors.is_empty(),
            "exercise 3.6: unexpected errors: {:?}",
            got.errors
        );
        assert_eq!(
            calls.into_inner(),
            files.len(),
            "exercise 3.6: call on_file once per file read; see book section 3.6"
        );
    });
}

/// Each bar counts in its own year, even in a file whose bars cross midnight into a new
/// year (its name says 2015): an answer that files a whole file under the year of its first
/// bar fails here, every run.
#[test]
fn ex3_6_takes_each_bars_year_from_that_bar() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![new_years_eve(dir.path())];
    within("3.6", move || {
        let got = yearly_stats(&files, &|_| {});
        let expected = naive(&files);
        assert!(
            got.errors.is_empty() && same_stats(&got.stats, &expected),
            "exercise 3.6: one file holds a bar of 2015 and a bar of 2016; each bar counts in \
             its own year (the year of its timestamp), not the file's or its first bar's: {}; \
             see book section 3.6",
            first_wrong(&got.stats, &expected)
        );
    });
}
