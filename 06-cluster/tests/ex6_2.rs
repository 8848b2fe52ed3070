//! Exercise 6.2: the parameter search over the cluster. `cargo test -p lesson-06-cluster
//! --test ex6_2`. Each test runs the search (your `scores`) with lesson 3's strategy on a
//! tiny dataset, compares it with lesson 3's single-machine search, and checks where the
//! windows were scored.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use common::{LAYOUTS, Tiny, Yours62, cluster, tiny_data};
use lesson_03_datasets::strategy::{Search, Window, closes_by_year, grid, log_spaced, score};
use lesson_06_cluster::job::{self, Score};

/// One call of `score`: which thread, which window, which year.
type Call = (ThreadId, Window, usize);

/// Who scored what, in this process.
type Calls = Arc<Mutex<Vec<Call>>>;

/// A grid of windows, the years of AIG's closes, and the strategy's score on them, which
/// records every call in `calls`.
fn setup(data: &Tiny, calls: &Calls) -> (Vec<Window>, usize, Score) {
    let files = shared::dataset::Dataset::open(&data.root)
        .expect("the tiny dataset opens")
        .minute_files("AIG");
    let years = closes_by_year(&files).expect("the tiny files read");
    let candidates = grid(&log_spaced(2, 60, 5), &log_spaced(10, 300, 5));
    let calls = Arc::clone(calls);
    let count = years.len();
    let score: Score = Arc::new(move |window, year| {
        let me = std::thread::current().id();
        calls.lock().expect("the log").push((me, window, year));
        score(&years[year].1, window)
    });
    (candidates, count, score)
}

/// The search on `layout`; returns its answer, lesson 3's, and process 0's calls of
/// `score`.
fn search(test: &str, layout: (usize, usize)) -> Option<(Search, Search, Vec<Call>)> {
    let data = tiny_data();
    let calls = Calls::default();
    let (candidates, years, score) = setup(&data, &calls);
    let (c, s) = (candidates.clone(), Arc::clone(&score));
    let answer = cluster("6.2", test, &data, layout, move |layout| {
        common::answer_of(
            "6.2",
            job::search::<Yours62>(layout, c.clone(), years, Arc::clone(&s), None),
        )
    })?;
    let here = std::mem::take(&mut *calls.lock().expect("the log"));
    let lesson3 = lesson_03_datasets::solution::search(&candidates, years, |w, y| score(w, y));
    Some((answer, lesson3, here))
}

fn assert_same(answer: &Search, lesson3: &Search, layout: (usize, usize)) {
    if let Some(d) = shared::testing::first_difference(&answer.scored, &lesson3.scored) {
        panic!(
            "exercise 6.2 on {} process(es) × {} worker(s): the scores differ from lesson 3's \
             search: {d} (see book section 6.2)",
            layout.0, layout.1
        );
    }
    assert_eq!(
        answer.folds, lesson3.folds,
        "the folds follow from the scores"
    );
}

/// How many calls of `score` each thread made.
fn per_thread(calls: &[Call]) -> HashMap<ThreadId, usize> {
    let mut counts = HashMap::new();
    for (thread, _, _) in calls {
        *counts.entry(*thread).or_default() += 1;
    }
    counts
}

#[test]
fn ex6_2_one_worker_gives_lesson_3s_answer() {
    let layout = LAYOUTS[0];
    let Some((answer, lesson3, _)) = search("ex6_2_one_worker_gives_lesson_3s_answer", layout)
    else {
        return;
    };
    assert_same(&answer, &lesson3, layout);
}

#[test]
fn ex6_2_two_workers_each_score_a_share_once() {
    let layout = LAYOUTS[1];
    let Some((answer, lesson3, calls)) =
        search("ex6_2_two_workers_each_score_a_share_once", layout)
    else {
        return;
    };
    assert_same(&answer, &lesson3, layout);
    let mut pairs: Vec<(Window, usize)> = calls.iter().map(|&(_, w, y)| (w, y)).collect();
    pairs.sort();
    let before = pairs.len();
    pairs.dedup();
    assert_eq!(
        before,
        pairs.len(),
        "exercise 6.2: some (window, year) was scored more than once; score each window on \
         one worker (see book section 6.2)"
    );
    let threads = per_thread(&calls);
    assert!(
        threads.len() >= 2,
        "exercise 6.2: every window was scored by the same worker ({} calls on one thread); \
         the windows enter at worker 0: spread them over the workers (see book section 6.2)",
        calls.len()
    );
}

#[test]
fn ex6_2_two_processes_share_the_scoring() {
    let layout = LAYOUTS[2];
    let Some((answer, lesson3, calls)) = search("ex6_2_two_processes_share_the_scoring", layout)
    else {
        return;
    };
    assert_same(&answer, &lesson3, layout);
    let all = answer.scored.len() * answer.scored.first().map_or(0, |s| s.per_year.len());
    assert!(
        !calls.is_empty() && calls.len() < all,
        "exercise 6.2: process 0 made {} of the {all} evaluations; on two processes each \
         should make a share (see book section 6.2)",
        calls.len()
    );
}
