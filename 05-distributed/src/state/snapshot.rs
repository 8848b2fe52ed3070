//! The scheduler at one moment, for the dashboard and the tests.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::protocol::{ClientId, WorkerId, WorkerInfo};

use super::*;

/// The scheduler at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub workers: Vec<WorkerSnapshot>,
    pub ready: usize,
    pub counters: Counters,
    /// Each connected client's batch progress.
    pub clients: BTreeMap<ClientId, Progress>,
    /// Kept results that exist, and recipes kept for lineage (see [`State::kept`]).
    pub kept: usize,
    pub recipes: usize,
    /// Results passed from worker to worker through the scheduler, and their bytes.
    pub moved: (u64, u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerSnapshot {
    pub id: WorkerId,
    pub name: String,
    pub running: usize,
    pub done: u64,
    pub holds: usize,
    /// Kept results it holds a copy of.
    pub kept: usize,
    pub last_heard: Instant,
}

impl State {
    /// The workers, for a client's [`FromClient::Workers`](crate::protocol::FromClient::Workers).
    pub fn worker_infos(&self) -> Vec<WorkerInfo> {
        self.workers
            .iter()
            .map(|(id, worker)| WorkerInfo {
                id: *id,
                name: worker.name.clone(),
                threads: worker.threads,
            })
            .collect()
    }

    /// A summary for tests, tables and the dashboard.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            workers: self
                .workers
                .iter()
                .map(|(id, worker)| WorkerSnapshot {
                    id: *id,
                    name: worker.name.clone(),
                    running: worker.running.len(),
                    done: worker.done,
                    holds: worker.holds.len(),
                    kept: self.kept_on(*id),
                    last_heard: worker.last_heard,
                })
                .collect(),
            ready: self.ready.len(),
            counters: self.counters,
            clients: self.clients.clone(),
            kept: self.graph_sizes().0,
            recipes: self.graph_sizes().1,
            moved: self.moved(),
        }
    }
}
