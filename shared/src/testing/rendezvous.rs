//! "Is it parallel?", by structure.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::thread::ThreadId;

use super::{PATIENCE, lock};

// ANCHOR: rendezvous
/// "Is it parallel?", answered by structure rather than by the clock: every call to
/// [`arrive`](Self::arrive) records its thread and waits until a second thread has arrived
/// too. A map that runs items on several threads at once meets at once; one that runs them
/// one after the other waits [`PATIENCE`] once, gives up, and ends with one thread recorded.
#[derive(Default)]
pub struct Rendezvous {
    threads: Mutex<HashSet<ThreadId>>,
    arrived: Condvar,
    gave_up: AtomicBool,
}

impl Rendezvous {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the calling thread, then waits for a second one (or gives up).
    pub fn arrive(&self) {
        let mut threads = lock(&self.threads);
        threads.insert(std::thread::current().id());
        self.arrived.notify_all();
        if self.gave_up.load(Ordering::SeqCst) {
            return;
        }
        let (_threads, wait) = self
            .arrived
            .wait_timeout_while(threads, PATIENCE, |t| t.len() < 2)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if wait.timed_out() {
            self.gave_up.store(true, Ordering::SeqCst);
        }
    }

    // ANCHOR_END: rendezvous
    /// How many distinct threads have arrived.
    pub fn thread_count(&self) -> usize {
        lock(&self.threads).len()
    }

    /// True if a call waited [`PATIENCE`] for a second thread in vain: the first calls ran
    /// alone. (A pool that runs calls one at a time, each on whichever thread is free, can
    /// still record several threads: check this, not [`thread_count`](Self::thread_count),
    /// when the question is "did calls run at the same time?".)
    pub fn gave_up(&self) -> bool {
        self.gave_up.load(Ordering::SeqCst)
    }
}
