//! The naps example: eight tasks that only wait, run four ways. Waiting is the one kind of
//! work where more threads than cores pays off, which makes it the clearest first look at
//! what a thread pool does, and why rayon's default pool has one thread per core.

use std::time::Duration;

use rayon::prelude::*;

/// One task: sleep for `length`. Stands for waiting on a disk, a network or a person.
pub fn nap(length: Duration) {
    std::thread::sleep(length);
}

// ANCHOR: naps
/// `count` naps one after the other: `count × length`.
pub fn naps_sequential(count: usize, length: Duration) {
    (0..count).for_each(|_| nap(length));
}

/// One scoped thread per nap: all sleep at once, about `length` in all.
pub fn naps_scoped_threads(count: usize, length: Duration) {
    std::thread::scope(|scope| {
        for _ in 0..count {
            scope.spawn(|| nap(length));
        }
    });
}

/// Rayon's global pool: one thread per core, so `count / cores` rounds of naps.
pub fn naps_rayon(count: usize, length: Duration) {
    (0..count).into_par_iter().for_each(|_| nap(length));
}

/// A rayon pool with `threads` threads: enough threads for every nap to sleep at once.
pub fn naps_rayon_pool(
    count: usize,
    length: Duration,
    threads: usize,
) -> Result<(), rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    pool.install(|| naps_rayon(count, length));
    Ok(())
}
// ANCHOR_END: naps
