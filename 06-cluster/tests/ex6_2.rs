//! Exercise 6.2: the parameter search over the cluster. `cargo test -p lesson-06-cluster
//! --test ex6_2`. Each test runs the search (your `scores`) with lesson 3's strategy on a
//! tiny dataset, compares it with lesson 3's single-machine search, and checks where the
//! windows were scored.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `06-cluster/mutants/6.2-*.rs`, checked by `cargo course verify --mutants --exercise 6.2`):
//! - the mean as a sum of each score divided by the years (not bit for bit):
//!   `ex6_2_means_are_summed_in_year_order_then_divided`;
//! - every window scored where it entered, on worker 0, with no exchange:
//!   `ex6_2_two_workers_each_score_a_share_once` and `ex6_2_two_processes_share_the_scoring`.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use common::{LAYOUTS, Tiny, cluster, tiny_data};
use lesson_06_cluster::answers::Answers;
use lesson_06_cluster::job::{self, Score};
use market::strategy::{Search, Window, closes_by_year, grid, log_spaced, score};

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
            job::search(
                Answers::tested_for(2),
                layout,
                c.clone(),
                years,
                Arc::clone(&s),
                None,
            ),
        )
    })?;
    let here = std::mem::take(&mut *calls.lock().expect("the log"));
    let lesson3 = common::naive_search(&candidates, years, |w, y| score(w, y));
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

/// Scores whose mean rounds differently when each is divided first, or when they are added
/// in another order: (0.1 + 0.2) + 0.3 = 0.6000000000000001, then / 3 is
/// 0.20000000000000004, while 0.1/3 + 0.2/3 + 0.3/3 is 0.2. Each window's are these times its
/// own power of two (which keeps every rounding).
const ROUNDING: [f64; 3] = [0.1, 0.2, 0.3];

#[test]
fn ex6_2_means_are_summed_in_year_order_then_divided() {
    let test = "ex6_2_means_are_summed_in_year_order_then_divided";
    let layout = LAYOUTS[1];
    let candidates = grid(&[2, 3], &[10, 20]);
    let score: Score = {
        let candidates = candidates.clone();
        Arc::new(move |window, year| {
            let i = candidates.iter().position(|&c| c == window).unwrap_or(0);
            ROUNDING[year] * f64::from(1u32 << i)
        })
    };
    let (c, s) = (candidates.clone(), Arc::clone(&score));
    let Some(answer) = cluster("6.2", test, &tiny_data(), layout, move |layout| {
        common::answer_of(
            "6.2",
            job::search(
                Answers::tested_for(2),
                layout,
                c.clone(),
                ROUNDING.len(),
                Arc::clone(&s),
                None,
            ),
        )
    }) else {
        return;
    };
    let lesson3 = common::naive_search(&candidates, ROUNDING.len(), |w, y| score(w, y));
    for (want, got) in lesson3.scored.iter().zip(&answer.scored) {
        assert!(
            want.mean.to_bits() == got.mean.to_bits(),
            "exercise 6.2: {:?} scored {:?}: summed in year order, then divided by 3, that is a \
             mean of {}, but yours is {}. Dividing each score first, or adding them in another \
             order, rounds differently, and the search must give lesson 3's answer bit for bit; \
             see book section 6.2",
            want.window,
            want.per_year,
            want.mean,
            got.mean
        );
    }
    assert_same(&answer, &lesson3, layout);
}
