//! What the test files share: a small generated dataset that spans a new year and three
//! weeks, hand-written CSV files, and runs of an answer on pools of several sizes. Given
//! code only; nothing here calls an exercise.
#![allow(dead_code)] // each test file uses part of it

use std::fmt::Debug;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use lesson_03_datasets::frame::{OnFile, on_threads};
use shared::Bar;
use shared::testing::Rendezvous;

/// A dataset of 3 symbols from 2015-12-21 to 2016-01-08: 14 trading days, two years, three
/// ISO weeks and a week that straddles the new year. About 700 kB, made in well under a
/// second. Keep the `TempDir`: the files go when it is dropped.
pub fn dataset() -> (tempfile::TempDir, data::Dataset) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    let spec = data::Spec {
        seed: 3,
        symbols: vec!["AIG".into(), "JPM".into(), "AAPL".into()],
        start: date(2015, 12, 21),
        end: date(2016, 1, 8),
        json_days: 5,
    };
    let dataset = data::make_spec(dir.path(), &spec).expect("a small dataset");
    (dir, dataset)
}

/// Every bar of `files`, read one file after the other: the tests' naive computations
/// start from this.
pub fn all_bars(files: &[PathBuf]) -> Vec<Bar> {
    files
        .iter()
        .flat_map(|f| shared::read::read_csv(f).expect("a readable test file"))
        .collect()
}

/// Writes a minute CSV file at `dir/minute/{symbol}/{name}` with one row per
/// `(timestamp, high, close)` (open = low = close, volume 100), and returns its path.
pub fn write_csv(dir: &Path, symbol: &str, name: &str, rows: &[(&str, f64, f64)]) -> PathBuf {
    let folder = dir.join("minute").join(symbol);
    std::fs::create_dir_all(&folder).expect("a test folder");
    let mut text = String::from("timestamp,open,high,low,close,volume\n");
    for (t, high, close) in rows {
        text.push_str(&format!("{t},{close},{high},{close},{close},100\n"));
    }
    let path = folder.join(name);
    std::fs::write(&path, text).expect("a test file");
    path
}

/// One file of symbol X whose bars cross midnight into a new year: its name says 2015, its
/// bars are of 2015 (high 5, close 4) and of 2016 (high 6, close 5).
pub fn new_years_eve(dir: &Path) -> PathBuf {
    write_csv(
        dir,
        "X",
        "2015-12-31.csv",
        &[
            ("2015-12-31T23:58:00", 5.0, 4.0),
            ("2016-01-01T00:00:00", 6.0, 5.0),
        ],
    )
}

/// Three files of symbol X, newest first, where two days tie for the max high 9.0: March
/// 3rd in the first file, March 1st twice in the second; the third's high is 7.
pub fn tie_files(dir: &Path) -> Vec<PathBuf> {
    vec![
        write_csv(dir, "X", "c.csv", &[("2016-03-03T09:00:00", 9.0, 8.0)]),
        write_csv(
            dir,
            "X",
            "a.csv",
            &[
                ("2016-03-01T09:00:00", 9.0, 8.0),
                ("2016-03-01T09:02:00", 9.0, 8.5),
            ],
        ),
        write_csv(dir, "X", "b.csv", &[("2016-03-02T09:00:00", 7.0, 6.0)]),
    ]
}

/// Overwrites line `line` (1-based) of `path` with `text`.
pub fn damage(path: &Path, line: usize, text: &str) {
    let old = std::fs::read_to_string(path).expect("a test file");
    let mut lines: Vec<&str> = old.lines().collect();
    lines[line - 1] = text;
    std::fs::write(path, lines.join("\n") + "\n").expect("a test file");
}

/// Runs `work` on rayon pools of 1, 2 and 4 threads and fails unless `same` holds between
/// the 1-thread result and each other one. Returns the 1-thread result.
pub fn same_on_1_2_4<R: Send + Debug>(
    id: &str,
    work: impl Fn() -> R + Send + Sync,
    same: impl Fn(&R, &R) -> bool,
) -> R {
    let pool = |n| on_threads(n, &work).expect("a rayon pool");
    let one = pool(1);
    for n in [2, 4] {
        let other = pool(n);
        assert!(
            same(&one, &other),
            "exercise {id}: the answer on {n} threads differs from the answer on 1 thread:\n\
             1 thread:  {one:?}\n{n} threads: {other:?}\n\
             A group-by must not depend on how the work was split: merge every piece; see book section {id}"
        );
    }
    one
}

/// Runs `work` on a pool of 2 threads with an `on_file` that waits for a second thread to
/// read a file at the same time, and fails if none ever did: the files were read one after
/// the other.
pub fn reads_in_parallel<R: Send>(id: &str, work: impl FnOnce(&OnFile) -> R + Send) -> R {
    let meeting = Rendezvous::new();
    let result = on_threads(2, || work(&|_: &Path| meeting.arrive())).expect("a rayon pool");
    assert!(
        meeting.thread_count() >= 2 && !meeting.gave_up(),
        "exercise {id}: on a pool of 2 threads, every file was read by one thread, one after \
         the other. Read the files with a parallel iterator (`files.par_iter()`) and call \
         `on_file` for each; see book section {id}"
    );
    result
}

/// Relative closeness for means whose last bits depend on the order of a sum.
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Two maps of means with the same keys and means [`close`] to each other.
pub fn same_means<K: Ord>(
    a: &std::collections::BTreeMap<K, f64>,
    b: &std::collections::BTreeMap<K, f64>,
) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((ka, va), (kb, vb))| ka == kb && close(*va, *vb))
}
