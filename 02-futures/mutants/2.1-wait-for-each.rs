//! Each call submitted, then waited for at once: the calls run one at a time.
//! Caught by: ex2_1_submits_every_call_before_waiting_for_any
pub fn double_loop_submit(n: i64, slow: &Slow, pool: &ThreadPool) -> Vec<i64> {
    use futures::task::SpawnExt;
    let mut out = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let slow = slow.clone();
            let handle = if i < j {
                pool.spawn_with_handle(async move { slow.add(i, j) })
            } else if i > j {
                pool.spawn_with_handle(async move { slow.sub(i, j) })
            } else {
                continue;
            };
            out.push(futures::executor::block_on(handle.expect("the pool accepts a task")));
        }
    }
    out
}
