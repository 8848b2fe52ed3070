//! Results taken as they finish, but numbered in the order they arrive, not by their task.
//! Caught by: ex2_3_hands_over_results_in_completion_order
pub fn submit_as_completed<T, F, G>(pool: &ThreadPool, tasks: Vec<F>, mut on_result: G)
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
    G: FnMut(usize, T),
{
    use futures::StreamExt;
    use futures::task::SpawnExt;
    let mut pending: futures::stream::FuturesUnordered<_> = tasks
        .into_iter()
        .map(|task| pool.spawn_with_handle(async move { task() }).expect("the pool accepts a task"))
        .collect();
    futures::executor::block_on(async {
        let mut arrived = 0;
        while let Some(result) = pending.next().await {
            on_result(arrived, result);
            arrived += 1;
        }
    });
}
