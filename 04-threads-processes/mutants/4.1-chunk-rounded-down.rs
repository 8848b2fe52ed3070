//! Chunks of `len / threads` records: zero when the threads outnumber the records.
//! Caught by: ex4_1_handles_no_records_and_more_threads_than_records
pub fn partials<A: Aggregate>(records: &[A::Record], threads: usize) -> A {
    let chunk = records.len() / threads;
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
