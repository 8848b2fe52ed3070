//! The test helpers, tested.

use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Duration;

use super::*;

/// The tests that look at what `within` reports of a worker's panic run one at a time:
/// a worker's panic is given to a run only while that run is the only one.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    lock(&ONE)
}

#[test]
fn a_lockstep_makes_a_load_then_a_store_lose_an_update_every_time() {
    use std::sync::atomic::AtomicU64;
    let counter = AtomicU64::new(0);
    let lockstep = Lockstep::new(2);
    std::thread::scope(|s| {
        for index in 0..2 {
            let (counter, lockstep) = (&counter, &lockstep);
            s.spawn(move || {
                let _player = lockstep.join(index);
                let seen = step(|| counter.load(Ordering::Relaxed));
                step(|| counter.store(seen + 1, Ordering::Relaxed));
            });
        }
    });
    assert_eq!(
        counter.load(Ordering::Relaxed),
        1,
        "0 loads, 1 loads, 0 stores, 1 stores"
    );
    assert_eq!(lockstep.steps(), 4);
    assert!(!lockstep.gave_up());
}

#[test]
fn a_lockstep_lets_a_read_modify_write_lose_nothing() {
    use std::sync::atomic::AtomicU64;
    let counter = AtomicU64::new(0);
    let lockstep = Lockstep::new(3);
    std::thread::scope(|s| {
        for index in 0..3 {
            let (counter, lockstep) = (&counter, &lockstep);
            s.spawn(move || {
                let _player = lockstep.join(index);
                for _ in 0..=index {
                    step(|| counter.fetch_add(1, Ordering::Relaxed));
                }
            });
        }
    });
    assert_eq!(
        counter.load(Ordering::Relaxed),
        6,
        "players that finish leave the turns"
    );
    assert!(!lockstep.gave_up());
    assert_eq!(
        step(|| 7),
        7,
        "a thread outside every lockstep steps at once"
    );
}

/// Work that finishes only once the deadline has passed (the `busy` probe, called at
/// the deadline, lets it go) returns its result, busy machine or not: the test's own
/// checks judge it, not the clock.
#[test]
fn late_work_is_judged_by_its_result_not_the_clock() {
    let _one = one_at_a_time();
    let late = |busy: Option<&'static str>| {
        let (go, wait) = mpsc::channel::<()>();
        let probe = move || {
            let _ = go.send(());
            busy.map(String::from)
        };
        within_on("9.9", Duration::from_millis(20), probe, move || {
            let _ = wait.recv();
            42
        })
    };
    assert_eq!(
        late(Some("the 1-minute load average is 9.0 on 2 cores")),
        42
    );
    assert_eq!(late(None), 42);
}

fn failure_of(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("should fail");
    panic_message(payload.as_ref()).to_string()
}

#[test]
fn out_of_order_finishes_odd_items_first_across_threads() {
    let work = OutOfOrder::pairs(4);
    std::thread::scope(|s| {
        for i in [0, 2, 1, 3] {
            let work = &work;
            s.spawn(move || work.process(i));
        }
    });
    let order = work.finish_order();
    let at = |i| order.iter().position(|&x| x == i).unwrap();
    assert!(at(1) < at(0) && at(3) < at(2), "{order:?}");
    assert!(!work.gave_up());
}

#[test]
fn first_difference_names_the_index() {
    assert_eq!(first_difference(&[1, 2, 3], &[1, 2, 3]), None);
    assert_eq!(
        first_difference(&[1, 5, 3], &[1, 2, 3]).unwrap(),
        "at index 1: expected 2, got 5 (3 results)"
    );
    assert_eq!(
        first_difference(&[1], &[1, 2]).unwrap(),
        "expected 2 results, got 1"
    );
}

#[test]
fn passes_the_result_back() {
    let _one = one_at_a_time();
    assert_eq!(within("1.1", || 6 * 7), 42);
}

#[test]
fn a_panic_in_a_scoped_thread_is_reported_with_its_own_words() {
    let _one = one_at_a_time();
    let message = failure_of(|| {
        within("1.2", || {
            std::thread::scope(|s| {
                s.spawn(|| panic!("item 3 is bad"));
            });
        })
    });
    assert!(
        message
            .starts_with("exercise 1.2 panicked: item 3 is bad (at shared/src/testing/tests.rs:"),
        "not std's \"a scoped thread panicked\": {message}"
    );
}

#[test]
fn a_todo_reads_not_done_yet() {
    let _one = one_at_a_time();
    let message = failure_of(|| within("1.3", || todo!("exercise 1.3: parse")));
    assert!(
        message.starts_with("exercise 1.3 is not done yet: not yet implemented: exercise 1.3"),
        "{message}"
    );
}

#[test]
fn a_panic_on_a_worker_thread_keeps_its_message() {
    let _one = one_at_a_time();
    let message = failure_of(|| {
        within("1.2", || {
            let worker = std::thread::spawn(|| panic!("item 7 is bad"));
            let Err(payload) = worker.join();
            std::panic::resume_unwind(payload);
        })
    });
    // Printed once, here, with where it happened (the worker printed nothing).
    assert!(
        message
            .starts_with("exercise 1.2 panicked: item 7 is bad (at shared/src/testing/tests.rs:")
            && message.ends_with(", on a thread of the answer) (see book section 1.2)"),
        "{message}"
    );
}

#[test]
fn a_deadlock_names_the_panic_that_may_have_caused_it() {
    let _one = one_at_a_time();
    // A worker dies, and the thread that waits for its result waits for ever.
    let message = failure_of(move || {
        within_on(
            "1.2",
            Duration::from_millis(50),
            || None,
            move || {
                let (results, wait) = mpsc::channel::<u32>();
                let _worker = std::thread::spawn(move || {
                    let _results = results;
                    panic!("item 4 is bad");
                });
                let (_keep, never) = mpsc::channel::<()>();
                let _ = wait.recv();
                never.recv().ok()
            },
        );
    });
    assert!(
        message.starts_with("exercise 1.2 did not finish in 100ms — a deadlock?")
            && message.contains(
                "Meanwhile a thread of the answer panicked at shared/src/testing/tests.rs:"
            )
            && message.contains(": item 4 is bad"),
        "{message}"
    );
}

#[test]
fn a_deadlock_fails_with_the_section() {
    let _one = one_at_a_time();
    // The machine's load is given, not read: the test must not depend on it.
    let (_keep, never) = mpsc::channel::<()>();
    let message = failure_of(move || {
        within_on(
            "1.2",
            Duration::from_millis(50),
            || None,
            move || never.recv().ok(),
        );
    });
    assert!(
        message.starts_with("exercise 1.2 did not finish in 100ms — a deadlock?")
            && message.ends_with("see book section 1.2"),
        "{message}"
    );
    let (_keep, never) = mpsc::channel::<()>();
    let busy = || Some("the 1-minute load average is 9.0 on 2 cores".to_string());
    let message = failure_of(move || {
        within_on("1.2", Duration::from_millis(10), busy, move || {
            never.recv().ok()
        });
    });
    assert!(
        message.starts_with(
            "exercise 1.2 did not finish in 60ms, on a busy machine (the 1-minute load \
             average is 9.0 on 2 cores): a deadlock, or a machine too busy to tell"
        ),
        "{message}"
    );
}
