//! Exercise 2.2: every pairwise correlation, one task per pair (book section 2.2).
//!
//! `cargo test -p lesson-02-futures --test ex2_2`. These tests call only your
//! `correlations_submit` and given code.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `02-futures/mutants/2.2-*.rs`, checked by `cargo course verify --mutants --exercise 2.2`):
//! - the pairs run with rayon, not on the given pool, or each task waited for before the next is
//!   submitted: `ex2_2_submits_every_pair_with_a_clone_of_the_arc`.

mod common;

use std::sync::Arc;

use common::{pool, tiny_closes};
use futures::task::SpawnExt;
use lesson_02_futures::answer::correlations_submit;
use lesson_02_futures::correlate::{correlations_sequential, most_correlated, pairs};
use shared::testing::{PATIENCE, first_difference, within};

#[test]
fn ex2_2_gives_the_sequential_correlations_in_pair_order() {
    let closes = tiny_closes(); // made before the clock of `within` starts
    within("2.2", move || {
        let series = Arc::new(closes.series);
        let got = correlations_submit(&series, &pool(2, "ex2_2"));
        let expected = correlations_sequential(&series);
        if let Some(difference) = first_difference(&got, &expected) {
            panic!(
                "exercise 2.2: the correlations differ from the sequential ones: {difference}. \
                 One task per pair from `pairs`, gathered in submit order; see book section 2.2"
            );
        }
    });
}

/// Pearson's r the schoolbook way, written here independently of the course's code.
fn naive_r(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

#[test]
fn ex2_2_finds_the_pair_a_naive_computation_finds() {
    let closes = tiny_closes(); // made before the clock of `within` starts
    within("2.2", move || {
        let s = &closes.series;
        let mut naive_best = (String::new(), String::new(), f64::NEG_INFINITY);
        for a in 0..s.len() {
            for b in 0..s.len() {
                let r = naive_r(&s[a], &s[b]);
                if a != b && r > naive_best.2 {
                    naive_best = (closes.symbols[a].clone(), closes.symbols[b].clone(), r);
                }
            }
        }
        let series = Arc::new(closes.series.clone());
        let best = most_correlated(&correlations_submit(&series, &pool(2, "ex2_2")))
            .expect("exercise 2.2: no pair has a correlation; see book section 2.2");
        let mut found = [
            closes.symbols[best.a].clone(),
            closes.symbols[best.b].clone(),
        ];
        let mut expected = [naive_best.0, naive_best.1];
        found.sort();
        expected.sort();
        let r = best.r.unwrap_or(f64::NAN);
        assert!(
            found == expected && (r - naive_best.2).abs() < 1e-9,
            "exercise 2.2: the most correlated pair is {expected:?} with r = {:.6}, your correlations give {found:?} \
             with r = {r:.6}; see book section 2.2",
            naive_best.2
        );
    });
}

#[test]
fn ex2_2_handles_a_constant_series() {
    let mut closes = tiny_closes();
    within("2.2", move || {
        let flat = closes.series[1].len();
        closes.series[1] = vec![42.0; flat];
        let series = Arc::new(closes.series);
        let got = correlations_submit(&series, &pool(2, "ex2_2"));
        let expected = correlations_sequential(&series);
        if let Some(difference) = first_difference(&got, &expected) {
            panic!(
                "exercise 2.2: with series 1 constant (its correlations are undefined, `r: None`), the correlations \
                 differ from the sequential ones: {difference}; see book section 2.2"
            );
        }
    });
}

#[test]
fn ex2_2_submits_every_pair_with_a_clone_of_the_arc() {
    let closes = tiny_closes(); // made before the clock of `within` starts
    within("2.2", move || {
        let series = Arc::new(closes.series);
        let tasks = pairs(series.len()).count();
        let pool = pool(1, "ex2_2");
        // The pool's only thread is held until every pair's task is waiting in its queue,
        // each holding a clone of the `Arc`: ours, plus one per pair.
        let weak = Arc::downgrade(&series);
        let expected = 1 + tasks;
        let holder = pool
            .spawn_with_handle(async move {
                let deadline = std::time::Instant::now() + PATIENCE;
                let mut most = 0;
                while std::time::Instant::now() < deadline {
                    most = most.max(weak.strong_count());
                    if most >= expected {
                        break;
                    }
                    std::thread::yield_now();
                }
                most
            })
            .expect("the pool accepts a task");
        let got = correlations_submit(&series, &pool);
        let most = futures::executor::block_on(holder);
        assert_eq!(
            got.len(),
            tasks,
            "exercise 2.2: expected {tasks} correlations; see book section 2.2"
        );
        assert!(
            most > 1,
            "exercise 2.2: no task given to `pool` ever held a clone of the `Arc`: were the series copied \
             into each task, or the pairs run somewhere else (on this thread, or with rayon)? Submit one \
             task per pair to the given `pool`, and move a clone of the `Arc` (`Arc::clone(series)`: a \
             pointer and a count, not the data) into each; see book section 2.2"
        );
        assert!(
            most >= expected,
            "exercise 2.2: with the pool busy, at most {} tasks held a clone of the series at once; with \
             {tasks} pairs there should be {tasks}: submit one task per pair, every one before waiting for \
             any, and move a clone of the `Arc` (`Arc::clone(series)`) into each; see book section 2.2",
            most - 1
        );
    });
}
