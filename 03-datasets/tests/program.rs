//! The `exercise-03` / `solution-03` program, run as a learner runs it, on a small dataset.
//! Tests run the binary whose answers they check: `solution-03` with `--features solution`,
//! `exercise-03` without. Both pass on the untouched stubs: the program's reporting is
//! given code.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

#[cfg(feature = "solution")]
const PROGRAM: &str = env!("CARGO_BIN_EXE_solution-03");
#[cfg(not(feature = "solution"))]
const PROGRAM: &str = env!("CARGO_BIN_EXE_exercise-03");

/// Runs the program on the dataset in `dir`, for at most a minute: a deadlocked answer
/// must fail this test, not hang it.
fn run(dir: &Path, args: &str) -> Output {
    shared::testing::run_program(PROGRAM, dir, args, Duration::from_secs(60))
}

#[test]
fn the_program_prints_its_tables_and_draws_its_charts() {
    let (dir, _dataset) = common::dataset();
    let output = run(dir.path(), "--runs 1 --year 2016 --grid 4 --samples 5");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Its first lines: which dataset it reads (and why that one), and where it writes.
    let reads = format!(
        "Reads:  {} (from $PARALLEL_RUST_DATA)\nWrites: ",
        dir.path().display()
    );
    assert!(stdout.starts_with(&reads), "{stdout}");
    for title in [
        "3.1 The most correlated pair",
        "3.2 The max high of AIG in 2016",
        "3.3 The max high of AIG in every year",
        "3.4 The mean close of every date",
        "3.5 AIG's close resampled weekly",
        "3.6 Count, mean, min, max",
        "limit: read + parse",
        "3.7 Parameter search",
    ] {
        assert!(
            stdout.contains(title),
            "missing {title:?}:\n{stdout}\n{stderr}"
        );
    }
    let out = dir.path().join("output/03-datasets");
    if cfg!(feature = "solution") {
        assert!(output.status.success(), "{stdout}\n{stderr}");
        assert!(!stdout.contains("not done yet"), "{stdout}");
        for file in [
            "daily-mean-close.png",
            "search-heatmap.png",
            "yearly-stats.csv",
        ] {
            assert!(out.join(file).exists(), "{file} not written:\n{stdout}");
        }
        let csv = std::fs::read_to_string(out.join("yearly-stats.csv")).unwrap();
        assert_eq!(csv.lines().count(), 1 + 6, "3 symbols × 2 years:\n{csv}");
        assert!(stdout.contains("Cross-validation, grid of"), "{stdout}");
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
fn bad_arguments_and_a_missing_dataset_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&dir.path().join("nothing-here"), "--runs 1");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cargo run --release -p data"), "{stderr}");

    let (dir, _dataset) = common::dataset();
    let output = run(dir.path(), "--runs 1 --symbol NOPE");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no symbol \"NOPE\"") && stderr.contains("AIG"),
        "{stderr}"
    );
    let output = run(dir.path(), "--runs 1 --year 1999");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no AIG files for 1999") && stderr.contains("--year"),
        "{stderr}"
    );
}

/// A FIFO in place of a minute file: opening it (to warm the page cache, or to read it)
/// would wait for a writer for ever.
#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_a_minute_file_is_reported_not_waited_for() {
    let (dir, dataset) = common::dataset();
    let bad = dataset.minute_files("JPM")[0].clone();
    std::fs::remove_file(&bad).expect("removable");
    let made = std::process::Command::new("mkfifo").arg(&bad).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo makes a FIFO");
    // Bounded by `run`: before the check, the page cache's warm-up waited here for ever.
    let output = run(dir.path(), "--runs 1 --grid 4");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // 3.6 (the reference's answer; a stub reads nothing) names it, and skips it.
    if cfg!(feature = "solution") {
        let named = format!("cannot read {}: it is not a regular file", bad.display());
        assert!(
            said.contains(&named),
            "the FIFO is named, as 3.6 skips it: {said}"
        );
    }
}

/// With the reference's answers: the stubs answer nothing, damaged file or not.
#[cfg(feature = "solution")]
#[test]
fn a_damaged_file_of_the_symbol_shows_as_no_answer_under_each_table_not_as_timings_alone() {
    let (dir, dataset) = common::dataset();
    let bad = dataset.minute_files("AIG")[0].clone();
    std::fs::remove_file(&bad).expect("removable");
    std::fs::create_dir(&bad).expect("a folder in its place");
    let output = run(dir.path(), "--runs 1 --grid 4 --symbol AIG --year 2015");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !output.status.success(),
        "a question without an answer is a problem"
    );
    let no_answer = format!("No answer: cannot read {}", bad.display());
    for table in [
        "3.2 The max high",
        "3.3 The max high",
        "3.5 AIG's close resampled hourly",
    ] {
        let after = &stdout[stdout
            .find(table)
            .unwrap_or_else(|| panic!("no {table}: {stdout}"))..];
        let next = after[1..].find("\n3.").map_or(after.len(), |i| i + 1);
        assert!(
            after[..next].contains(&no_answer),
            "{table} says why it has no answer:\n{}",
            &after[..next]
        );
    }
}

#[test]
fn a_grid_below_two_is_refused_at_once_naming_the_flag() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let output =
        shared::testing::run_program(PROGRAM, dir.path(), "--grid 0", Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "--grid 0 must fail: {stderr}");
    assert!(stderr.contains("--grid"), "it names the flag: {stderr}");
}

#[test]
fn on_a_dataset_of_one_year_the_search_says_it_needs_more_years_instead_of_an_answer() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    data::make(dir.path(), data::Size::Tiny).expect("a tiny dataset (2016 only, no AIG)");
    // Left at its defaults (AIG, 2012), the program takes what this dataset has, and says so.
    let output = run(dir.path(), "--runs 1 --grid 4");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("has no AIG (the default): using AAPL"),
        "{stderr}"
    );
    assert!(
        stderr.contains("covers 2016–2016, not 2012 (the default)"),
        "{stderr}"
    );
    assert!(stdout.contains("AAPL"), "{stdout}");
    assert!(
        stdout.contains("3.7 Parameter search skipped") && stdout.contains("1 year(s) of AAPL"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("own choice averages"),
        "no made-up answer: {stdout}"
    );
    // A symbol typed on the command line is never swapped for another.
    let output = run(dir.path(), "--runs 1 --symbol AIG");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("no symbol \"AIG\""), "{stderr}");
}
