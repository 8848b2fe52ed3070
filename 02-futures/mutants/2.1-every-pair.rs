//! The `i == j` calls kept (as 0): one result too many per row.
//! Caught by: ex2_1_gives_the_sequential_results_in_loop_order
pub fn double_loop_submit(n: i64, slow: &Slow, pool: &ThreadPool) -> Vec<i64> {
    use futures::task::SpawnExt;
    let mut handles = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let slow = slow.clone();
            let handle = if i < j {
                pool.spawn_with_handle(async move { slow.add(i, j) })
            } else {
                pool.spawn_with_handle(async move { slow.sub(i, j) })
            };
            handles.push(handle.expect("the pool accepts a task"));
        }
    }
    handles.into_iter().map(futures::executor::block_on).collect()
}
