//! The double loop, sequential: the right pair, on one thread.
//! Caught by: ex3_1_correlates_pairs_on_several_threads_at_once
pub fn max_correlation<T, F>(items: &[T], correlate: F) -> Option<Best>
where
    T: Sync,
    F: Fn(&T, &T) -> Option<f64> + Sync,
{
    let mut best: Option<Best> = None;
    for a in 0..items.len() {
        for b in a + 1..items.len() {
            if let Some(r) = correlate(&items[a], &items[b]).filter(|r| !r.is_nan())
                && best.as_ref().is_none_or(|x| r > x.r)
            {
                best = Some(Best { a, b, r });
            }
        }
    }
    best
}
