//! Each pair submitted, then waited for, before the next is submitted: one task at a time.
//! Caught by: ex2_2_submits_every_pair_with_a_clone_of_the_arc
pub fn correlations_submit(series: &Arc<Vec<Vec<f64>>>, pool: &ThreadPool) -> Vec<Correlation> {
    use futures::task::SpawnExt;
    crate::correlate::pairs(series.len())
        .map(|(a, b)| {
            let series = Arc::clone(series);
            let handle = pool
                .spawn_with_handle(async move { crate::correlate::correlate(&series, a, b) })
                .expect("the pool accepts a task");
            futures::executor::block_on(handle)
        })
        .collect()
}
