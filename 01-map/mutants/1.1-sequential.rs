//! `iter()` where `par_iter()` belongs: the right results, on one thread.
//! Caught by: ex1_1_runs_items_on_several_threads
pub fn par_map_rayon<T, R, F>(items: &[T], work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    items.iter().map(work).collect()
}
