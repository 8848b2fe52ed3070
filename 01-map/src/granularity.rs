//! When `par_iter` does not pay: many small pieces of work, each too small for a thread.
//!
//! The job: 10,000 batches of 2,000 numbers; for each batch, a sum of a small hash of each
//! number (a few microseconds of work per batch, computed, not read from memory, so that
//! the job measures the CPU and not the memory bus). Parallelising *inside* each batch hands
//! rayon 10,000 tiny jobs, and each costs more to hand out (wake a thread, split, join) than
//! to do. Parallelising the *outer* loop hands out fewer, bigger pieces. The solution
//! program times all four.

use std::ops::Range;

use rayon::prelude::*;

/// Numbers per batch and batches per job.
pub const BATCH: usize = 2_000;
pub const BATCHES: usize = 10_000;

// ANCHOR: granularity
/// The numbers of batch `b`.
fn batch(b: usize) -> Range<usize> {
    b * BATCH..(b + 1) * BATCH
}

/// The work for one number: a few nanoseconds of mixing bits, giving 0 to 15.
fn mix(x: usize) -> u64 {
    let x = x as u64;
    (x ^ (x >> 7)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60
}

/// Sequential: both loops on one thread.
pub fn sequential(batches: usize) -> u64 {
    (0..batches).map(|b| batch(b).map(mix).sum::<u64>()).sum()
}

/// Fine-grained: `par_iter` inside every batch. Usually *slower* than sequential.
pub fn fine(batches: usize) -> u64 {
    (0..batches)
        .map(|b| batch(b).into_par_iter().map(mix).sum::<u64>())
        .sum()
}

/// Fine-grained, but rayon may not split a batch below `min_len` numbers: fewer, bigger
/// jobs per batch, yet still one trip to the pool per batch.
pub fn fine_min_len(batches: usize, min_len: usize) -> u64 {
    (0..batches)
        .map(|b| {
            batch(b)
                .into_par_iter()
                .with_min_len(min_len)
                .map(mix)
                .sum::<u64>()
        })
        .sum()
}

/// Coarse-grained: `par_iter` over the batches, each batch summed sequentially.
pub fn coarse(batches: usize) -> u64 {
    (0..batches)
        .into_par_iter()
        .map(|b| batch(b).map(mix).sum::<u64>())
        .sum()
}
// ANCHOR_END: granularity
