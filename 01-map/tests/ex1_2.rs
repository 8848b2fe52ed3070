//! Exercise 1.2: the same map by hand, with scoped threads and a shared counter (book
//! section 1.2).
//!
//! `cargo test -p lesson-01-map --test ex1_2`. These tests call only your
//! `par_map_by_hand` and given code, so they pass as soon as exercise 1.2 is done.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `01-map/mutants/1.2-*.rs`, checked by `cargo course verify --mutants --exercise 1.2`):
//! - one thread whatever `threads` says: `ex1_2_uses_the_threads_it_is_given`;
//! - each thread's results concatenated thread by thread:
//!   `ex1_2_keeps_the_order_when_items_finish_out_of_order`;
//! - `join().unwrap()` for `resume_unwind`: `ex1_2_passes_on_a_panic_in_the_work`.

mod common;

use common::{Counted, break_one_file, check_one_failure, check_outputs, fixture, times_ten};
use lesson_01_map::answer::par_map_by_hand;
use lesson_01_map::convert::{convert_file, parse_value};
use shared::testing::{OutOfOrder, Rendezvous, expect_panic_passed_on, first_difference, within};

#[test]
fn ex1_2_keeps_the_order_and_processes_each_item_once() {
    within("1.2", || {
        for (n, threads) in [(0, 4), (1, 4), (37, 4), (37, 1), (3, 8), (1000, 3), (5, 0)] {
            let work = Counted::new(n);
            let items: Vec<usize> = (0..n).collect();
            let results = par_map_by_hand(&items, threads, |&i| work.process(i));
            if let Some(difference) = first_difference(&results, &times_ten(n)) {
                panic!(
                    "exercise 1.2: with {n} items and {threads} threads (item i gives i × 10), the results are not in input order: {difference}; see book section 1.2"
                );
            }
            work.check_each_once("1.2");
        }
    });
}

// ANCHOR: out_of_order
#[test]
fn ex1_2_keeps_the_order_when_items_finish_out_of_order() {
    within("1.2", || {
        for threads in [2, 3, 4] {
            let n = 64;
            let work = OutOfOrder::pairs(n);
            let items: Vec<usize> = (0..n).collect();
            let results = par_map_by_hand(&items, threads, |&i| work.process(i));
            if let Some(difference) = first_difference(&results, &times_ten(n)) {
                panic!(
                    "exercise 1.2: with {threads} threads, where item 2k finishes after item 2k + 1, the results are not in input order: {difference}. \
                     Results gathered as they finish, or thread by thread, come out in the wrong order: put each result at its item's index; see book section 1.2"
                );
            }
            assert!(
                !work.gave_up(),
                "exercise 1.2: with {threads} threads, item 0 waited in vain for item 1: the items did not run on several threads at once, \
                 each taking the next index from a shared counter; see book section 1.2"
            );
        }
    });
}
// ANCHOR_END: out_of_order

#[test]
fn ex1_2_uses_the_threads_it_is_given() {
    within("1.2", || {
        let items: Vec<usize> = (0..8).collect();
        let meeting = Rendezvous::new();
        par_map_by_hand(&items, 4, |_| meeting.arrive());
        let threads = meeting.thread_count();
        assert!(
            threads >= 2,
            "exercise 1.2: asked for 4 threads, the work ran on {threads}; start `threads` scoped threads that each take items \
             from a shared counter. See book section 1.2"
        );
    });
}

#[test]
fn ex1_2_passes_on_a_panic_in_the_work() {
    within("1.2", || {
        let items: Vec<usize> = (0..10).collect();
        expect_panic_passed_on("1.2", "item 7 is bad", "item 7", || {
            par_map_by_hand(&items, 3, |&i| {
                assert!(i != 7, "item 7 is bad");
                i
            })
        });
    });
}

#[test]
fn ex1_2_converts_every_file_as_the_sequential_baseline_does() {
    within("1.2", || {
        let f = fixture();
        let results = par_map_by_hand(&f.inputs, 3, |input| {
            convert_file(input, &f.out, parse_value)
        });
        check_outputs("1.2", &f, &results);
    });
}

#[test]
fn ex1_2_reports_a_bad_file_and_converts_the_rest() {
    within("1.2", || {
        let f = fixture();
        let bad = break_one_file(&f);
        let results = par_map_by_hand(&f.inputs, 2, |input| {
            convert_file(input, &f.out, parse_value)
        });
        check_one_failure("1.2", &f, &bad, &results);
    });
}
