//! Exercise 2.1: the slowadd/slowsub double loop with submit and gather (book section 2.1).
//!
//! `cargo test -p lesson-02-futures --test ex2_1`. These tests call only your
//! `double_loop_submit` and given code.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Threads, pool};
use lesson_02_futures::answer::double_loop_submit;
use lesson_02_futures::slow::{Slow, double_loop_sequential};
use shared::testing::{PATIENCE, Rendezvous, first_difference, within};

#[test]
fn ex2_1_gives_the_sequential_results_in_loop_order() {
    within("2.1", || {
        let pool = pool(4, "ex2_1");
        let slow = Slow::new(Duration::ZERO);
        for n in [0, 1, 2, 5, 9] {
            let expected = double_loop_sequential(n, &slow);
            let got = double_loop_submit(n, &slow, &pool);
            if let Some(difference) = first_difference(&got, &expected) {
                panic!(
                    "exercise 2.1: for n = {n}, the results differ from the sequential loop's: {difference}. \
                     Add when i < j, subtract when i > j, skip i == j, and gather in submit order; see book section 2.1"
                );
            }
        }
    });
}

#[test]
fn ex2_1_submits_every_call_before_waiting_for_any() {
    within("2.1", || {
        let pool = pool(4, "ex2_1");
        let meeting = Arc::new(Rendezvous::new());
        let threads = Arc::new(Threads::default());
        let observer = {
            let (meeting, threads) = (Arc::clone(&meeting), Arc::clone(&threads));
            Arc::new(move || {
                threads.record();
                meeting.arrive();
            })
        };
        let slow = Slow::observed(Duration::from_millis(1), observer);
        double_loop_submit(3, &slow, &pool);
        threads.check_all_in("ex2_1-", "2.1", "slowadd and slowsub");
        assert!(
            !meeting.gave_up(),
            "exercise 2.1: the calls ran one at a time: the first call waited {PATIENCE:?} for a second one to \
             start, in vain. Submit every call first and keep the handles; block on them only after the loops. \
             See book section 2.1"
        );
    });
}
