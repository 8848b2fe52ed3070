//! Exercise 3.7: the cross-validated parameter search (book section 3.7).
//!
//! `cargo test -p lesson-03-datasets --test ex3_7`. These tests call only your `search`
//! and given code.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `03-datasets/mutants/3.7-*.rs`, checked by `cargo course verify --mutants --exercise 3.7`):
//! - a mean summed in parallel (`par_iter().sum()`), which adds in the order rayon split the
//!   work: `ex3_7_sums_each_candidates_scores_in_year_order`;
//! - every evaluation on one thread: `ex3_7_evaluates_on_several_threads_at_once`.

mod common;

use common::{close, dataset, same_on_1_2_4};
use lesson_03_datasets::answer::search;
use lesson_03_datasets::frame::on_threads;
use lesson_03_datasets::strategy::{Search, Window, closes_by_year, grid, sample, score};
use shared::testing::{Rendezvous, within};

/// A made-up score with many ties, cheap and the same on every call.
fn toy_score(w: Window, year: usize) -> f64 {
    ((w.fast * 31 + w.slow * 7 + year * 13) % 17) as f64 / 4.0
}

/// The naive search, two plain loops: what `search` must give.
fn naive(candidates: &[Window], years: usize, score: impl Fn(Window, usize) -> f64) -> Search {
    let mut found = Search::default();
    for &window in candidates {
        let per_year: Vec<f64> = (0..years).map(|y| score(window, y)).collect();
        let mean = per_year.iter().sum::<f64>() / years as f64;
        found.scored.push(lesson_03_datasets::strategy::Scored {
            window,
            per_year,
            mean,
        });
    }
    for held_out in 0..years {
        let mut best: Option<lesson_03_datasets::strategy::Fold> = None;
        for s in &found.scored {
            let others: Vec<f64> = (0..years)
                .filter(|&y| y != held_out)
                .map(|y| s.per_year[y])
                .collect();
            let train = others.iter().sum::<f64>() / others.len() as f64;
            if best.is_none_or(|b| train > b.train + 1e-12) {
                best = Some(lesson_03_datasets::strategy::Fold {
                    held_out,
                    chosen: s.window,
                    train,
                    validation: s.per_year[held_out],
                });
            }
        }
        found.folds.extend(best);
    }
    found
}

fn same_search(a: &Search, b: &Search) -> Result<(), String> {
    if a.scored.len() != b.scored.len() || a.folds.len() != b.folds.len() {
        return Err(format!(
            "{} scored and {} folds expected, got {} and {}",
            a.scored.len(),
            a.folds.len(),
            b.scored.len(),
            b.folds.len()
        ));
    }
    for (x, y) in a.scored.iter().zip(&b.scored) {
        if x.window != y.window || x.per_year != y.per_year || !close(x.mean, y.mean) {
            return Err(format!(
                "scored: expected {x:?}, got {y:?} (in the candidates' order)"
            ));
        }
    }
    for (x, y) in a.folds.iter().zip(&b.folds) {
        if x.held_out != y.held_out
            || x.chosen != y.chosen
            || !close(x.train, y.train)
            || x.validation != y.validation
        {
            return Err(format!("folds: expected {x:?}, got {y:?}"));
        }
    }
    Ok(())
}

#[test]
fn ex3_7_gives_what_a_naive_search_gives_with_ties_to_the_first_candidate() {
    within("3.7", || {
        let candidates = grid(&[2, 3, 5, 8, 13], &[4, 9, 20, 50, 100, 200]);
        let expected = naive(&candidates, 5, toy_score);
        let got = search(&candidates, 5, toy_score);
        if let Err(difference) = same_search(&expected, &got) {
            panic!("exercise 3.7: {difference}; see book section 3.7");
        }
    });
}

#[test]
fn ex3_7_is_deterministic_for_a_seed_on_1_2_and_4_threads() {
    let (_dir, dataset) = dataset();
    let years = closes_by_year(&dataset.minute_files("AIG")).unwrap();
    within("3.7", move || {
        let candidates = sample((2, 30), (10, 200), 24, 7);
        assert_eq!(
            candidates,
            sample((2, 30), (10, 200), 24, 7),
            "the given sampler is seeded"
        );
        let score_of = |w: Window, y: usize| score(&years[y].1, w);
        // Bit for bit: the same search must give the same answer whatever the threads.
        let got = same_on_1_2_4(
            "3.7",
            || search(&candidates, years.len(), score_of),
            |a, b| a == b,
        );
        if let Err(difference) = same_search(&naive(&candidates, years.len(), score_of), &got) {
            panic!("exercise 3.7: {difference}; see book section 3.7");
        }
    });
}

// ANCHOR: order_sensitive
/// Scores whose sum depends on the order of the additions: 1e16 + 1 rounds back to 1e16, so
/// in year order ((1 + 1e16) - 1e16) + 1 = 1, while (1 + 1e16) + (-1e16 + 1) = 0. Each
/// candidate's scores are these times its own power of two (which keeps every rounding).
const ORDER_SENSITIVE: [f64; 4] = [1.0, 1e16, -1e16, 1.0];
// ANCHOR_END: order_sensitive

#[test]
fn ex3_7_sums_each_candidates_scores_in_year_order() {
    within("3.7", || {
        let candidates = grid(&[2, 3], &[10, 20]);
        let score = |w: Window, y: usize| {
            let i = candidates.iter().position(|&c| c == w).unwrap_or(0);
            ORDER_SENSITIVE[y] * f64::from(1u32 << i)
        };
        let expected = naive(&candidates, ORDER_SENSITIVE.len(), score);
        for threads in [1, 2, 4] {
            let got = on_threads(threads, || {
                search(&candidates, ORDER_SENSITIVE.len(), score)
            })
            .expect("a rayon pool");
            for (want, got) in expected.scored.iter().zip(&got.scored) {
                assert!(
                    want.mean.to_bits() == got.mean.to_bits(),
                    "exercise 3.7: on {threads} threads, {:?} scored {:?}: summed in year order \
                     and divided by 4, that is a mean of {}, but yours is {}. Floats added in \
                     another order give other bits, and a parallel sum adds in the order rayon \
                     split the work, which changes with the threads: sum each candidate's few \
                     scores on one thread, in year order; see book section 3.7",
                    want.window,
                    want.per_year,
                    want.mean,
                    got.mean
                );
            }
            for (want, got) in expected.folds.iter().zip(&got.folds) {
                assert!(
                    want.train.to_bits() == got.train.to_bits(),
                    "exercise 3.7: on {threads} threads, with year {} held out, {:?}'s mean \
                     over the other years is {} when summed in year order, but yours is {}: \
                     sum on one thread, in year order; see book section 3.7",
                    want.held_out,
                    want.chosen,
                    want.train,
                    got.train
                );
            }
            assert_eq!(
                got.folds.len(),
                expected.folds.len(),
                "exercise 3.7: one fold per year"
            );
        }
    });
}

#[test]
fn ex3_7_evaluates_on_several_threads_at_once() {
    within("3.7", || {
        let meeting = Rendezvous::new();
        let candidates = grid(&[2, 3, 5, 8], &[10, 20, 40, 80]);
        let found = on_threads(2, || {
            search(&candidates, 3, |w, y| {
                meeting.arrive();
                toy_score(w, y)
            })
        })
        .unwrap();
        assert_eq!(
            found.scored.len(),
            candidates.len(),
            "exercise 3.7: one Scored per candidate"
        );
        assert!(
            meeting.thread_count() >= 2 && !meeting.gave_up(),
            "exercise 3.7: on a pool of 2 threads, every evaluation ran on one thread, one after the other: \
             evaluate the candidates (or the candidate × year pairs) with a parallel iterator; see book section 3.7"
        );
    });
}
