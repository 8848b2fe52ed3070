//! `max_by` on r alone: on a tie, whichever pair rayon met last wins.
//! Caught by: ex3_1_skips_undefined_pairs_and_breaks_ties_by_the_first_pair
pub fn max_correlation<T, F>(items: &[T], correlate: F) -> Option<Best>
where
    T: Sync,
    F: Fn(&T, &T) -> Option<f64> + Sync,
{
    use rayon::prelude::*;
    let n = items.len();
    (0..n)
        .into_par_iter()
        .flat_map(|a| (a + 1..n).into_par_iter().map(move |b| (a, b)))
        .filter_map(|(a, b)| {
            let r = correlate(&items[a], &items[b]).filter(|r| !r.is_nan())?;
            Some(Best { a, b, r })
        })
        .max_by(|x, y| x.r.total_cmp(&y.r))
}
