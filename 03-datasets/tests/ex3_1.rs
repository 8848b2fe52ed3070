//! Exercise 3.1: the max pairwise correlation as one parallel pipeline (book section 3.1).
//!
//! `cargo test -p lesson-03-datasets --test ex3_1`. These tests call only your
//! `max_correlation` and given code.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `03-datasets/mutants/3.1-*.rs`, checked by `cargo course verify --mutants --exercise 3.1`):
//! - the double loop, sequential: `ex3_1_correlates_pairs_on_several_threads_at_once`;
//! - `max_by` on r alone (ties to whichever pair came last):
//!   `ex3_1_skips_undefined_pairs_and_breaks_ties_by_the_first_pair`;
//! - the whole product, a series with itself included: `ex3_1_finds_the_pair_a_naive_double_loop_finds`.

mod common;

use lesson_03_datasets::answer::max_correlation;
use lesson_03_datasets::bag::Best;
use lesson_03_datasets::frame::on_threads;
use shared::testing::{Rendezvous, within};

/// Twelve series of 50 points, some related, made without randomness.
fn series() -> Vec<Vec<f64>> {
    (0..12)
        .map(|s| {
            (0..50)
                .map(|i| {
                    let t = i as f64;
                    (t * (1.0 + s as f64 * 0.37)).sin() + (s % 3) as f64 * t * 0.05
                })
                .collect()
        })
        .collect()
}

/// Pearson's r the schoolbook way, written here independently of the course's code.
fn naive_r(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    (vx > 0.0 && vy > 0.0).then(|| cov / (vx * vy).sqrt())
}

#[test]
fn ex3_1_finds_the_pair_a_naive_double_loop_finds() {
    let s = series();
    within("3.1", move || {
        let mut naive: Option<Best> = None;
        for a in 0..s.len() {
            for b in 0..s.len() {
                if a < b
                    && let Some(r) = naive_r(&s[a], &s[b])
                    && naive.is_none_or(|best| r > best.r)
                {
                    naive = Some(Best { a, b, r });
                }
            }
        }
        let got = max_correlation(&s, |x: &Vec<f64>, y: &Vec<f64>| naive_r(x, y));
        assert_eq!(
            got, naive,
            "exercise 3.1: the most correlated pair (a < b) is {naive:?}, your pipeline gave {got:?}; see book section 3.1"
        );
    });
}

#[test]
fn ex3_1_skips_undefined_pairs_and_breaks_ties_by_the_first_pair() {
    within("3.1", || {
        // Every pair has r = 0.5 except those with item 0, whose r is undefined: the first
        // defined pair, (1, 2), must win on every split of the work.
        let items: Vec<usize> = (0..40).collect();
        let correlate = |a: &usize, b: &usize| (*a != 0 && *b != 0).then_some(0.5);
        for threads in [1, 2, 4] {
            let got = on_threads(threads, || max_correlation(&items, correlate)).unwrap();
            assert_eq!(
                got,
                Some(Best { a: 1, b: 2, r: 0.5 }),
                "exercise 3.1 on {threads} threads: with every defined r equal, the first pair (1, 2) wins, and pairs \
                 whose correlation is None are skipped; see book section 3.1"
            );
        }
        let none = max_correlation(&[1.0], |_: &f64, _: &f64| Some(1.0));
        assert_eq!(
            none, None,
            "exercise 3.1: one item has no pair, so no answer; see book section 3.1"
        );
    });
}

#[test]
fn ex3_1_correlates_pairs_on_several_threads_at_once() {
    within("3.1", || {
        let meeting = Rendezvous::new();
        let items: Vec<f64> = (0..16).map(f64::from).collect();
        let best = on_threads(2, || {
            max_correlation(&items, |a: &f64, b: &f64| {
                meeting.arrive();
                Some(a * b)
            })
        })
        .unwrap();
        assert_eq!(
            best.map(|b| (b.a, b.b)),
            Some((14, 15)),
            "exercise 3.1: the largest a × b; see book section 3.1"
        );
        assert!(
            meeting.thread_count() >= 2 && !meeting.gave_up(),
            "exercise 3.1: on a pool of 2 threads, every pair was correlated on one thread, one after the other: \
             start from `into_par_iter()` and keep the pipeline parallel to the end; see book section 3.1"
        );
    });
}
