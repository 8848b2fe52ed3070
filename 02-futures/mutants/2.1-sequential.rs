//! The calls made on this thread, in loop order: no pool at all.
//! Caught by: ex2_1_submits_every_call_before_waiting_for_any
pub fn double_loop_submit(n: i64, slow: &Slow, pool: &ThreadPool) -> Vec<i64> {
    let _ = pool;
    let mut out = Vec::new();
    for i in 0..n {
        for j in 0..n {
            if i < j {
                out.push(slow.add(i, j));
            } else if i > j {
                out.push(slow.sub(i, j));
            }
        }
    }
    out
}
