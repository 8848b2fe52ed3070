//! Exercise 5.3: re-running a lost worker's tasks. `cargo test -p lesson-05-distributed
//! --test ex5_3`. The first tests drive the scheduler's `State` by hand, one event at a
//! time; the last ones lose a worker in a real cluster (with the reference's answers to 5.1
//! and 5.2).
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `05-distributed/mutants/5.3-*.rs`, checked by `cargo course verify --mutants --exercise 5.3`):
//! - the lost tasks pushed to the back, or to the front in reverse order:
//!   `ex5_3_the_lost_workers_tasks_go_back_to_the_front_in_order`;
//! - pinned tasks put back in the queue: `ex5_3_tasks_pinned_to_the_lost_worker_fail`.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use lesson_05_distributed::answer::worker_lost;
use lesson_05_distributed::answers::Answers;
use lesson_05_distributed::protocol::{
    ClientId, Finished, Hello, NewTask, TaskError, TaskId, ToWorker, VERSION, WorkerId,
};
use lesson_05_distributed::scheduler::{Config, State};
use lesson_05_distributed::tasks::{Sleep, Square};
use shared::testing::within;

const CLIENT: ClientId = ClientId(1);
const W1: WorkerId = WorkerId(1);
const W2: WorkerId = WorkerId(2);

fn id(n: u64) -> TaskId {
    TaskId { client: CLIENT, n }
}

fn task(n: u64, pin: Option<WorkerId>) -> NewTask {
    NewTask {
        id: id(n),
        name: "noop".into(),
        args: Vec::new(),
        needs: None,
        pin,
        inputs: None,
        keep: false,
    }
}

/// Two workers of one thread with room for two tasks each, and tasks 0..6 submitted:
/// 0 and 2 run on worker 1, 1 and 3 on worker 2, 4 and 5 wait.
fn busy_state() -> State {
    let mut state = State::new(2);
    state.worker_joined(W1, "w1".into(), 1);
    state.worker_joined(W2, "w2".into(), 1);
    state.submit(CLIENT, (0..6).map(|n| task(n, None)).collect());
    state.assign();
    state.take_outbox();
    let running = |w: WorkerId| {
        state.workers[&w]
            .running
            .iter()
            .map(|t| t.n)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        (running(W1), running(W2)),
        (vec![0, 2], vec![1, 3]),
        "the given assign"
    );
    state
}

fn ok(n: u64) -> Finished {
    Finished {
        id: id(n),
        result: Ok(Vec::new()),
    }
}

/// How many results each task id has had delivered, from the outboxes taken so far.
fn delivered(state: &mut State, tally: &mut BTreeMap<u64, usize>) {
    for finished in state.take_outbox().to_clients.into_values().flatten() {
        *tally.entry(finished.id.n).or_default() += 1;
    }
}

#[test]
fn ex5_3_the_lost_workers_tasks_go_back_to_the_front_in_order() {
    let state = within("5.3", || {
        let mut state = busy_state();
        worker_lost(&mut state, W1);
        state
    });
    assert!(
        !state.workers.contains_key(&W1),
        "exercise 5.3: the lost worker is still in state.workers — see book section 5.3"
    );
    let ready: Vec<u64> = state.ready.iter().map(|t| t.n).collect();
    assert_eq!(
        ready,
        vec![0, 2, 4, 5],
        "exercise 5.3: worker 1 was running tasks 0 and 2, and 4 and 5 were waiting; tasks \
         0 and 2 go back to the front of the queue, in id order — see book section 5.3"
    );
    for n in [0, 2] {
        assert_eq!(
            state.tasks[&id(n)].assigned,
            None,
            "exercise 5.3: task {n} is waiting again, so it is assigned to no one"
        );
    }
    assert_eq!(
        state.counters.rerun, 2,
        "exercise 5.3: count each task to re-run"
    );
    assert_eq!(
        state.tasks[&id(1)].assigned,
        Some(W2),
        "worker 2's tasks are untouched"
    );
}

#[test]
fn ex5_3_every_result_is_delivered_once() {
    let tally = within("5.3", || {
        let mut state = busy_state();
        let mut tally = BTreeMap::new();
        state.finished(W1, vec![ok(0)]); // task 0 finished before the loss
        worker_lost(&mut state, W1);
        // Worker 1's last words, sent before it died but read after: not a second result.
        state.finished(W1, vec![ok(2)]);
        // Worker 2 finishes whatever it is given until nothing is left.
        for _ in 0..10 {
            state.assign();
            let running: Vec<Finished> = state.workers[&W2]
                .running
                .iter()
                .map(|id| ok(id.n))
                .collect();
            state.finished(W2, running);
            delivered(&mut state, &mut tally);
        }
        tally
    });
    let expected: BTreeMap<u64, usize> = (0..6).map(|n| (n, 1)).collect();
    assert_eq!(
        tally, expected,
        "exercise 5.3: task id → results delivered; each of the 6 tasks should have exactly \
         one (task 2 ran on worker 1, which was lost, then again on worker 2) — see book \
         section 5.3"
    );
}

#[test]
fn ex5_3_tasks_pinned_to_the_lost_worker_fail() {
    let (state, results) = within("5.3", || {
        let mut state = State::new(1);
        state.worker_joined(W1, "w1".into(), 1);
        state.worker_joined(W2, "w2".into(), 1);
        // Task 0 runs on w1, task 1 waits for w1 (its window is full), task 2 is free.
        state.submit(
            CLIENT,
            vec![task(0, Some(W1)), task(1, Some(W1)), task(2, None)],
        );
        state.assign();
        state.take_outbox();
        worker_lost(&mut state, W1);
        let results: Vec<Finished> = state
            .take_outbox()
            .to_clients
            .into_values()
            .flatten()
            .collect();
        (state, results)
    });
    let mut failed: Vec<(u64, Result<Vec<u8>, TaskError>)> =
        results.into_iter().map(|f| (f.id.n, f.result)).collect();
    failed.sort_by_key(|(n, _)| *n);
    let lost = Err(TaskError::WorkerLost("w1".into()));
    assert_eq!(
        failed,
        vec![(0, lost.clone()), (1, lost)],
        "exercise 5.3: tasks 0 (running) and 1 (waiting) were pinned to w1 and can run \
         nowhere else: each ends with TaskError::WorkerLost(\"w1\") through state.fail — see \
         book section 5.3"
    );
    assert!(
        state.tasks.len() == 1,
        "exercise 5.3: only task 2 is left: {:?}",
        state.tasks.keys().collect::<Vec<_>>()
    );
}

#[test]
fn ex5_3_tasks_whose_client_has_gone_are_skipped() {
    let state = within("5.3", || {
        let mut state = busy_state();
        // Another client's task, running on worker 1 beside tasks 0 and 2 of CLIENT.
        state.submit(
            ClientId(2),
            vec![NewTask {
                id: TaskId {
                    client: ClientId(2),
                    n: 0,
                },
                ..task(0, None)
            }],
        );
        state
            .tasks
            .get_mut(&TaskId {
                client: ClientId(2),
                n: 0,
            })
            .expect("submitted")
            .assigned = Some(W1);
        state.ready.retain(|t| t.client != ClientId(2));
        state
            .workers
            .get_mut(&W1)
            .expect("w1")
            .running
            .insert(TaskId {
                client: ClientId(2),
                n: 0,
            });
        state.client_gone(CLIENT); // tasks 0 and 2 are still in worker 1's `running`
        worker_lost(&mut state, W1);
        state
    });
    let ready: Vec<TaskId> = state.ready.iter().copied().collect();
    assert_eq!(
        ready,
        vec![TaskId {
            client: ClientId(2),
            n: 0
        }],
        "exercise 5.3: worker 1 was running tasks 0 and 2 of a client that has gone (no longer \
         in state.tasks: skip them) and task 0 of client 2, which alone goes back to the \
         queue — see book section 5.3"
    );
    assert_eq!(state.counters.rerun, 1, "exercise 5.3: one task re-run");
}

#[test]
fn ex5_3_an_unknown_worker_changes_nothing() {
    let (before, after) = within("5.3", || {
        let mut state = busy_state();
        let before = state.snapshot();
        worker_lost(&mut state, WorkerId(99));
        (before, state.snapshot())
    });
    assert_eq!(before, after, "exercise 5.3: worker 99 does not exist");
}

#[test]
fn ex5_3_killing_a_worker_mid_batch_loses_no_result() {
    let (results, snapshot) = within("5.3", move || {
        let cluster = common::start(Answers::tested_for(3), 2, Config::default());
        let client = cluster.client().expect("a client");
        // 1000 tasks of 400 µs: about 0.2 s of work for two workers.
        let args = vec![400_u64; 1000];
        let results = cluster.block_on(async {
            let mut arriving: FuturesUnordered<_> = client
                .map::<Sleep>(&args)
                .await
                .into_iter()
                .map(|future| async move { (future.id().n, future.await) })
                .collect();
            let mut results = Vec::new();
            while let Some(result) = tokio::time::timeout(Duration::from_secs(8), arriving.next())
                .await
                .transpose()
            {
                let Ok(result) = result else {
                    common::fail(
                        &cluster,
                        &format!(
                            "exercise 5.3: after a worker was killed, no result came for 8 s \
                             ({} of 1000 had): are its tasks back in state.ready? — see book \
                             section 5.3",
                            results.len()
                        ),
                    )
                };
                if let Err(err) = &result.1 {
                    common::fail(
                        &cluster,
                        &format!("exercise 5.3: task #{} failed: {err}", result.0),
                    );
                }
                results.push(result);
                if results.len() == 100 {
                    cluster.kill_worker(0);
                }
            }
            results
        });
        (results, cluster.snapshot().expect("the scheduler runs"))
    });
    let mut ids: Vec<u64> = results.iter().map(|(n, _)| *n).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        (0..1000).collect::<Vec<_>>(),
        "exercise 5.3: every task, once"
    );
    assert!(
        results.iter().all(|(_, r)| r.is_ok()),
        "exercise 5.3: every task succeeds"
    );
    let counters = snapshot.counters;
    assert_eq!(
        counters.workers_lost, 1,
        "exercise 5.3: one worker was killed; counters.workers_lost is counted by the given \
         actor, not by worker_lost — see book section 5.3"
    );
    assert!(
        counters.rerun > 0,
        "the killed worker had tasks in flight, which had to run again: {counters:?}"
    );
    assert_eq!(
        counters.finished, 1000,
        "exercise 5.3: the scheduler delivered {} results for 1000 tasks — see book section 5.3",
        counters.finished
    );
}

#[test]
fn ex5_3_a_silent_worker_is_lost_and_its_tasks_run_elsewhere() {
    // The healthy worker's heartbeats (every 50 ms) keep it well inside the timeout.
    let config = Config {
        heartbeat: Duration::from_millis(50),
        timeout: Duration::from_millis(300),
        ..Config::default()
    };
    let (squares, counters) = within("5.3", move || {
        let cluster = common::start(Answers::tested_for(3), 1, config);
        let client = cluster.client().expect("a client");
        cluster.block_on(async {
            // A worker that shakes hands, takes tasks, and then says nothing ever again.
            let hello = Hello::Worker {
                version: VERSION,
                name: "silent".into(),
                threads: 1,
            };
            let (mut silent, _writer, _) = common::raw(&cluster, &hello).await;
            cluster.handle().wait_for_workers(2).await;
            let args: Vec<i64> = (0..200).collect();
            let futures = client.map::<Square>(&args).await;
            // The scheduler's heartbeats come first when the tasks are slow to come.
            let first = loop {
                let message: ToWorker =
                    silent.expect().await.expect("the silent worker gets tasks");
                if message != ToWorker::Heartbeat {
                    break message;
                }
            };
            assert!(
                matches!(first, ToWorker::Run(_)),
                "tasks, not data: {first:?}"
            );
            let all = futures::future::try_join_all(futures);
            let Ok(squares) = tokio::time::timeout(Duration::from_secs(8), all).await else {
                common::fail(
                    &cluster,
                    "exercise 5.3: the tasks given to a worker that fell silent never came \
                     back: after its timeout they must run elsewhere — see book section 5.3",
                )
            };
            let snapshot = cluster
                .handle()
                .snapshot()
                .await
                .expect("the scheduler runs");
            (squares, snapshot.counters)
        })
    });
    assert_eq!(squares, Ok((0..200).map(|x| x * x).collect::<Vec<i64>>()));
    assert_eq!(
        counters.workers_lost, 1,
        "exercise 5.3: one worker fell silent; counters.workers_lost is counted by the given \
         actor, not by worker_lost — see book section 5.3"
    );
    assert!(
        counters.rerun > 0,
        "the silent worker's tasks ran again: {counters:?}"
    );
}
