//! `threads` slices of `len / threads` records each: the remainder at the end is never added.
//! Caught by: ex4_1_equals_the_sequential_aggregate_on_1_to_4_threads
pub fn partials<A: Aggregate>(records: &[A::Record], threads: usize) -> A {
    let threads = threads.max(1);
    let chunk = records.len() / threads;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let part = &records[t * chunk..(t + 1) * chunk];
                s.spawn(move || {
                    let mut partial = A::default();
                    for record in part {
                        partial.add(record);
                    }
                    partial
                })
            })
            .collect();
        let mut all = A::default();
        for handle in handles {
            all.merge(handle.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        all
    })
}
