//! Work stealing (book section 5.4): a worker that joins when another already holds the
//! whole batch takes part of it, by structure (who ran what), never by the clock.

mod common;

use lesson_05_distributed::answers::Answers;
use lesson_05_distributed::cluster::LocalCluster;
use lesson_05_distributed::protocol::{ClientId, NewTask, TaskId, ToWorker, WorkerId};
use lesson_05_distributed::scheduler::{Config, Snapshot, State};
use lesson_05_distributed::solution::gather;
use lesson_05_distributed::tasks::{Sleep, Task};
use shared::testing::within;

/// Tasks in the batch: all of them fit one worker's window (`depth` below).
const TASKS: usize = 512;

/// Runs a batch of `TASKS` sleeps of 1 ms on one worker whose window holds them all, then
/// starts a second worker, and returns the scheduler's state once the batch is done.
fn late_joiner(steal: bool) -> Snapshot {
    let config = Config {
        depth: TASKS as u32,
        steal,
        ..Config::default()
    };
    let cluster = LocalCluster::start(Answers::SOLUTION, 1, config).expect("a cluster");
    let client = cluster.client().expect("a client");
    let futures = cluster.block_on(client.map::<Sleep>(&vec![1000; TASKS]));
    // Every task is on worker 1 before worker 2 joins: poll the state (each poll is a
    // round trip to the scheduler, not a sleep), for at most 2,000 polls.
    let all_on_one = (0..2000).any(|_| {
        cluster.snapshot().is_some_and(|s| {
            s.workers.first().is_some_and(|w| w.running == TASKS) || s.counters.finished > 0
        })
    });
    assert!(all_on_one, "worker 1 was given the whole batch");
    cluster.add_worker(Answers::SOLUTION, 1);
    cluster.wait_for_workers(2).expect("worker 2 joins");
    let done = cluster.block_on(gather(futures, &common::bar(TASKS)));
    assert_eq!(done.map(|d| d.len()), Ok(TASKS), "every task ran");
    cluster.snapshot().expect("running")
}

#[test]
fn an_idle_worker_takes_queued_tasks_from_a_busy_one() {
    within("5.4 (given)", || {
        let snapshot = late_joiner(true);
        let late = &snapshot.workers[1];
        assert!(
            late.done > 0 && snapshot.counters.stolen > 0,
            "the worker that joined late took part of the batch: {snapshot:?}"
        );
        assert_eq!(
            snapshot.counters.finished, TASKS as u64,
            "each task finished once"
        );
    });
}

#[test]
fn without_stealing_the_late_worker_gets_nothing_of_the_batch() {
    within("5.4 (given)", || {
        let snapshot = late_joiner(false);
        assert_eq!(
            (snapshot.workers[1].done, snapshot.counters.stolen),
            (0, 0),
            "with stealing off, the whole batch stays where it was given: {snapshot:?}"
        );
    });
}

/// `n` sleeps of 1 µs of `client`, numbered from 0.
fn sleeps(client: ClientId, n: u64) -> Vec<NewTask> {
    (0..n)
        .map(|n| NewTask {
            id: TaskId { client, n },
            name: Sleep::NAME.into(),
            args: postcard::to_stdvec(&1u64).expect("encodes"),
            needs: None,
            pin: None,
            inputs: None,
            keep: false,
        })
        .collect()
}

#[test]
fn only_tasks_beyond_a_workers_channel_are_asked_back_and_they_go_to_the_front() {
    use lesson_05_distributed::protocol::CHANNEL_PER_THREAD;
    let client = ClientId(1);
    let mut state = State::new(1024).stealing(true);
    state.worker_joined(WorkerId(1), "one".into(), 1);
    state.submit(client, sleeps(client, 300));
    state.assign();
    let _ = state.take_outbox();
    state.worker_joined(WorkerId(2), "two".into(), 1);
    state.assign();
    let asked = state.take_outbox().to_workers.remove(&WorkerId(1));
    // Worker 1 holds 300: an even share is 150, and 300 - 64 could go: it is asked for 150.
    assert_eq!(asked, Some(vec![ToWorker::GiveBack(150)]));
    const { assert!(300 - 150 >= CHANNEL_PER_THREAD) };
    // No second request while the first is unanswered.
    state.assign();
    assert!(state.take_outbox().to_workers.is_empty());
    // It gives back its last 150; they go to worker 2, lowest id first.
    let given: Vec<TaskId> = (150..300).map(|n| TaskId { client, n }).collect();
    state.gave_back(WorkerId(1), given);
    state.assign();
    let outbox = state.take_outbox().to_workers;
    let to_two: Vec<u64> = (outbox.get(&WorkerId(2)).into_iter().flatten())
        .flat_map(|m| match m {
            ToWorker::Run(jobs) => jobs.iter().map(|j| j.id.n).collect(),
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(to_two, (150..300).collect::<Vec<u64>>());
    assert_eq!(state.counters.stolen, 150);
    let snapshot = state.snapshot();
    assert_eq!(
        (snapshot.workers[0].running, snapshot.workers[1].running),
        (150, 150)
    );
}

#[test]
fn a_worker_that_gave_back_nothing_is_not_asked_again_before_it_finishes_a_task() {
    let client = ClientId(1);
    let mut state = State::new(1024).stealing(true);
    state.worker_joined(WorkerId(1), "one".into(), 1);
    state.submit(client, sleeps(client, 300));
    state.assign();
    let _ = state.take_outbox();
    state.worker_joined(WorkerId(2), "two".into(), 1);
    state.assign();
    assert!(!state.take_outbox().to_workers.is_empty(), "asked once");
    // Its queue held nothing it could give (all in its task threads' channel, say).
    state.gave_back(WorkerId(1), Vec::new());
    state.assign();
    assert!(
        state.take_outbox().to_workers.is_empty(),
        "not asked again in a loop"
    );
    let done = lesson_05_distributed::protocol::Finished {
        id: TaskId { client, n: 0 },
        result: Ok(postcard::to_stdvec(&()).expect("encodes")),
    };
    state.finished(WorkerId(1), vec![done]);
    state.assign();
    let asked = state.take_outbox().to_workers.remove(&WorkerId(1));
    assert!(
        matches!(asked.as_deref(), Some([ToWorker::GiveBack(_)])),
        "asked again once it has finished a task: {asked:?}"
    );
}
