//! The whole product, `a == b` and both orders kept: a series with itself always wins.
//! Caught by: ex3_1_finds_the_pair_a_naive_double_loop_finds
pub fn max_correlation<T, F>(items: &[T], correlate: F) -> Option<Best>
where
    T: Sync,
    F: Fn(&T, &T) -> Option<f64> + Sync,
{
    use rayon::prelude::*;
    let n = items.len();
    (0..n)
        .into_par_iter()
        .flat_map(|a| (0..n).into_par_iter().map(move |b| (a, b)))
        .filter_map(|(a, b)| {
            let r = correlate(&items[a], &items[b]).filter(|r| !r.is_nan())?;
            Some(Best { a, b, r })
        })
        .max_by(|x, y| x.r.total_cmp(&y.r).then((y.a, y.b).cmp(&(x.a, x.b))))
}
