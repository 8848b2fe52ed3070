//! Picks the worker with the most input bytes even when it has no room.
//! Caught by: ex5_4_only_a_worker_with_room_is_chosen
pub fn choose_worker(inputs: &[InputPlace], workers: &[Candidate]) -> Option<WorkerId> {
    let held = |w: WorkerId| -> u64 {
        inputs.iter().filter(|i| i.holders.contains(&w)).map(|i| i.bytes).sum()
    };
    workers
        .iter()
        .min_by_key(|w| (std::cmp::Reverse(held(w.id)), w.load, w.id))
        .map(|w| w.id)
}
