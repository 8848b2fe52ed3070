//! The "bag": rayon's parallel iterators beside the 2016 notebook's Spark RDDs and
//! `dask.bag`.
//!
//! A bag is a collection you describe with a few high-level steps (map, filter, product,
//! max, fold, group by) and that the library runs in parallel. In 2016 the steps built a
//! lazy graph and `.compute()` (dask) or `.collect()` (Spark) ran it. Rayon's adaptors are
//! lazy in the same way: `map` and `filter` only describe work, and nothing runs until a
//! consuming call (`collect`, `sum`, `max_by`, `reduce`, `count`) pulls the items through.
//!
//! Every function here is the Rust twin of one line of the notebook; the book shows them
//! side by side. The sequential correlation loop at the end is the notebook's starting
//! point for exercise 3.1.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

// ANCHOR: map
/// `b.map(lambda x: x ** 2).compute()`
pub fn squares(xs: &[i64]) -> Vec<i64> {
    xs.par_iter().map(|x| x * x).collect()
}
// ANCHOR_END: map

// ANCHOR: filter
/// `b.filter(lambda x: x % 2 == 0).compute()`
pub fn evens(xs: &[i64]) -> Vec<i64> {
    xs.par_iter().copied().filter(|x| x % 2 == 0).collect()
}
// ANCHOR_END: filter

// ANCHOR: product
/// `b.product(b).compute()`: every pair, in the order of the two loops. `flat_map` turns
/// each `a` into the row `(a, b) for b in xs`; rayon splits the rows among threads and
/// `collect` puts them back in order.
pub fn product(xs: &[i64]) -> Vec<(i64, i64)> {
    xs.par_iter()
        .flat_map(|&a| xs.par_iter().map(move |&b| (a, b)))
        .collect()
}
// ANCHOR_END: product

// ANCHOR: chained
/// ```python
/// (b.map(lambda x: x ** 2)
///   .product(b)
///   .filter(lambda tup: tup[0] % 2 == 0)
///   .compute())
/// ```
pub fn chained(xs: &[i64]) -> Vec<(i64, i64)> {
    xs.par_iter()
        .map(|x| x * x)
        .flat_map(|a| xs.par_iter().map(move |&b| (a, b)))
        .filter(|(a, _)| a % 2 == 0)
        .collect()
}
// ANCHOR_END: chained

// ANCHOR: reductions
/// `b.max().compute()`: `None` for an empty bag, where Python raises.
pub fn max(xs: &[i64]) -> Option<i64> {
    xs.par_iter().copied().max()
}

/// `b.fold(add).compute()` / `rdd.reduce(add)`: rayon's `fold` makes one partial sum per
/// piece of work (per thread, roughly), `reduce` combines the partials. The identity (`0`)
/// is needed because a piece may be empty.
pub fn sum_of_squares(xs: &[i64]) -> i64 {
    xs.par_iter()
        .fold(|| 0, |partial, x| partial + x * x)
        .reduce(|| 0, |a, b| a + b)
}

/// `b.groupby(lambda x: x % 3)` followed by a count per group, which dask.bag spells
/// `b.foldby(key, count, 0, add)`: each piece builds its own map, the maps are merged. No
/// lock, no shared map: the pattern of every group-by in this lesson.
pub fn count_by_remainder(xs: &[i64], modulus: i64) -> BTreeMap<i64, usize> {
    xs.par_iter()
        .fold(BTreeMap::new, |mut counts, x| {
            *counts.entry(x.rem_euclid(modulus)).or_insert(0) += 1;
            counts
        })
        .reduce(BTreeMap::new, |mut a, b| {
            for (key, n) in b {
                *a.entry(key).or_insert(0) += n;
            }
            a
        })
}
// ANCHOR_END: reductions

// ANCHOR: lazy
/// Laziness, measured: how many times the `map` closure ran after the pipeline was built
/// (none) and after it was consumed (once per item). The twin of dask's `b.map(f)`, which
/// returns at once, and `.compute()`, which runs `f`.
pub fn laziness(xs: &[i64]) -> (usize, usize) {
    let calls = AtomicUsize::new(0);
    let pipeline = xs.par_iter().map(|x| {
        calls.fetch_add(1, Ordering::Relaxed);
        x * x
    });
    let before = calls.load(Ordering::Relaxed);
    let _total: i64 = pipeline.sum(); // the "compute"
    (before, calls.load(Ordering::Relaxed))
}
// ANCHOR_END: lazy

/// The most correlated pair: indices `a < b` into the series, and their correlation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Best {
    pub a: usize,
    pub b: usize,
    pub r: f64,
}

// ANCHOR: sequential
/// The notebook's sequential code: a double loop over the series, skipping a series paired
/// with itself, keeping the largest correlation. Pairs whose correlation is undefined
/// (`None`, e.g. a constant series) are skipped; on a tie the first pair found wins.
pub fn max_correlation_sequential<T>(
    items: &[T],
    correlate: impl Fn(&T, &T) -> Option<f64>,
) -> Option<Best> {
    let mut best: Option<Best> = None;
    for a in 0..items.len() {
        for b in a + 1..items.len() {
            let Some(r) = correlate(&items[a], &items[b]) else {
                continue;
            };
            if best.is_none_or(|best| r > best.r) {
                best = Some(Best { a, b, r });
            }
        }
    }
    best
}
// ANCHOR_END: sequential
