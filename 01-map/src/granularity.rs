//! When `par_iter` does not pay: many small pieces of work, each too small for a thread.
//!
//! The job: 10,000 batches of 2,000 numbers; for each batch, a sum of squares (a few
//! microseconds of work). Parallelising *inside* each batch hands rayon 2,000 tiny jobs, and
//! each costs more to hand out (wake a thread, split, join) than to do. Parallelising the
//! *outer* loop hands out fewer, bigger pieces. The solution program times all four.

use rayon::prelude::*;

/// Numbers per batch and batches per job.
pub const BATCH: usize = 2_000;
pub const BATCHES: usize = 10_000;

/// The job's input: `batches` batches of `batch` numbers.
pub fn batches(batches: usize, batch: usize) -> Vec<Vec<u64>> {
    (0..batches)
        .map(|b| {
            (0..batch as u64)
                .map(|i| (i * 7919 + b as u64) % 1_000)
                .collect()
        })
        .collect()
}

// ANCHOR: granularity
/// The work for one number: a handful of nanoseconds.
fn square(x: &u64) -> u64 {
    x * x
}

/// Sequential: both loops on one thread.
pub fn sequential(batches: &[Vec<u64>]) -> u64 {
    batches
        .iter()
        .map(|b| b.iter().map(square).sum::<u64>())
        .sum()
}

/// Fine-grained: `par_iter` inside every batch. Usually *slower* than sequential.
pub fn fine(batches: &[Vec<u64>]) -> u64 {
    batches
        .iter()
        .map(|b| b.par_iter().map(square).sum::<u64>())
        .sum()
}

/// Fine-grained, but rayon may not split a batch below `min_len` numbers: fewer, bigger
/// jobs per batch, yet still one trip to the pool per batch.
pub fn fine_min_len(batches: &[Vec<u64>], min_len: usize) -> u64 {
    batches
        .iter()
        .map(|b| b.par_iter().with_min_len(min_len).map(square).sum::<u64>())
        .sum()
}

/// Coarse-grained: `par_iter` over the batches, each batch summed sequentially.
pub fn coarse(batches: &[Vec<u64>]) -> u64 {
    batches
        .par_iter()
        .map(|b| b.iter().map(square).sum::<u64>())
        .sum()
}
// ANCHOR_END: granularity

#[cfg(all(test, feature = "solution"))]
mod tests {
    use super::*;

    #[test]
    fn all_variants_agree() {
        let input = batches(50, 300);
        let expected = sequential(&input);
        assert_eq!(fine(&input), expected);
        assert_eq!(fine_min_len(&input, 128), expected);
        assert_eq!(coarse(&input), expected);
    }
}
