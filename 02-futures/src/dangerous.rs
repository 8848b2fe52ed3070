//! The 2016 "dangerous exercise" was to crash Python: read files with a library that is not
//! thread-safe from several threads at once. In Rust the same mistake does not compile.
//!
//! The mistake, kept as a `compile_fail` doctest so that it keeps failing (to compile) for
//! the right reason, `E0277`: `Rc<RefCell<Vec<f64>>>` cannot be sent between threads
//! safely. `std::thread::spawn` asks for `F: Send`, and `Rc` is not `Send`: its count is
//! updated without atomics, so two threads cloning it at once could lose an update and free
//! the vector while it is still in use.
#![doc = include_str!("dangerous/rc_across_threads.md")]
//!
//! The fixes are [`shared_with_a_lock`] (works, but every push waits for the lock) and,
//! better, [`not_shared`]: each thread builds its own part and hands it back.

use std::sync::{Arc, Mutex, PoisonError};

// ANCHOR: with_a_lock
/// The direct fix: `Arc` (an atomic count, so it is `Send` and `Sync`) around a `Mutex`
/// (one thread at a time inside, so the vector is `Sync`). Returns what the threads pushed.
pub fn shared_with_a_lock(threads: usize) -> Vec<f64> {
    let cache = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let cache = Arc::clone(&cache);
            std::thread::spawn(move || {
                let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
                cache.push(t as f64);
            })
        })
        .collect();
    for handle in handles {
        handle
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
    }
    let mut values = std::mem::take(&mut *cache.lock().unwrap_or_else(PoisonError::into_inner));
    values.sort_by(f64::total_cmp);
    values
}
// ANCHOR_END: with_a_lock

// ANCHOR: not_shared
/// The better fix: share nothing mutable. Each thread returns its own result, and joining
/// the handles gathers them, in order, with no lock at all.
pub fn not_shared(threads: usize) -> Vec<f64> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|t| s.spawn(move || t as f64)).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}
// ANCHOR_END: not_shared
