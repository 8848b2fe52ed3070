//! Each task pushed to the front in turn, lowest id first: they end up at the front, highest id first.
//! Caught by: ex5_3_the_lost_workers_tasks_go_back_to_the_front_in_order
pub fn worker_lost(state: &mut State, lost: WorkerId) {
    let Some(worker) = state.workers.remove(&lost) else {
        return;
    };
    for &id in worker.running.iter() {
        let Some(task) = state.tasks.get_mut(&id) else {
            continue;
        };
        if task.pin == Some(lost) {
            state.fail(id, crate::protocol::TaskError::WorkerLost(worker.name.clone()));
        } else {
            task.assigned = None;
            state.ready.push_front(id);
            state.counters.rerun += 1;
        }
    }
    let stranded: Vec<crate::protocol::TaskId> = (state.ready.iter())
        .filter(|id| state.tasks.get(id).is_some_and(|t| t.pin == Some(lost)))
        .copied()
        .collect();
    for id in stranded {
        state.fail(id, crate::protocol::TaskError::WorkerLost(worker.name.clone()));
    }
}
