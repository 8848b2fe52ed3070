//! Work stealing: an idle worker takes queued tasks from a busy one.
//!
//! The scheduler gives each worker up to a window of tasks (`depth` per thread) ahead of
//! time, so that no round trip separates one task from the next. A deep window has a cost
//! when the work is uneven: a worker that joins late, or one whose tasks turn out long,
//! holds hundreds of tasks while another has none, and the batch waits for the busy one.
//! So when no task waits in the queue and some worker has nothing to do, the scheduler asks
//! the busiest worker to give back part of what it has not started
//! ([`ToWorker::GiveBack`]); the worker answers with the tasks it took out of its own queue
//! ([`FromWorker::GaveBack`](crate::protocol::FromWorker::GaveBack)), and they go to the
//! front of the queue, for the idle ones. A worker hands its task threads at most
//! [`CHANNEL_PER_THREAD`] jobs per thread (what keeps its results in batches): only what
//! waits beyond that can be given back.

use crate::protocol::{CHANNEL_PER_THREAD, TaskId, ToWorker, WorkerId};

use super::State;

impl State {
    // ANCHOR: steal
    /// When no task waits and a worker runs fewer tasks than it has threads, asks the
    /// busiest worker (by tasks per thread) holding more than its channel's worth to give
    /// back enough that each of them, idle ones included, would hold as many. One request
    /// per worker at a time.
    pub fn steal(&mut self) {
        if !self.ready.is_empty() {
            return;
        }
        let idle = (self.workers.values())
            .filter(|w| w.running.len() < w.threads as usize)
            .count();
        if idle == 0 {
            return;
        }
        // What a worker holds that it could give back: not the tasks whose `Run` waits
        // for inputs (it does not have those yet).
        let queued = |id: &WorkerId, w: &super::WorkerEntry| {
            w.running.len() - self.fetching_on(*id).min(w.running.len())
        };
        let victim = (self.workers.iter())
            .filter(|(_, w)| !w.asked && w.done >= w.steal_after)
            .filter(|(id, w)| queued(id, w) > CHANNEL_PER_THREAD * w.threads as usize)
            .max_by_key(|(id, w)| (queued(id, w) * 1024 / w.threads as usize, **id))
            .map(|(id, w)| (*id, queued(id, w)));
        let Some((victim, held)) = victim else {
            return;
        };
        let worker = self.workers.get_mut(&victim).expect("found above");
        let beyond = held - CHANNEL_PER_THREAD * worker.threads as usize;
        let share = held / (idle + 1);
        let ask = beyond.min(held - share).max(1);
        worker.asked = true;
        let ask = ToWorker::GiveBack(u32::try_from(ask).unwrap_or(u32::MAX));
        self.to_workers.entry(victim).or_default().push(ask);
    }
    // ANCHOR_END: steal

    /// Worker `from` gives back `tasks`, which it had not started: they go to the front of
    /// the queue, in id order, for whichever worker has room.
    pub fn gave_back(&mut self, from: WorkerId, mut tasks: Vec<TaskId>) {
        let Some(worker) = self.workers.get_mut(&from) else {
            return;
        };
        worker.asked = false;
        // Asked again only once it has finished something more: a worker whose queue held
        // nothing to give is not asked in a loop.
        worker.steal_after = worker.done + 1;
        tasks.sort();
        for &id in tasks.iter().rev() {
            let Some(task) = self.tasks.get_mut(&id) else {
                if let Some(worker) = self.workers.get_mut(&from) {
                    worker.running.remove(&id); // its client has gone
                }
                continue;
            };
            if task.assigned != Some(from) {
                continue;
            }
            task.assigned = None;
            task.avoid = Some(from);
            if let Some(worker) = self.workers.get_mut(&from) {
                worker.running.remove(&id);
            }
            self.ready.push_front(id);
            self.counters.stolen += 1;
        }
    }
}
