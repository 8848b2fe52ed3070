//! Tasks pinned to the lost worker put back in the queue: they wait forever for a worker that is gone.
//! Caught by: ex5_3_tasks_pinned_to_the_lost_worker_fail
pub fn worker_lost(state: &mut State, lost: WorkerId) {
    let Some(worker) = state.workers.remove(&lost) else {
        return;
    };
    for &id in worker.running.iter().rev() {
        let Some(task) = state.tasks.get_mut(&id) else {
            continue;
        };
        task.assigned = None;
        state.ready.push_front(id);
        state.counters.rerun += 1;
    }
    let _ = worker;
}
