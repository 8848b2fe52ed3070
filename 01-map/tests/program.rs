//! The `exercise-01` / `solution-01` program, run as a learner runs it, on a tiny dataset.
//! Tests run the binary whose answers they check: `solution-01` with `--features solution`,
//! `exercise-01` without (the rule for every program a lesson starts; see `answers.rs`).
//! Both pass on the untouched stubs: the program's reporting is given code.

mod common;

use std::process::{Command, Output};
use std::time::Duration;

use common::fixture;

#[cfg(feature = "solution")]
const PROGRAM: &str = env!("CARGO_BIN_EXE_solution-01");
#[cfg(not(feature = "solution"))]
const PROGRAM: &str = env!("CARGO_BIN_EXE_exercise-01");

/// Runs the program on the fixture, for at most a minute: `exercise-01` runs the learner's
/// answers, and a deadlocked one must fail this test, not hang it.
fn run(f: &common::Fixture) -> Output {
    shared::testing::run_bounded(
        Command::new(PROGRAM)
            .args(["--skip-examples", "--runs", "1", "--out"])
            .arg(&f.out)
            .env(shared::dataset::DATA_ENV, f.dir.path().join("data"))
            .env("PARALLEL_RUST_NO_PROGRESS", "1"),
        Duration::from_secs(60),
    )
}

#[test]
fn a_debug_build_says_its_timings_are_meaningless() {
    let f = fixture();
    let output = run(&f);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warned = stderr.contains("warning: this is a debug build");
    // This test and the program are built with the same profile.
    assert_eq!(warned, cfg!(debug_assertions), "{stderr}");
    if warned {
        assert!(
            stderr.contains("cargo run --release -p lesson-01-map --bin"),
            "{stderr}"
        );
    }
}

#[test]
fn failure_counts_read_as_english() {
    use lesson_01_map::program::failure_summary;
    assert_eq!(failure_summary(1, 1), "the one file could not be converted");
    assert_eq!(
        failure_summary(8, 8),
        "none of the 8 files could be converted"
    );
    assert_eq!(
        failure_summary(1, 2),
        "1 of 2 files could not be converted (the other one was)"
    );
    assert_eq!(
        failure_summary(1, 4),
        "1 of 4 files could not be converted (the other 3 were converted)"
    );
}

#[test]
fn zero_threads_is_refused_with_a_message() {
    let output = Command::new(PROGRAM)
        .args(["--threads", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--threads"), "{stderr}");
}

#[test]
fn an_unreadable_input_is_reported_and_the_others_convert() {
    let f = fixture();
    let bad = &f.inputs[2];
    std::fs::remove_file(bad).unwrap();
    std::fs::create_dir(bad).unwrap();
    assert_one_bad_of_four(&f, bad);
}

/// A FIFO in place of an input: opening it would wait for a writer for ever.
#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_an_input_is_reported_not_waited_for() {
    let f = fixture();
    let bad = &f.inputs[1];
    std::fs::remove_file(bad).unwrap();
    let made = Command::new("mkfifo").arg(bad).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo makes a FIFO");
    assert_one_bad_of_four(&f, bad);
}

/// Runs the lesson on `f`, whose input `bad` cannot be read: it is named, and the other
/// three are converted.
fn assert_one_bad_of_four(f: &common::Fixture, bad: &std::path::Path) {
    let output = run(f);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("1 of 4 files could not be converted (the other 3 were converted)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("cannot read {}", bad.display())),
        "{stderr}"
    );
    for input in &f.inputs {
        let written = lesson_01_map::convert::output_path(input, &f.out).exists();
        assert_eq!(written, input != bad, "{}", input.display());
    }
}

/// A clone moved or copied elsewhere (its `target/` too) reads its own `data/`, found from
/// the current folder, and says so: here the program, built in this workspace, runs inside
/// another "clone" (a workspace manifest, a `data/` crate and its dataset) with no
/// `$PARALLEL_RUST_DATA`.
#[test]
fn a_moved_clone_reads_its_own_data_and_says_so() {
    let f = fixture();
    let clone = f.dir.path();
    std::fs::write(
        clone.join("Cargo.toml"),
        "[workspace]\nmembers = [\"data\"]\n",
    )
    .unwrap();
    std::fs::write(
        clone.join("data").join("Cargo.toml"),
        "[package]\nname = \"data\"\n",
    )
    .unwrap();
    let inside = clone.join("01-map");
    std::fs::create_dir_all(&inside).unwrap();
    let output = shared::testing::run_bounded(
        Command::new(PROGRAM)
            .args(["--skip-examples", "--runs", "1", "--out"])
            .arg(&f.out)
            .current_dir(&inside)
            .env_remove(shared::dataset::DATA_ENV)
            .env("PARALLEL_RUST_NO_PROGRESS", "1"),
        Duration::from_secs(60),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let reads = format!(
        "Reads:  {} (the data/ of the workspace around the current folder)",
        clone.join("data").display()
    );
    assert!(stdout.contains(&reads), "{stdout}");
    assert!(
        stdout.contains(&format!("Writes: {}", f.out.display())),
        "{stdout}"
    );
    assert!(output.status.success(), "{stdout}");
}
