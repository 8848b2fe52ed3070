//! Each call awaited in turn, no task spawned: the calls never wait at the same time.
//! Caught by: ex2_4_runs_each_call_as_its_own_task, ex2_4_lets_every_call_wait_at_the_same_time
pub async fn spawn_all<F, Fut, R>(count: usize, call: F) -> Vec<R>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    let mut outputs = Vec::with_capacity(count);
    for i in 0..count {
        outputs.push(call(i).await);
    }
    outputs
}
