//! Exercise 2.4: every call as its own tokio task (book section 2.4).
//!
//! `cargo test -p lesson-02-futures --test ex2_4`. These tests call only your `spawn_all`
//! and given code.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `02-futures/mutants/`, checked by `cargo course verify --mutants --exercise 2.4`):
//! - awaiting each call in turn, without spawning: `ex2_4_runs_each_call_as_its_own_task`
//!   and `ex2_4_lets_every_call_wait_at_the_same_time`;
//! - `handle.await.unwrap()` instead of raising the task's own panic:
//!   `ex2_4_raises_the_tasks_own_panic_not_one_about_a_join_error`.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use lesson_02_futures::answer::spawn_all;
use lesson_02_futures::submit::tokio_runtime;
use shared::testing::{PATIENCE, expect_panic_passed_on, first_difference, within};

fn runtime() -> tokio::runtime::Runtime {
    tokio_runtime(2).expect("a tokio runtime")
}

#[test]
fn ex2_4_returns_every_output_in_order() {
    within("2.4", || {
        let runtime = runtime();
        for n in [0, 1, 2, 300] {
            // Call i ends only after call i + 1 has ended, so the calls end in reverse order:
            // outputs taken as they come would be backwards.
            let (lowest_ended, _) = tokio::sync::watch::channel(n);
            let lowest_ended = Arc::new(lowest_ended);
            let gave_up = Arc::new(AtomicBool::new(false));
            let got = {
                let (lowest_ended, gave_up) = (Arc::clone(&lowest_ended), Arc::clone(&gave_up));
                runtime.block_on(spawn_all(n, move |i| {
                    let (lowest_ended, gave_up) = (Arc::clone(&lowest_ended), Arc::clone(&gave_up));
                    async move {
                        let mut ended = lowest_ended.subscribe();
                        let next_ended = ended.wait_for(|&lowest| lowest <= i + 1 || i + 1 >= n);
                        if !gave_up.load(Ordering::SeqCst)
                            && tokio::time::timeout(PATIENCE, next_ended).await.is_err()
                        {
                            gave_up.store(true, Ordering::SeqCst);
                        }
                        lowest_ended.send_modify(|lowest| *lowest = (*lowest).min(i));
                        i * 10
                    }
                }))
            };
            assert!(
                !gave_up.load(Ordering::SeqCst),
                "exercise 2.4: with {n} calls, where call i ends only after call i + 1, a call waited {PATIENCE:?} in vain: \
                 spawn every call before awaiting any; see book section 2.4"
            );
            let expected: Vec<usize> = (0..n).map(|i| i * 10).collect();
            if let Some(difference) = first_difference(&got, &expected) {
                panic!(
                    "exercise 2.4: with {n} calls (call i gives i × 10, and they end in reverse order), the outputs are \
                     not in order of i: {difference}. Await the handles in the order of i; see book section 2.4"
                );
            }
        }
    });
}

#[test]
fn ex2_4_runs_each_call_as_its_own_task() {
    within("2.4", || {
        let n = 50;
        let ids = runtime().block_on(spawn_all(n, |_| async { tokio::task::try_id() }));
        let outside = ids.iter().filter(|id| id.is_none()).count();
        assert_eq!(
            outside, 0,
            "exercise 2.4: {outside} of {n} calls did not run inside a tokio task: `tokio::spawn` each call's future; \
             see book section 2.4"
        );
        let distinct: HashSet<_> = ids.into_iter().flatten().collect();
        assert_eq!(
            distinct.len(),
            n,
            "exercise 2.4: {n} calls ran in {} tasks; each call must be its own task (`tokio::spawn(call(i))`); \
             see book section 2.4",
            distinct.len()
        );
    });
}

#[test]
fn ex2_4_lets_every_call_wait_at_the_same_time() {
    within("2.4", || {
        let n = 200;
        // Every call waits at a barrier for all the others: only calls that wait at the same
        // time get through. The first to give up stops the others waiting.
        let barrier = Arc::new(tokio::sync::Barrier::new(n));
        let gave_up = Arc::new(AtomicBool::new(false));
        let done = {
            let (barrier, gave_up) = (Arc::clone(&barrier), Arc::clone(&gave_up));
            runtime().block_on(spawn_all(n, move |_| {
                let (barrier, gave_up) = (Arc::clone(&barrier), Arc::clone(&gave_up));
                async move {
                    if !gave_up.load(Ordering::SeqCst)
                        && tokio::time::timeout(PATIENCE, barrier.wait())
                            .await
                            .is_err()
                    {
                        gave_up.store(true, Ordering::SeqCst);
                    }
                }
            }))
        };
        assert_eq!(done.len(), n);
        assert!(
            !gave_up.load(Ordering::SeqCst),
            "exercise 2.4: the {n} calls did not all wait at the same time: spawn every call first, then await the \
             handles; awaiting each one right after spawning it runs them one by one. See book section 2.4"
        );
    });
}

#[test]
fn ex2_4_passes_on_a_panic_in_a_task() {
    within("2.4", || {
        let runtime = runtime();
        expect_panic_passed_on("2.4", "call 3 is bad", "call 3", || {
            runtime.block_on(spawn_all(6, |i| async move {
                assert!(i != 3, "call 3 is bad");
                i
            }))
        });
    });
}

/// What a task panicked with, as a value of its own type: only the task's own payload,
/// raised again, can be downcast to it.
#[derive(Debug, PartialEq)]
struct BadCall(usize);

/// The task's own panic comes through as it was, not as a new panic about a `JoinError`:
/// `unwrap` or `expect` on the handle's result panics with a message that merely quotes
/// the task's, and this test tells the two apart by the payload's type, every run.
#[test]
fn ex2_4_raises_the_tasks_own_panic_not_one_about_a_join_error() {
    within("2.4", || {
        let runtime = runtime();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.block_on(spawn_all(4, |i| async move {
                if i == 2 {
                    std::panic::panic_any(BadCall(2));
                }
                i
            }))
        }));
        let Err(payload) = caught else {
            panic!(
                "exercise 2.4: call 2 panicked, so spawn_all must panic too; see book section 2.4"
            )
        };
        // An untouched stub's `todo!` goes on as it is: the test then says "not done yet".
        let message = shared::testing::panic_message(payload.as_ref());
        if shared::testing::is_todo(message) {
            panic!("{message}");
        }
        let got = payload.downcast_ref::<BadCall>();
        assert_eq!(
            got,
            Some(&BadCall(2)),
            "exercise 2.4: the task's panic must come through as it was (here its payload is a \
             BadCall(2)); got a panic of another kind, {:?}: an `unwrap` or `expect` on the \
             handle's `Result` makes a new panic about the `JoinError`. Raise the task's own \
             with `JoinError::into_panic` and `std::panic::resume_unwind`; see book section 2.4",
            shared::testing::panic_message(payload.as_ref())
        );
    });
}
