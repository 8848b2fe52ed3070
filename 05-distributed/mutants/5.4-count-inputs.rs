//! Counts the inputs a worker holds instead of their bytes: three small inputs beat one large one.
//! Caught by: ex5_4_the_most_bytes_win_not_the_most_inputs
pub fn choose_worker(inputs: &[InputPlace], workers: &[Candidate]) -> Option<WorkerId> {
    let held = |w: WorkerId| inputs.iter().filter(|i| i.holders.contains(&w)).count();
    workers
        .iter()
        .filter(|w| w.room)
        .min_by_key(|w| (std::cmp::Reverse(held(w.id)), w.load, w.id))
        .map(|w| w.id)
}
