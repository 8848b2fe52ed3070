//! What several test files share: a tiny generated dataset and the checks on converted
//! files. Given code only; nothing here calls an exercise.
#![allow(dead_code)] // each test file uses part of it

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use lesson_01_map::convert::{Outcome, output_path, parse_value};
use shared::columnar::read_columns;

/// A tiny dataset (4 symbols × 3 days) in a temporary folder, and an empty output folder.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let dataset = data::make(&dir.path().join("data"), data::Size::Tiny).expect("tiny dataset");
    let out = dir.path().join("out");
    fs::create_dir(&out).expect("output folder");
    Fixture {
        inputs: dataset.json_files(),
        out,
        dir,
    }
}

/// Breaks line 100 of the second input; returns its path.
pub fn break_one_file(f: &Fixture) -> PathBuf {
    let bad = f.inputs[1].clone();
    let text = fs::read_to_string(&bad).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[99] = r#"{"timestamp":"2016-01-04T12:18:00","open":47.1,"hi"#;
    fs::write(&bad, lines.join("\n")).unwrap();
    bad
}

/// What the given sequential `Value` parser makes of `input`.
pub fn reference_columns(input: &Path) -> shared::Columns {
    parse_value(input, &fs::read(input).unwrap()).unwrap()
}

/// Every input converted, in input order, to exactly the baseline's columns.
pub fn check_outputs(exercise: &str, f: &Fixture, results: &[Outcome]) {
    assert_eq!(
        results.len(),
        f.inputs.len(),
        "exercise {exercise}: expected one result per input file; see book section {exercise}"
    );
    for (input, result) in f.inputs.iter().zip(results) {
        let converted = result.as_ref().unwrap_or_else(|e| {
            panic!(
                "exercise {exercise}: converting {} failed: {e}",
                input.display()
            )
        });
        assert_eq!(
            &converted.input, input,
            "exercise {exercise}: results must come back in input order; see book section {exercise}"
        );
        let written = read_columns(&output_path(input, &f.out)).unwrap();
        assert!(
            written == reference_columns(input),
            "exercise {exercise}: the Parquet file for {} differs from what the sequential Value conversion writes",
            input.display()
        );
    }
}

/// The broken input failed with its file and line, and left no output; the others converted.
pub fn check_one_failure(exercise: &str, f: &Fixture, bad: &Path, results: &[Outcome]) {
    assert_eq!(
        results.len(),
        f.inputs.len(),
        "exercise {exercise}: expected one result per input, failed ones included"
    );
    for (input, result) in f.inputs.iter().zip(results) {
        let output = output_path(input, &f.out);
        if input == bad {
            let err = result.as_ref().err().unwrap_or_else(|| {
                panic!(
                    "exercise {exercise}: {} is broken on line 100 but converted",
                    bad.display()
                )
            });
            let message = err.to_string();
            assert!(
                message.contains(&bad.display().to_string()) && message.contains("line 100"),
                "exercise {exercise}: the error must name the file and line 100: {message}"
            );
            assert!(
                !output.exists(),
                "exercise {exercise}: a failed conversion must not leave an output file"
            );
        } else {
            assert!(
                result.is_ok(),
                "exercise {exercise}: {} should still convert when another file is broken: {result:?}",
                input.display(),
            );
            assert!(
                output.exists(),
                "exercise {exercise}: {} was not written",
                output.display()
            );
        }
    }
}

/// Work that records how often each item was processed; item `i` gives `i × 10`.
pub struct Counted {
    calls: Vec<AtomicUsize>,
}

impl Counted {
    pub fn new(len: usize) -> Self {
        Counted {
            calls: (0..len).map(|_| AtomicUsize::new(0)).collect(),
        }
    }

    pub fn process(&self, i: usize) -> usize {
        self.calls[i].fetch_add(1, Ordering::SeqCst);
        i * 10
    }

    /// Fails the test unless every item was processed exactly once.
    pub fn check_each_once(&self, exercise: &str) {
        for (i, c) in self.calls.iter().enumerate() {
            let n = c.load(Ordering::SeqCst);
            assert_eq!(
                n, 1,
                "exercise {exercise}: item {i} was processed {n} times; every item must be processed exactly once (see book section {exercise})"
            );
        }
    }
}

/// `i × 10` for every item: what a map of `Counted` or `OutOfOrder` work must return.
pub fn times_ten(n: usize) -> Vec<usize> {
    (0..n).map(|i| i * 10).collect()
}
