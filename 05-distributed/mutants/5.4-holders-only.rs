//! Chooses only among workers that hold an input: a task whose inputs are nowhere it could go never runs.
//! Caught by: ex5_4_a_task_whose_inputs_are_nowhere_still_runs
pub fn choose_worker(inputs: &[InputPlace], workers: &[Candidate]) -> Option<WorkerId> {
    let held = |w: WorkerId| -> u64 {
        inputs.iter().filter(|i| i.holders.contains(&w)).map(|i| i.bytes).sum()
    };
    workers
        .iter()
        .filter(|w| w.room && held(w.id) > 0)
        .min_by_key(|w| (std::cmp::Reverse(held(w.id)), w.load, w.id))
        .map(|w| w.id)
}
