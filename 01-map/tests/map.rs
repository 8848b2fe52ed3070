//! Exercises 1.1 and 1.2: the parallel maps. These tests check what the map does (order,
//! every item once) and how (more than one thread), with small made-up work.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::thread::ThreadId;
use std::time::Duration;

use lesson_01_map::answer::{par_map_by_hand, par_map_rayon};

/// Makes calls wait until a second thread has called too, and records every thread that
/// called. A map that runs on one thread waits 5 s once, gives up, and ends with one thread
/// recorded; a parallel one meets at once. No timing is needed to tell them apart.
#[derive(Default)]
struct Rendezvous {
    threads: Mutex<HashSet<ThreadId>>,
    arrived: Condvar,
    gave_up: AtomicBool,
}

impl Rendezvous {
    fn arrive(&self) {
        let mut threads = self.threads.lock().unwrap();
        threads.insert(std::thread::current().id());
        self.arrived.notify_all();
        if self.gave_up.load(Ordering::SeqCst) {
            return;
        }
        let (threads, wait) = self
            .arrived
            .wait_timeout_while(threads, Duration::from_secs(5), |t| t.len() < 2)
            .unwrap();
        if wait.timed_out() {
            self.gave_up.store(true, Ordering::SeqCst);
        }
        drop(threads);
    }

    fn thread_count(&self) -> usize {
        self.threads.lock().unwrap().len()
    }
}

/// Work that records how often each item was processed.
fn counted(calls: &[AtomicUsize]) -> impl Fn(&usize) -> usize + Sync + '_ {
    move |&i| {
        calls[i].fetch_add(1, Ordering::SeqCst);
        i * 10
    }
}

fn check_each_once(exercise: &str, calls: &[AtomicUsize]) {
    for (i, c) in calls.iter().enumerate() {
        let n = c.load(Ordering::SeqCst);
        assert_eq!(
            n, 1,
            "{exercise}: item {i} was processed {n} times; every item must be processed exactly once"
        );
    }
}

#[test]
fn rayon_map_keeps_the_order_and_processes_each_item_once() {
    for n in [0, 1, 37, 1000] {
        let items: Vec<usize> = (0..n).collect();
        let calls: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
        let results = par_map_rayon(&items, counted(&calls));
        let expected: Vec<usize> = items.iter().map(|i| i * 10).collect();
        assert_eq!(
            results, expected,
            "exercise 1.1: with {n} items, expected the results in input order (item i gives i × 10); see book section 1.3"
        );
        check_each_once("exercise 1.1", &calls);
    }
}

#[test]
fn rayon_map_uses_several_threads() {
    let items: Vec<usize> = (0..8).collect();
    let meeting = Rendezvous::default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    pool.install(|| {
        par_map_rayon(&items, |_| meeting.arrive());
    });
    let threads = meeting.thread_count();
    assert!(
        threads >= 2,
        "exercise 1.1: the work ran on {threads} thread(s); a parallel map runs items on several of rayon's threads at once. \
         Did you use `par_iter`? See book section 1.3"
    );
}

#[test]
fn by_hand_map_keeps_the_order_and_processes_each_item_once() {
    for (n, threads) in [(0, 4), (1, 4), (37, 4), (37, 1), (3, 8), (1000, 3), (5, 0)] {
        let items: Vec<usize> = (0..n).collect();
        let calls: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
        let results = par_map_by_hand(&items, threads, counted(&calls));
        let expected: Vec<usize> = items.iter().map(|i| i * 10).collect();
        assert_eq!(
            results, expected,
            "exercise 1.2: with {n} items and {threads} threads, expected the results in input order; see book section 1.4"
        );
        check_each_once("exercise 1.2", &calls);
    }
}

#[test]
fn by_hand_map_uses_the_threads_it_is_given() {
    let items: Vec<usize> = (0..8).collect();
    let meeting = Rendezvous::default();
    par_map_by_hand(&items, 4, |_| meeting.arrive());
    let threads = meeting.thread_count();
    assert!(
        threads >= 2,
        "exercise 1.2: asked for 4 threads, the work ran on {threads}; start `threads` scoped threads that each take items \
         from a shared counter. See book section 1.4"
    );
}

#[test]
fn by_hand_map_passes_on_a_panic_in_the_work() {
    let items: Vec<usize> = (0..10).collect();
    let result = std::panic::catch_unwind(|| {
        par_map_by_hand(&items, 3, |&i| {
            assert!(i != 7, "item 7 is bad");
            i
        })
    });
    let panic = result.expect_err("exercise 1.2: the work panicked on item 7, so the map must panic too; see book section 1.4");
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or(panic.downcast_ref::<&str>().copied())
        .unwrap_or("");
    assert!(
        message.contains("item 7 is bad"),
        "exercise 1.2: expected the work's own panic message (\"item 7 is bad\") to come through, got {message:?}"
    );
}
