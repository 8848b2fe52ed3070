//! Exercise 2.3: results as they complete (book section 2.3).
//!
//! `cargo test -p lesson-02-futures --test ex2_3`. These tests call only your
//! `submit_as_completed` and given code.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `02-futures/mutants/2.3-*.rs`, checked by `cargo course verify --mutants --exercise 2.3`):
//! - each handle awaited in submission order: `ex2_3_hands_over_results_in_completion_order`;
//! - results numbered in the order they arrive, not by their task: the same test (this one
//!   passed every test until it checked the index against the result).

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use common::{Threads, pool};
use lesson_02_futures::answer::submit_as_completed;
use shared::testing::{PATIENCE, expect_panic_passed_on, within};

#[test]
fn ex2_3_hands_over_every_result_once_with_its_index() {
    within("2.3", || {
        let pool = pool(3, "ex2_3");
        for n in [0, 1, 2, 50] {
            let threads = Arc::new(Threads::default());
            let tasks: Vec<_> = (0..n)
                .map(|i| {
                    let threads = Arc::clone(&threads);
                    move || {
                        threads.record();
                        i * 10
                    }
                })
                .collect();
            let mut seen = vec![0; n];
            submit_as_completed(&pool, tasks, |i, result| {
                assert!(
                    i < n,
                    "exercise 2.3: on_result got index {i}, but there are only {n} tasks; see book section 2.3"
                );
                assert_eq!(
                    result,
                    i * 10,
                    "exercise 2.3: on_result got index {i} with task {}'s result: pass each task's own index; \
                     see book section 2.3",
                    result / 10
                );
                seen[i] += 1;
            });
            if let Some(i) = seen.iter().position(|&count| count != 1) {
                panic!(
                    "exercise 2.3: with {n} tasks, the result of task {i} was handed over {} times; every result \
                     exactly once, please. See book section 2.3",
                    seen[i]
                );
            }
            if n > 0 {
                threads.check_all_in("ex2_3-", "2.3", "the tasks");
            }
        }
    });
}

/// Which results the caller has received so far.
struct Received {
    got: Mutex<Vec<bool>>,
    changed: Condvar,
    gave_up: AtomicBool,
}

impl Received {
    /// Waits until the caller has received task `k`'s result (or gives up, once for all).
    fn wait_for(&self, k: usize) {
        if self.gave_up.load(Ordering::SeqCst) {
            return;
        }
        let got = self.got.lock().unwrap();
        let (_got, wait) = self
            .changed
            .wait_timeout_while(got, PATIENCE, |got| !got[k])
            .unwrap();
        if wait.timed_out() {
            self.gave_up.store(true, Ordering::SeqCst);
        }
    }
}

#[test]
fn ex2_3_hands_over_results_in_completion_order() {
    within("2.3", || {
        let pool = pool(3, "ex2_3");
        let n = 8;
        let last = n - 1;
        let received = Arc::new(Received {
            got: Mutex::new(vec![false; n]),
            changed: Condvar::new(),
            gave_up: AtomicBool::new(false),
        });
        // Task 0 completes only once the caller has received the last task's result, and
        // task n − 2 only once it has received task 1's. An answer that waits for the tasks
        // in submit order waits for task 0 first, in vain; one that waits from the end waits
        // for task n − 2 in vain. Only taking results as they complete gets through.
        let tasks: Vec<_> = (0..n)
            .map(|i| {
                let received = Arc::clone(&received);
                move || {
                    if i == 0 {
                        received.wait_for(last);
                    } else if i == n - 2 {
                        received.wait_for(1);
                    }
                    i
                }
            })
            .collect();
        let mut order = Vec::new();
        let mut mismatched = None;
        submit_as_completed(&pool, tasks, |i, result| {
            if result != i {
                mismatched.get_or_insert((i, result));
            }
            order.push(i);
            if let Some(got) = received.got.lock().unwrap().get_mut(i) {
                *got = true;
            }
            received.changed.notify_all();
        });
        if let Some((i, result)) = mismatched {
            panic!(
                "exercise 2.3: on_result got index {i} with task {result}'s result. Results come in the \
                 order their tasks complete, so the index must travel with each result (the task's own \
                 number, not how many results came before it); see book section 2.3"
            );
        }
        assert!(
            !received.gave_up.load(Ordering::SeqCst),
            "exercise 2.3: a task that completes only after the caller has received another task's result waited \
             {PATIENCE:?} in vain (order received: {order:?}). Results must be handed over as their tasks complete: \
             call `on_result` for each as soon as it arrives, not in a fixed order and not after all are \
             in; see book section 2.3"
        );
        let at = |i| order.iter().position(|&x| x == i);
        assert!(
            at(last) < at(0) && at(1) < at(n - 2),
            "exercise 2.3: results came in an order that does not match the tasks' completion: {order:?}; see book section 2.3"
        );
    });
}

#[test]
fn ex2_3_passes_on_a_panic_in_a_task() {
    within("2.3", || {
        let pool = pool(2, "ex2_3");
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                move || {
                    assert!(i != 3, "task 3 is bad");
                    i
                }
            })
            .collect();
        expect_panic_passed_on("2.3", "task 3 is bad", "task 3", || {
            submit_as_completed(&pool, tasks, |_, _| {})
        });
    });
}
