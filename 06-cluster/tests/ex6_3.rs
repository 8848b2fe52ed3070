//! Exercise 6.3: a bad file, carried to worker 0. `cargo test -p lesson-06-cluster --test
//! ex6_3`. A copy of the tiny dataset gets one damaged line; the group-by (the reference's
//! 6.1, your `split` and `settle`) must either fail with an error that names the worker,
//! the file and the line, or answer without that file and report it: your choice. Every
//! other file must count.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `06-cluster/mutants/6.3-*.rs`, checked by `cargo course verify --mutants --exercise 6.3`):
//! - every problem naming worker 0: `ex6_3_two_workers_name_the_worker_that_read_it`;
//! - the line left out, the bad file dropped without a problem, or `settle` reporting nothing
//!   skipped: `ex6_3_one_worker_names_the_bad_file_and_line`.

mod common;

use std::path::PathBuf;

use common::{LAYOUTS, cluster, days_difference, expected_days, tiny_data};
use lesson_06_cluster::answers::Answers;
use lesson_06_cluster::job::{self, BadInput, GroupBy, Problem};

/// The damaged file's place in the sorted list, and its damaged line (from 1, the header
/// being line 1).
const BAD_FILE: usize = 5;
const BAD_LINE: usize = 17;

fn check(test: &str, layout: (usize, usize)) {
    let data = tiny_data();
    let files = data.files();
    let bad = files[BAD_FILE].clone();
    if std::env::var_os("LESSON_06_TEST_DATA").is_none() {
        common::corrupt(&bad, BAD_LINE);
    }
    let mine = files.clone();
    let Some(answer) = cluster("6.3", test, &data, layout, move |layout| {
        common::answer_of(
            "6.3",
            job::group_by(Answers::tested_for(3), layout, mine.clone(), None),
        )
    }) else {
        return;
    };
    let (processes, workers) = layout;
    // Files are dealt to the workers in turn: file i goes to worker i mod (all workers).
    let worker = BAD_FILE % (processes * workers);
    let on = format!("on {processes} process(es) × {workers} worker(s)");
    let named = |problem: &Problem| {
        problem.worker == worker && problem.file == bad && problem.line == Some(BAD_LINE as u64)
    };
    match answer {
        Err(BadInput(problems)) => {
            assert!(
                problems.len() == 1 && named(&problems[0]),
                "exercise 6.3 {on}: expected one problem, worker {worker}, {}, line \
                 {BAD_LINE}; got {problems:?} (see book section 6.3)",
                bad.display()
            );
            let message = BadInput(problems).to_string();
            for part in [
                format!("worker {worker}"),
                bad.display().to_string(),
                format!("line {BAD_LINE}"),
            ] {
                assert!(
                    message.contains(&part),
                    "the error should say {part:?}: {message}"
                );
            }
        }
        Ok(GroupBy { symbols, skipped }) => {
            assert!(
                skipped.len() == 1 && named(&skipped[0]),
                "exercise 6.3 {on}: the answer should report one skipped file, worker \
                 {worker}, {}, line {BAD_LINE}; got {skipped:?} (see book section 6.3)",
                bad.display()
            );
            let good: Vec<PathBuf> = files.iter().filter(|f| **f != bad).cloned().collect();
            if let Some(d) = days_difference(&symbols, &expected_days(&good)) {
                panic!("exercise 6.3 {on}: without the bad file, {d} (see book section 6.3)");
            }
        }
    }
}

#[test]
fn ex6_3_one_worker_names_the_bad_file_and_line() {
    check("ex6_3_one_worker_names_the_bad_file_and_line", LAYOUTS[0]);
}

#[test]
fn ex6_3_two_workers_name_the_worker_that_read_it() {
    check("ex6_3_two_workers_name_the_worker_that_read_it", LAYOUTS[1]);
}

#[test]
fn ex6_3_two_processes_carry_the_problem_to_process_0() {
    check(
        "ex6_3_two_processes_carry_the_problem_to_process_0",
        LAYOUTS[2],
    );
}

#[test]
fn ex6_3_clean_data_gives_every_symbol_and_no_problem() {
    let test = "ex6_3_clean_data_gives_every_symbol_and_no_problem";
    let data = tiny_data();
    let files = data.files();
    let mine = files.clone();
    let Some(answer) = cluster("6.3", test, &data, LAYOUTS[1], move |layout| {
        common::answer_of(
            "6.3",
            job::group_by(Answers::tested_for(3), layout, mine.clone(), None),
        )
    }) else {
        return;
    };
    let GroupBy { symbols, skipped } = answer.unwrap_or_else(|e| {
        panic!("exercise 6.3: no file is bad, yet the job failed: {e} (see book section 6.3)")
    });
    assert!(
        skipped.is_empty(),
        "exercise 6.3: no file is bad, yet {skipped:?} were skipped"
    );
    if let Some(d) = days_difference(&symbols, &expected_days(&files)) {
        panic!("exercise 6.3: on clean data, {d} (see book section 6.3)");
    }
}
