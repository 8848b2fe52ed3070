//! Looks at the first input only: the worker holding it, if it has room.
//! Caught by: ex5_4_every_input_counts, ex5_4_an_input_held_twice_counts_for_each_holder
pub fn choose_worker(inputs: &[InputPlace], workers: &[Candidate]) -> Option<WorkerId> {
    let room: Vec<&Candidate> = workers.iter().filter(|w| w.room).collect();
    if let Some(first) = inputs.first()
        && let Some(w) = room.iter().find(|w| first.holders.contains(&w.id))
    {
        return Some(w.id);
    }
    room.iter().min_by_key(|w| (w.load, w.id)).map(|w| w.id)
}
