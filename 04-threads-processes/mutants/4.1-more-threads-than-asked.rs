//! Slices of `(len / threads).max(1)` records: with 1001 records on 4 threads, five threads.
//! Caught by: ex4_1_gives_each_thread_its_own_partial
pub fn partials<A: Aggregate>(records: &[A::Record], threads: usize) -> A {
    let chunk = (records.len() / threads.max(1)).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = records
            .chunks(chunk)
            .map(|part| {
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
