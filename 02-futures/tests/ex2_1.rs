//! Exercise 2.1: the slowadd/slowsub double loop with submit and gather (book section 2.1).
//!
//! `cargo test -p lesson-02-futures --test ex2_1`. These tests call only your
//! `double_loop_submit` and given code.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `02-futures/mutants/2.1-*.rs`, checked by `cargo course verify --mutants --exercise 2.1`):
//! - each call waited for before the next is submitted, or the calls made on this thread:
//!   `ex2_1_submits_every_call_before_waiting_for_any`;
//! - the `i == j` calls kept: `ex2_1_gives_the_sequential_results_in_loop_order`.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use common::{Threads, pool};
use lesson_02_futures::answer::double_loop_submit;
use lesson_02_futures::slow::{Moment, Slow, double_loop_sequential};
use shared::testing::{PATIENCE, first_difference, within};

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

/// The calls of the double loop for `n = 3`, numbered in loop order.
const N: i64 = 3;
const CALLS: usize = 6;

fn call_index(a: i64, b: i64) -> usize {
    (a * (N - 1) + if b < a { b } else { b - 1 }) as usize
}

/// Holds calls back: every call waits at its start until all have started, and at its end
/// until the next call in loop order has ended, so they end in reverse loop order.
struct Schedule {
    state: Mutex<(usize, [bool; CALLS])>,
    changed: Condvar,
    all_started: AtomicBool,
    gave_up: AtomicBool,
    threads: Threads,
}

impl Schedule {
    fn observe(&self, moment: Moment, a: i64, b: i64) {
        let k = call_index(a, b);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match moment {
            Moment::Start => {
                self.threads.record();
                state.0 += 1;
                self.changed.notify_all();
                state = self.wait(state, |(started, _)| *started < CALLS);
                if state.0 == CALLS {
                    self.all_started.store(true, Ordering::SeqCst);
                }
            }
            Moment::End => {
                if k + 1 < CALLS {
                    state = self.wait(state, |(_, ended)| !ended[k + 1]);
                }
                state.1[k] = true;
                self.changed.notify_all();
            }
        }
        drop(state);
    }

    /// Waits while `blocked`, unless some wait already gave up; gives up after PATIENCE.
    fn wait<'a>(
        &self,
        state: MutexGuard<'a, (usize, [bool; CALLS])>,
        blocked: impl FnMut(&mut (usize, [bool; CALLS])) -> bool,
    ) -> MutexGuard<'a, (usize, [bool; CALLS])> {
        if self.gave_up.load(Ordering::SeqCst) {
            return state;
        }
        let (state, wait) = self
            .changed
            .wait_timeout_while(state, PATIENCE, blocked)
            .unwrap_or_else(|p| p.into_inner());
        if wait.timed_out() {
            self.gave_up.store(true, Ordering::SeqCst);
            self.changed.notify_all();
        }
        state
    }
}

#[test]
fn ex2_1_submits_every_call_before_waiting_for_any() {
    within("2.1", || {
        let pool = pool(CALLS, "ex2_1");
        let schedule = Arc::new(Schedule {
            state: Mutex::new((0, [false; CALLS])),
            changed: Condvar::new(),
            all_started: AtomicBool::new(false),
            gave_up: AtomicBool::new(false),
            threads: Threads::default(),
        });
        let observer = {
            let schedule = Arc::clone(&schedule);
            Arc::new(move |moment, a, b| schedule.observe(moment, a, b))
        };
        let slow = Slow::observed(Duration::ZERO, observer);
        let results = double_loop_submit(N, &slow, &pool);
        schedule
            .threads
            .check_all_in("ex2_1-", "2.1", "slowadd and slowsub");
        assert!(
            schedule.all_started.load(Ordering::SeqCst) && !schedule.gave_up.load(Ordering::SeqCst),
            "exercise 2.1: with a pool of {CALLS} threads, the {CALLS} calls for n = {N} did not all run at the same \
             time: a call waited {PATIENCE:?} for the others to start, in vain. Submit every call first and keep \
             the handles; block on them only after the loops. See book section 2.1"
        );
        let expected = double_loop_sequential(N, &Slow::new(Duration::ZERO));
        if let Some(difference) = first_difference(&results, &expected) {
            panic!(
                "exercise 2.1: when the calls end in reverse loop order, the results are not in loop order: {difference}. \
                 Wait for the handles in the order you submitted them; see book section 2.1"
            );
        }
    });
}
