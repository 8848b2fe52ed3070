//! Exercise 6.1: the distributed group-by. `cargo test -p lesson-06-cluster --test ex6_1`.
//! Each test runs the group-by (your `daily_bars`, the reference's 6.3) on a tiny dataset
//! and compares it with a plain single-machine read, and the highest highs with lesson 3's
//! answer; on one worker, on two, and on two processes of two workers over 127.0.0.1.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `06-cluster/mutants/6.1-*.rs`, checked by `cargo course verify --mutants --exercise 6.1`):
//! - every day sent to worker 0 and grouped there: `ex6_1_two_workers_bring_each_symbol_together`
//!   and `ex6_1_two_processes_of_two_workers_give_the_same_answer`;
//! - each worker's own days grouped with no exchange (a symbol comes back from several
//!   workers): the same two tests.

mod common;

use std::collections::BTreeSet;

use common::{LAYOUTS, Tiny, cluster, days_difference, expected_days, tiny_data};
use lesson_06_cluster::answers::Answers;
use lesson_06_cluster::engine::key_hash;
use lesson_06_cluster::job::{self, GroupBy};

/// The group-by on `layout`, checked against the single-machine answers.
fn check(test: &str, data: &Tiny, layout: (usize, usize)) {
    let files = data.files();
    let mine = files.clone();
    let answer = cluster("6.1", test, data, layout, move |layout| {
        common::answer_of(
            "6.1",
            job::group_by_with_owners(Answers::tested_for(1), layout, mine.clone(), None),
        )
    });
    let Some((answer, owners)) = answer else {
        return; // this was process 1: process 0 checks the answer
    };
    let (processes, workers) = layout;
    let GroupBy { symbols, skipped } = answer.expect("the tiny dataset reads");
    assert!(skipped.is_empty(), "no file is bad: {skipped:?}");
    // An exchange by `key_hash` sends a symbol to worker `key_hash(symbol) % workers`: if
    // that spreads the symbols over two workers or more, so must the answer (with std's
    // hasher today, AIG and JPM share one worker of 2 and of 4, AAPL has another).
    let peers = (processes * workers) as u64;
    let routed: BTreeSet<u64> = owners.keys().map(|s| key_hash(s) % peers).collect();
    let grouped_on: BTreeSet<usize> = owners.values().copied().collect();
    if routed.len() > 1 && grouped_on.len() < 2 {
        panic!(
            "exercise 6.1 on {processes} process(es) × {workers} worker(s): every symbol's days \
             were given out by worker {grouped_on:?} ({owners:?}), so one worker did all the \
             grouping while the others waited. Route each day by its own symbol \
             (`key_hash(&symbol)`, or `aggregate_by_key`, which does), and give each symbol out \
             where its days met (the given code collects them at worker 0); see book section 6.1"
        );
    }
    if let Some(difference) = days_difference(&symbols, &expected_days(&files)) {
        panic!(
            "exercise 6.1 on {processes} process(es) × {workers} worker(s): {difference} \
             (see book section 6.1)"
        );
    }
    // On one machine, read straight from the files: the highest high of each symbol and
    // the dates it happened (lesson 3's question 3.2).
    for (symbol, days) in &symbols {
        let bars: Vec<shared::Bar> = files
            .iter()
            .filter(|f| market::files::symbol_of(f) == Some(symbol.as_str()))
            .flat_map(|f| shared::read::read_csv(f).expect("the tiny files read"))
            .collect();
        let file_high = bars
            .iter()
            .map(|b| b.high)
            .fold(f64::NEG_INFINITY, f64::max);
        let mut file_dates: Vec<_> = bars
            .iter()
            .filter(|b| b.high == file_high)
            .map(|b| b.timestamp.date())
            .collect();
        file_dates.dedup();
        let high = days
            .iter()
            .map(|d| d.high)
            .fold(f64::NEG_INFINITY, f64::max);
        let dates: Vec<_> = days
            .iter()
            .filter(|d| d.high == high)
            .map(|d| d.date)
            .collect();
        assert_eq!(
            (high, dates),
            (file_high, file_dates),
            "exercise 6.1: {symbol}'s highest high and its dates differ from the files' \
             (see book section 6.1)"
        );
    }
}

#[test]
fn ex6_1_one_worker_gives_the_single_machine_answer() {
    check(
        "ex6_1_one_worker_gives_the_single_machine_answer",
        &tiny_data(),
        LAYOUTS[0],
    );
}

#[test]
fn ex6_1_two_workers_bring_each_symbol_together() {
    check(
        "ex6_1_two_workers_bring_each_symbol_together",
        &tiny_data(),
        LAYOUTS[1],
    );
}

#[test]
fn ex6_1_two_processes_of_two_workers_give_the_same_answer() {
    check(
        "ex6_1_two_processes_of_two_workers_give_the_same_answer",
        &tiny_data(),
        LAYOUTS[2],
    );
}
