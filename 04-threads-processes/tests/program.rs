//! The `exercise-04` / `solution-04` program, run as a learner runs it, on a small dataset.
//! Tests run the binary whose answers they check: `solution-04` with `--features solution`,
//! `exercise-04` without. Both pass on the untouched stubs: the program's reporting is
//! given code.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

#[cfg(feature = "solution")]
const PROGRAM: &str = env!("CARGO_BIN_EXE_solution-04");
#[cfg(not(feature = "solution"))]
const PROGRAM: &str = env!("CARGO_BIN_EXE_exercise-04");

/// Runs the program on the dataset in `dir`, for at most two minutes: a deadlocked answer
/// must fail this test, not hang it.
fn run(dir: &Path, args: &str) -> Output {
    shared::testing::run_program(PROGRAM, dir, args, Duration::from_secs(120))
}

#[test]
fn the_program_prints_its_tables_and_draws_its_chart() {
    let (dir, _dataset) = common::dataset();
    let output = run(
        dir.path(),
        "--runs 1 --year 2016 --max-threads 2 --tiny-tasks 200 --large-tasks 8",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Its first lines: which dataset it reads (and why that one), and where it writes.
    let reads = format!(
        "Reads:  {} (from $PARALLEL_RUST_DATA)\nWrites: ",
        dir.path().display()
    );
    assert!(stdout.starts_with(&reads), "{stdout}");
    for title in [
        "4.1 Count, sum, min, max",
        "4.2 Count, min, max",
        "False sharing",
        "4.3 Pipeline",
        "limit: read + parse",
        "4.4 200 tiny tasks",
        "4.4 8 large tasks",
        "4.4 Isolation",
    ] {
        assert!(
            stdout.contains(title),
            "missing {title:?}:\n{stdout}\n{stderr}"
        );
    }
    if cfg!(feature = "solution") {
        assert!(output.status.success(), "{stdout}\n{stderr}");
        assert!(!stdout.contains("not done yet"), "{stdout}");
        assert!(
            dir.path()
                .join("output/04-threads-processes/scaling.png")
                .exists(),
            "{stdout}"
        );
        assert!(stdout.contains("the same as the threads'"), "{stdout}");
    } else {
        // The learner's answers: stubs ("not done yet" rows), done, or some of each. The
        // program is given code, and it finishes whatever their state; the ex* tests judge
        // the answers.
        assert_eq!(output.status.code(), Some(0), "{stderr}");
    }
    let warned = stderr.contains("warning: this is a debug build");
    assert_eq!(warned, cfg!(debug_assertions), "{stderr}");
}

#[test]
fn a_missing_dataset_and_a_year_without_files_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&dir.path().join("nothing-here"), "--runs 1");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cargo run --release -p data"), "{stderr}");

    let (dir, _dataset) = common::dataset();
    let output = run(dir.path(), "--runs 1 --year 1999");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no minute files for 1999") && stderr.contains("--year"),
        "{stderr}"
    );
}

#[test]
fn left_at_its_defaults_on_a_dataset_without_2012_it_takes_the_datasets_years() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    data::make(dir.path(), data::Size::Tiny).expect("a tiny dataset (2016 only)");
    let output = run(dir.path(), "--runs 1 --tiny-tasks 100 --large-tasks 4");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("not 2012 (the default): using 2016"),
        "{stderr}"
    );
}
