//! Breaks ties between equal holders by id alone, ignoring how loaded each is.
//! Caught by: ex5_4_among_equals_the_least_loaded_then_the_lowest_id, ex5_4_a_task_whose_inputs_are_nowhere_still_runs
pub fn choose_worker(inputs: &[InputPlace], workers: &[Candidate]) -> Option<WorkerId> {
    let held = |w: WorkerId| -> u64 {
        inputs.iter().filter(|i| i.holders.contains(&w)).map(|i| i.bytes).sum()
    };
    workers
        .iter()
        .filter(|w| w.room)
        .min_by_key(|w| (std::cmp::Reverse(held(w.id)), w.id))
        .map(|w| w.id)
}
