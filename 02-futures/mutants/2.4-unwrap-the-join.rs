//! `handle.await.unwrap()`: a task's panic comes back as a panic about a JoinError.
//! Caught by: ex2_4_raises_the_tasks_own_panic_not_one_about_a_join_error
pub async fn spawn_all<F, Fut, R>(count: usize, call: F) -> Vec<R>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    let handles: Vec<_> = (0..count).map(|i| tokio::spawn(call(i))).collect();
    let mut outputs = Vec::with_capacity(count);
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}
