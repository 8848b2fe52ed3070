//! Exercise 1.1: a parallel map with rayon (book section 1.1).
//!
//! `cargo test -p lesson-01-map --test ex1_1`. These tests call only your `par_map_rayon`
//! and given code, so they pass as soon as exercise 1.1 is done.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `01-map/mutants/1.1-*.rs`, checked by `cargo course verify --mutants --exercise 1.1`):
//! - `iter()` for `par_iter()`: `ex1_1_runs_items_on_several_threads`;
//! - results collected as they finish: `ex1_1_keeps_the_order_when_items_finish_out_of_order`.

mod common;

use common::{Counted, break_one_file, check_one_failure, check_outputs, fixture, times_ten};
use lesson_01_map::answer::par_map_rayon;
use lesson_01_map::convert::{convert_file, parse_value};
use shared::testing::{OutOfOrder, Rendezvous, first_difference, within};

/// Runs `f` inside a rayon pool of four threads, whatever the machine's core count, so the
/// structure checks below mean the same on every machine.
fn on_four_threads<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .expect("a pool of 4 threads");
    pool.install(f)
}

#[test]
fn ex1_1_keeps_the_order_and_processes_each_item_once() {
    within("1.1", || {
        for n in [0, 1, 37, 1000] {
            let work = Counted::new(n);
            let items: Vec<usize> = (0..n).collect();
            let results = par_map_rayon(&items, |&i| work.process(i));
            if let Some(difference) = first_difference(&results, &times_ten(n)) {
                panic!(
                    "exercise 1.1: with {n} items (item i gives i × 10), the results are not in input order: {difference}; see book section 1.1"
                );
            }
            work.check_each_once("1.1");
        }
    });
}

#[test]
fn ex1_1_keeps_the_order_when_items_finish_out_of_order() {
    within("1.1", || {
        let n = 64;
        let work = OutOfOrder::first_after_last(n);
        let items: Vec<usize> = (0..n).collect();
        let results = on_four_threads(|| par_map_rayon(&items, |&i| work.process(i)));
        if let Some(difference) = first_difference(&results, &times_ten(n)) {
            panic!(
                "exercise 1.1: here item 0 finishes last, so results gathered in the order they finish come out wrong: {difference}. \
                 Return each result at its item's index (collecting a rayon iterator into a Vec does); see book section 1.1"
            );
        }
        // Without this, an answer that ran item 0 alone first would finish in input order
        // after item 0 gave up waiting, and the order check above would prove nothing.
        assert!(
            !work.gave_up(),
            "exercise 1.1: item 0 waited in vain for item {}: the items did not run on several of rayon's threads at once; see book section 1.1",
            n - 1
        );
    });
}

#[test]
fn ex1_1_runs_items_on_several_threads() {
    within("1.1", || {
        let items: Vec<usize> = (0..8).collect();
        let meeting = Rendezvous::new();
        on_four_threads(|| par_map_rayon(&items, |_| meeting.arrive()));
        let threads = meeting.thread_count();
        assert!(
            threads >= 2,
            "exercise 1.1: the work ran on {threads} thread(s) of a pool of 4; a parallel map runs items on several of rayon's threads at once. \
             Did you use `par_iter`? See book section 1.1"
        );
    });
}

#[test]
fn ex1_1_converts_every_file_as_the_sequential_baseline_does() {
    within("1.1", || {
        let f = fixture();
        let results = par_map_rayon(&f.inputs, |input| convert_file(input, &f.out, parse_value));
        check_outputs("1.1", &f, &results);
    });
}

#[test]
fn ex1_1_reports_a_bad_file_and_converts_the_rest() {
    within("1.1", || {
        let f = fixture();
        let bad = break_one_file(&f);
        let results = par_map_rayon(&f.inputs, |input| convert_file(input, &f.out, parse_value));
        check_one_failure("1.1", &f, &bad, &results);
    });
}
