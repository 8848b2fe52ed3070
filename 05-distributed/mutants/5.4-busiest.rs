//! `max_by_key` on (bytes, load): among equal holders it takes the busiest, not the idlest.
//! Caught by: ex5_4_among_equals_the_least_loaded_then_the_lowest_id
pub fn choose_worker(inputs: &[InputPlace], workers: &[Candidate]) -> Option<WorkerId> {
    let held = |w: WorkerId| -> u64 {
        inputs.iter().filter(|i| i.holders.contains(&w)).map(|i| i.bytes).sum()
    };
    workers
        .iter()
        .filter(|w| w.room)
        .max_by_key(|w| (held(w.id), w.load))
        .map(|w| w.id)
}
