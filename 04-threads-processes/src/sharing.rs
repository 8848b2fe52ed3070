//! False sharing: threads that never touch each other's data, and still slow each other
//! down, because their data shares a cache line. Given code, measured by the program and the
//! bench; the book's section on cache lines explains it.

use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam_utils::CachePadded;

// ANCHOR: counters
/// Each of `threads` threads counts to `per_thread` in its own counter; the counters sit
/// side by side in one array, 8 bytes apart, so up to eight of them share a 64-byte cache
/// line. Returns the counts.
pub fn count_packed(threads: usize, per_thread: u64) -> Vec<u64> {
    let counters: Vec<AtomicU64> = (0..threads).map(|_| AtomicU64::new(0)).collect();
    std::thread::scope(|s| {
        for counter in &counters {
            s.spawn(move || count(counter, per_thread));
        }
    });
    counters.iter().map(|c| c.load(Ordering::Relaxed)).collect()
}

/// The same, with each counter padded to a cache line of its own
/// ([`CachePadded`]: 128 bytes on x86-64, where the prefetcher pulls lines in pairs).
pub fn count_padded(threads: usize, per_thread: u64) -> Vec<u64> {
    let counters: Vec<CachePadded<AtomicU64>> = (0..threads)
        .map(|_| CachePadded::new(AtomicU64::new(0)))
        .collect();
    std::thread::scope(|s| {
        for counter in &counters {
            s.spawn(move || count(counter, per_thread));
        }
    });
    counters.iter().map(|c| c.load(Ordering::Relaxed)).collect()
}

/// Counts to `n` in `counter` with `fetch_add`, the usual way to count from many threads.
/// Each `fetch_add` needs the counter's cache line in this core's cache, held exclusively:
/// if another core wrote to the same line meanwhile, the line must travel back first.
fn count(counter: &AtomicU64, n: u64) {
    for _ in 0..n {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
// ANCHOR_END: counters
