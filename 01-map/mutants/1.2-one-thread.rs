//! One scoped thread whatever `threads` says.
//! Caught by: ex1_2_uses_the_threads_it_is_given
pub fn par_map_by_hand<T, R, F>(items: &[T], threads: usize, work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let _ = threads;
    std::thread::scope(|s| {
        s.spawn(|| items.iter().map(&work).collect())
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}
