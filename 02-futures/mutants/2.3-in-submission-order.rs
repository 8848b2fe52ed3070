//! Every task submitted, then each handle awaited in submission order: results come in input order, not as they finish.
//! Caught by: ex2_3_hands_over_results_in_completion_order
pub fn submit_as_completed<T, F, G>(pool: &ThreadPool, tasks: Vec<F>, mut on_result: G)
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
    G: FnMut(usize, T),
{
    use futures::task::SpawnExt;
    let handles: Vec<_> = tasks
        .into_iter()
        .map(|task| pool.spawn_with_handle(async move { task() }).expect("the pool accepts a task"))
        .collect();
    for (i, handle) in handles.into_iter().enumerate() {
        on_result(i, futures::executor::block_on(handle));
    }
}
