//! The `exercise-02` / `solution-02` program, run as a learner runs it, on a tiny dataset
//! and with short waits. Tests run the binary whose answers they check: `solution-02` with
//! `--features solution`, `exercise-02` without. Both pass on the untouched stubs: the
//! program's reporting is given code.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

#[cfg(feature = "solution")]
const PROGRAM: &str = env!("CARGO_BIN_EXE_solution-02");
#[cfg(not(feature = "solution"))]
const PROGRAM: &str = env!("CARGO_BIN_EXE_exercise-02");

/// Runs the program on a tiny dataset in `dir`, for at most a minute: a deadlocked answer
/// must fail this test, not hang it.
fn run(dir: &Path) -> Output {
    let args = "--runs 1 --slow-n 3 --slow-ms 5 --waits 200 --wait-ms 20 --wait-pool 20";
    shared::testing::run_program(PROGRAM, dir, args, Duration::from_secs(60))
}

#[test]
fn the_program_prints_its_tables_and_draws_the_pair() {
    let dir = tempfile::tempdir().unwrap();
    data::make(dir.path(), data::Size::Tiny).unwrap();
    let output = run(dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Its first lines: which dataset it reads (and why that one), and where it writes.
    let reads = format!(
        "Reads:  {} (from $PARALLEL_RUST_DATA)\nWrites: ",
        dir.path().display()
    );
    assert!(stdout.starts_with(&reads), "{stdout}");
    for title in [
        "slowadd/slowsub double loop",
        "Pearson correlation of every pair",
        "Prices or returns?",
        "I/O-bound waits",
        "The most correlated pair:",
    ] {
        assert!(
            stdout.contains(title),
            "missing {title:?}:\n{stdout}\n{stderr}"
        );
    }
    assert!(
        dir.path()
            .join("output/02-futures/most-correlated.png")
            .exists()
    );
    // Without the feature the learner's answers run: stubs ("not done yet" rows), done, or
    // some of each. The program is given code and finishes whatever their state; the ex*
    // tests judge the answers.
    if cfg!(feature = "solution") {
        assert!(output.status.success(), "{stdout}\n{stderr}");
        assert!(!stdout.contains("not done yet"), "{stdout}");
    }
    let warned = stderr.contains("warning: this is a debug build");
    assert_eq!(warned, cfg!(debug_assertions), "{stderr}");
}

#[test]
fn a_missing_dataset_prints_the_command_that_makes_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&dir.path().join("nothing-here"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cargo run --release -p data"), "{stderr}");
}

#[test]
fn a_count_beyond_its_range_is_refused_at_once_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    for (args, flag) in [
        ("--waits 99999999999", "--waits"),
        ("--threads 18446744073709551615", "--threads"),
        ("--runs 0", "--runs"),
        ("--slow-ms 99999999999", "--slow-ms"),
    ] {
        let output =
            shared::testing::run_program(PROGRAM, dir.path(), args, Duration::from_secs(10));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args} must be refused: {stderr}");
        assert!(
            stderr.contains(flag),
            "{args}: the error names {flag}: {stderr}"
        );
    }
}
