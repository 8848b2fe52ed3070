//! "Is the order kept?", by deciding the order work finishes in.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};

use super::{PATIENCE, lock};

/// Work whose items finish out of input order, so that a map that returns results in the
/// order they finish, or thread by thread, cannot pass an order test by luck. Item `i`
/// waits until its partner is done; two layouts:
///
/// - [`pairs`](Self::pairs): item `2k` waits for item `2k + 1`. For maps that hand out one
///   item at a time (a shared counter). No thread can process `2k` and then `2k + 1` (it
///   would wait for itself), so every pair of neighbours is split between two threads:
///   results gathered as they finish put `2k + 1` before `2k`, and results gathered thread
///   by thread, then concatenated, would need a thread boundary between every pair; with
///   more than twice as many items as threads there are not enough boundaries. Only a map
///   that puts each result at its item's index passes.
/// - [`first_after_last`](Self::first_after_last): item 0 waits for the last item. For maps
///   that split the items into contiguous chunks (rayon): the first and the last item are
///   in different chunks, so the last one finishes first.
///
/// A map that runs the waiting item and its partner one after the other on one thread would
/// wait forever; instead each wait gives up after [`PATIENCE`], once for the whole run, and
/// [`gave_up`](Self::gave_up) says so.
pub struct OutOfOrder {
    done: Mutex<Progress>,
    changed: Condvar,
    gave_up: AtomicBool,
    partner: fn(usize, usize) -> Option<usize>,
}

/// Which items are done, and in what order they finished.
struct Progress {
    done: Vec<bool>,
    finished: Vec<usize>,
}

impl OutOfOrder {
    /// Work for items `0..len` where item `2k` waits for item `2k + 1`.
    pub fn pairs(len: usize) -> Self {
        Self::with_partners(len, |i, len| (i % 2 == 0 && i + 1 < len).then_some(i + 1))
    }

    /// Work for items `0..len` where item 0 waits for item `len - 1`.
    pub fn first_after_last(len: usize) -> Self {
        Self::with_partners(len, |i, len| (i == 0 && len > 1).then_some(len - 1))
    }

    fn with_partners(len: usize, partner: fn(usize, usize) -> Option<usize>) -> Self {
        OutOfOrder {
            done: Mutex::new(Progress {
                done: vec![false; len],
                finished: Vec::with_capacity(len),
            }),
            changed: Condvar::new(),
            gave_up: AtomicBool::new(false),
            partner,
        }
    }

    /// Processes item `i` (waiting for its partner first, if it has one) and returns `i × 10`.
    pub fn process(&self, i: usize) -> usize {
        let mut done = lock(&self.done);
        let partner = (self.partner)(i, done.done.len());
        if let Some(partner) = partner.filter(|_| !self.gave_up.load(Ordering::SeqCst)) {
            let (guard, wait) = self
                .changed
                .wait_timeout_while(done, PATIENCE, |p| !p.done[partner])
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            done = guard;
            if wait.timed_out() {
                self.gave_up.store(true, Ordering::SeqCst);
                self.changed.notify_all();
            }
        }
        if let Some(slot) = done.done.get_mut(i) {
            *slot = true;
        }
        done.finished.push(i);
        self.changed.notify_all();
        i * 10
    }

    /// The items in the order they finished, as recorded under the same lock that marks them
    /// done (so the order is exact, unlike one recorded by the caller afterwards).
    pub fn finish_order(&self) -> Vec<usize> {
        lock(&self.done).finished.clone()
    }

    /// True if some item had to give up waiting for its partner: the map ran it and its
    /// partner one after the other on the same thread.
    pub fn gave_up(&self) -> bool {
        self.gave_up.load(Ordering::SeqCst)
    }
}

/// The first index where `got` and `expected` differ, as a sentence for a failing test:
/// "at index 2: expected 20, got 30 (100 results)". `None` when they are equal.
pub fn first_difference<T: PartialEq + std::fmt::Debug>(
    got: &[T],
    expected: &[T],
) -> Option<String> {
    if got.len() != expected.len() {
        return Some(format!(
            "expected {} results, got {}",
            expected.len(),
            got.len()
        ));
    }
    let i = got.iter().zip(expected).position(|(g, e)| g != e)?;
    Some(format!(
        "at index {i}: expected {:?}, got {:?} ({} results)",
        expected[i],
        got[i],
        got.len()
    ))
}
