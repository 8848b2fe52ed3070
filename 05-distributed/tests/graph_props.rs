//! The task graph's state under any order of events (proptest): workers joining and being
//! lost, kept and plain tasks with inputs, results from the right worker and the wrong one,
//! transfers answered or refused, copies that could not be kept, tasks given back, handles
//! dropped, fetches, a client leaving. Whatever comes, the state never panics, never gives a
//! worker more than its window, and never strands a task: one that waits for no input and
//! belongs to no worker is in the queue.

use std::collections::BTreeSet;

use lesson_05_distributed::protocol::{ClientId, Finished, Kept, NewTask, TaskId, WorkerId};
use lesson_05_distributed::scheduler::State;
use lesson_05_distributed::solution;
use lesson_05_distributed::tasks::{Add, Node, SumRange, Task};
use proptest::prelude::*;

const CLIENT: ClientId = ClientId(1);
const DEPTH: u32 = 2;

#[derive(Debug, Clone)]
enum Op {
    Join,
    Lose(u8),
    Leaf {
        keep: bool,
    },
    Node {
        inputs: Vec<u8>,
        keep: bool,
    },
    Kept {
        worker: u8,
        task: u8,
    },
    Finished {
        worker: u8,
        task: u8,
        ok: bool,
    },
    Data {
        worker: u8,
        task: u8,
        ok: bool,
    },
    NotKept {
        worker: u8,
        task: u8,
    },
    GaveBack {
        worker: u8,
        tasks: Vec<u8>,
    },
    Forget(u8),
    Fetch(u8),
    ClientGone,
    /// An honest worker: the task's own worker finishes it (kept or sent back).
    Complete(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Join),
        1 => any::<u8>().prop_map(Op::Lose),
        3 => any::<bool>().prop_map(|keep| Op::Leaf { keep }),
        3 => (prop::collection::vec(any::<u8>(), 0..4), any::<bool>())
            .prop_map(|(inputs, keep)| Op::Node { inputs, keep }),
        4 => (any::<u8>(), any::<u8>()).prop_map(|(worker, task)| Op::Kept { worker, task }),
        2 => (any::<u8>(), any::<u8>(), any::<bool>())
            .prop_map(|(worker, task, ok)| Op::Finished { worker, task, ok }),
        3 => (any::<u8>(), any::<u8>(), any::<bool>())
            .prop_map(|(worker, task, ok)| Op::Data { worker, task, ok }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(worker, task)| Op::NotKept { worker, task }),
        1 => (any::<u8>(), prop::collection::vec(any::<u8>(), 0..4))
            .prop_map(|(worker, tasks)| Op::GaveBack { worker, tasks }),
        1 => any::<u8>().prop_map(Op::Forget),
        1 => any::<u8>().prop_map(Op::Fetch),
        1 => Just(Op::ClientGone),
        8 => any::<u8>().prop_map(Op::Complete),
    ]
}

fn id(n: u64) -> TaskId {
    TaskId { client: CLIENT, n }
}

/// The worker an event comes from: mostly one of those that joined (ids from 1), now and
/// then one that never did.
fn worker(joined: u32, pick: u8) -> WorkerId {
    if pick == u8::MAX {
        return WorkerId(joined + 1);
    }
    WorkerId(u32::from(pick) % joined.max(1) + 1)
}

/// A task an event names: mostly one of those submitted, now and then one that never was.
fn task(submitted: u64, pick: u8) -> TaskId {
    if pick == u8::MAX {
        return id(submitted);
    }
    id(u64::from(pick) % submitted.max(1))
}

/// Checks what must hold after every event.
fn check(state: &State) -> Result<(), TestCaseError> {
    for (wid, worker) in &state.workers {
        prop_assert!(
            worker.running.len() <= (DEPTH * worker.threads) as usize,
            "worker {} holds {} tasks, over its window",
            wid.0,
            worker.running.len()
        );
    }
    let queued: BTreeSet<TaskId> = state.ready.iter().copied().collect();
    for (tid, entry) in &state.tasks {
        match entry.assigned {
            Some(w) => prop_assert!(
                state
                    .workers
                    .get(&w)
                    .is_some_and(|w| w.running.contains(tid)),
                "task #{} is assigned to worker {} which does not hold it",
                tid.n,
                w.0
            ),
            None if entry.missing == 0 => prop_assert!(
                queued.contains(tid),
                "task #{} waits for nothing and belongs to no worker, but is not queued",
                tid.n
            ),
            None => {}
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_order_of_events_keeps_the_graph_consistent(ops in prop::collection::vec(op(), 1..80)) {
        let mut state = State::new(DEPTH).placing(solution::choose_worker).stealing(true);
        let (mut joined, mut submitted) = (0u32, 0u64);
        for op in ops {
            match op {
                Op::Join => {
                    joined += 1;
                    state.worker_joined(WorkerId(joined), format!("w{joined}"), 1);
                }
                Op::Lose(pick) => {
                    let lost = worker(joined, pick);
                    solution::worker_lost(&mut state, lost);
                    state.graph_lost(lost);
                }
                Op::Leaf { keep } => {
                    let task = NewTask {
                        id: id(submitted),
                        name: SumRange::NAME.into(),
                        args: postcard::to_stdvec(&(0i64, 3i64)).expect("encodes"),
                        needs: None,
                        pin: None,
                        inputs: None,
                        keep,
                    };
                    submitted += 1;
                    state.submit(CLIENT, vec![task]);
                }
                Op::Node { inputs, keep } => {
                    let inputs = inputs.iter().map(|&p| task(submitted, p)).collect();
                    let task = NewTask {
                        id: id(submitted),
                        name: Add::NAME.into(),
                        args: postcard::to_stdvec(&0i64).expect("encodes"),
                        needs: None,
                        pin: None,
                        inputs: Some(inputs),
                        keep,
                    };
                    submitted += 1;
                    state.submit(CLIENT, vec![task]);
                }
                Op::Kept { worker: w, task: t } => {
                    let kept = Kept { id: task(submitted, t), bytes: 8 };
                    state.kept(worker(joined, w), vec![kept]);
                }
                Op::Finished { worker: w, task: t, ok } => {
                    let result = if ok {
                        Ok(postcard::to_stdvec(&1i64).expect("encodes"))
                    } else {
                        Err(lesson_05_distributed::protocol::TaskError::Failed("no".into()))
                    };
                    let done = Finished { id: task(submitted, t), result };
                    state.finished(worker(joined, w), vec![done]);
                }
                Op::Data { worker: w, task: t, ok } => {
                    let bytes = if ok { Ok(vec![2]) } else { Err("gone".into()) };
                    state.data(worker(joined, w), task(submitted, t), bytes);
                }
                Op::NotKept { worker: w, task: t } => {
                    state.not_kept(worker(joined, w), vec![task(submitted, t)]);
                }
                Op::GaveBack { worker: w, tasks } => {
                    let tasks = tasks.iter().map(|&p| task(submitted, p)).collect();
                    state.gave_back(worker(joined, w), tasks);
                }
                Op::Forget(t) => state.forget(CLIENT, vec![task(submitted, t)]),
                Op::Fetch(t) => state.fetch(CLIENT, vec![task(submitted, t)]),
                Op::ClientGone => state.client_gone(CLIENT),
                Op::Complete(t) => {
                    let t = task(submitted, t);
                    if let Some(entry) = state.tasks.get(&t)
                        && let Some(w) = entry.assigned
                    {
                        if entry.keep {
                            state.kept(w, vec![Kept { id: t, bytes: 8 }]);
                        } else {
                            let output = postcard::to_stdvec(&1i64).expect("encodes");
                            state.finished(w, vec![Finished { id: t, result: Ok(output) }]);
                        }
                    }
                }
            }
            state.assign();
            let _ = state.take_outbox();
            check(&state)?;
        }
    }
}
