//! One aggregate behind a `Mutex`, locked for every record: right answer, no partials.
//! Caught by: ex4_1_gives_each_thread_its_own_partial
pub fn partials<A: Aggregate>(records: &[A::Record], threads: usize) -> A {
    let all = std::sync::Mutex::new(A::default());
    let chunk = records.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        for part in records.chunks(chunk) {
            let all = &all;
            s.spawn(move || {
                for record in part {
                    all.lock().unwrap().add(record);
                }
            });
        }
    });
    all.into_inner().unwrap()
}
