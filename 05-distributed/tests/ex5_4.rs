//! Exercise 5.4: placing a task where its inputs are. `cargo test -p lesson-05-distributed
//! --test ex5_4`. The first tests call your `choose_worker` on lists made by hand; the last
//! ones run a task graph through the scheduler's `State` and a real cluster with it, and
//! check which worker ran what (by structure, never by the clock).
//!
//! Wrong answers each of them must fail on, every run (in `05-distributed/mutants/5.4-*.rs`,
//! checked by `cargo course verify --mutants --exercise 5.4`):
//! - counting inputs instead of their bytes: `ex5_4_the_most_bytes_win_not_the_most_inputs`;
//! - choosing a holder that has no room: `ex5_4_only_a_worker_with_room_is_chosen`;
//! - breaking ties by id alone, or taking the busiest: `ex5_4_among_equals_the_least_loaded_then_the_lowest_id`;
//! - looking at the first input only: `ex5_4_every_input_counts`;
//! - no worker when none holds an input: `ex5_4_a_task_whose_inputs_are_nowhere_still_runs`.

mod common;

use lesson_05_distributed::answer::choose_worker;
use lesson_05_distributed::answers::Answers;
use lesson_05_distributed::client::Handle;
use lesson_05_distributed::cluster::LocalCluster;
use lesson_05_distributed::protocol::{ClientId, Kept, NewTask, TaskId, ToWorker, WorkerId};
use lesson_05_distributed::scheduler::{Config, State};
use lesson_05_distributed::state::{Candidate, InputPlace};
use lesson_05_distributed::tasks::{Add, Node, SumRange, Task};
use shared::testing::within;

fn worker(id: u32, room: bool, load: usize) -> Candidate {
    Candidate {
        id: WorkerId(id),
        room,
        load,
    }
}

fn input(bytes: u64, holders: &[u32]) -> InputPlace {
    InputPlace {
        bytes,
        holders: holders.iter().map(|&w| WorkerId(w)).collect(),
    }
}

/// Your `choose_worker` on `inputs` and `workers`, within the deadline, as a worker number.
fn choose(inputs: Vec<InputPlace>, workers: Vec<Candidate>) -> Option<u32> {
    within("5.4", move || choose_worker(&inputs, &workers)).map(|w| w.0)
}

#[test]
fn ex5_4_the_worker_holding_the_input_is_chosen() {
    let workers = vec![worker(1, true, 0), worker(2, true, 0), worker(3, true, 0)];
    assert_eq!(
        choose(vec![input(100, &[2])], workers),
        Some(2),
        "the only input is on worker 2: run the task there, and nothing travels — see book \
         section 5.4"
    );
}

#[test]
fn ex5_4_the_most_bytes_win_not_the_most_inputs() {
    let workers = vec![worker(1, true, 0), worker(2, true, 0)];
    // Worker 1 holds three small inputs, worker 2 one large one.
    let inputs = vec![
        input(10, &[1]),
        input(10, &[1]),
        input(10, &[1]),
        input(1000, &[2]),
    ];
    assert_eq!(
        choose(inputs, workers),
        Some(2),
        "worker 2 holds 1000 of the 1030 input bytes, worker 1 only 30: count bytes, not \
         inputs (what travels is bytes) — see book section 5.4"
    );
}

#[test]
fn ex5_4_every_input_counts() {
    let workers = vec![worker(1, true, 0), worker(2, true, 0)];
    let inputs = vec![input(10, &[1]), input(50, &[2]), input(50, &[2])];
    assert_eq!(
        choose(inputs, workers),
        Some(2),
        "worker 2 holds the second and third inputs (100 bytes), worker 1 the first (10): \
         add up every input a worker holds — see book section 5.4"
    );
}

#[test]
fn ex5_4_an_input_held_twice_counts_for_each_holder() {
    let workers = vec![worker(1, true, 0), worker(2, true, 0), worker(3, true, 0)];
    let inputs = vec![input(500, &[1, 3]), input(20, &[3])];
    assert_eq!(
        choose(inputs, workers),
        Some(3),
        "worker 3 holds a copy of both inputs (520 bytes), worker 1 of the first (500): an \
         input's `holders` may name several workers — see book section 5.4"
    );
}

#[test]
fn ex5_4_only_a_worker_with_room_is_chosen() {
    let workers = vec![worker(1, true, 3072), worker(2, false, 0)];
    assert_eq!(
        choose(vec![input(1000, &[2])], workers.clone()),
        Some(1),
        "worker 2 holds the input but has no room: the task goes to worker 1, and the input \
         travels — see book section 5.4"
    );
    let full = vec![worker(1, false, 0), worker(2, false, 0)];
    assert_eq!(
        choose(vec![input(1000, &[2])], full),
        None,
        "no worker has room: `None`, and the task waits — see book section 5.4"
    );
}

#[test]
fn ex5_4_among_equals_the_least_loaded_then_the_lowest_id() {
    let workers = vec![
        worker(1, true, 2048),
        worker(2, true, 1024),
        worker(3, true, 1024),
    ];
    let inputs = vec![input(100, &[1, 2, 3])];
    assert_eq!(
        choose(inputs, workers),
        Some(2),
        "all three hold the 100 bytes: the least loaded wins (workers 2 and 3, load 1024), \
         and of those the lowest id — see book section 5.4"
    );
    let workers = vec![worker(1, true, 1024), worker(2, true, 0)];
    assert_eq!(
        choose(vec![input(7, &[1, 2])], workers),
        Some(2),
        "both hold the input: worker 2 is idle, worker 1 busy — see book section 5.4"
    );
}

#[test]
fn ex5_4_a_task_whose_inputs_are_nowhere_still_runs() {
    let workers = vec![worker(1, true, 1024), worker(2, true, 0)];
    assert_eq!(
        choose(vec![input(100, &[9])], workers.clone()),
        Some(2),
        "no candidate holds the input (its holder is full and not listed): zero bytes each, so \
         the least loaded — see book section 5.4"
    );
    assert_eq!(
        choose(Vec::new(), workers),
        Some(2),
        "no inputs at all: the least loaded — see book section 5.4"
    );
}

// --- Your answer inside the scheduler ---

const CLIENT: ClientId = ClientId(1);

fn id(n: u64) -> TaskId {
    TaskId { client: CLIENT, n }
}

fn kept_leaf(n: u64) -> NewTask {
    NewTask {
        id: id(n),
        name: SumRange::NAME.into(),
        args: postcard::to_stdvec(&(0i64, 1i64)).expect("encodes"),
        needs: None,
        pin: None,
        inputs: None,
        keep: true,
    }
}

#[test]
fn ex5_4_the_scheduler_runs_each_sum_where_its_inputs_are() {
    within("5.4", || {
        let mut state = State::new(8).placing(Answers::tested_for(4).choose_worker());
        for w in 1..=3 {
            state.worker_joined(WorkerId(w), format!("w{w}"), 1);
        }
        // Six leaves, two per worker (least loaded first), and each worker keeps its two.
        state.submit(CLIENT, (0..6).map(kept_leaf).collect());
        state.assign();
        let mut on = std::collections::BTreeMap::new();
        for (worker, messages) in state.take_outbox().to_workers {
            for message in messages {
                if let ToWorker::Run(jobs) = message {
                    for job in jobs {
                        on.insert(job.id.n, worker);
                    }
                }
            }
        }
        for (&n, &worker) in &on {
            state.kept(
                worker,
                vec![Kept {
                    id: id(n),
                    bytes: 64,
                }],
            );
        }
        // A sum of the two leaves of each worker.
        let mut pairs: std::collections::BTreeMap<WorkerId, Vec<u64>> = Default::default();
        for (&n, &worker) in &on {
            pairs.entry(worker).or_default().push(n);
        }
        let sums: Vec<NewTask> = (pairs.values().enumerate())
            .map(|(i, leaves)| NewTask {
                id: id(10 + i as u64),
                name: Add::NAME.into(),
                args: postcard::to_stdvec(&0i64).expect("encodes"),
                needs: None,
                pin: None,
                inputs: Some(leaves.iter().map(|&n| id(n)).collect()),
                keep: true,
            })
            .collect();
        state.submit(CLIENT, sums);
        state.assign();
        let outbox = state.take_outbox().to_workers;
        for (i, (worker, _)) in pairs.iter().enumerate() {
            let ran_there = outbox.get(worker).is_some_and(|messages| {
                messages.iter().any(|m| {
                    matches!(m, ToWorker::Run(jobs) if jobs.iter().any(|j| j.id == id(10 + i as u64)))
                })
            });
            assert!(
                ran_there,
                "sum #{} takes two leaves both kept on worker {}: it should run there, with no \
                 input to fetch; the scheduler sent {outbox:?} — see book section 5.4",
                10 + i,
                worker.0
            );
        }
        assert_eq!(state.moved(), (0, 0), "nothing had to travel");
    });
}

#[test]
fn ex5_4_a_tree_of_sums_on_a_cluster_gives_the_exact_sum() {
    within("5.4", || {
        let cluster = LocalCluster::start(Answers::tested_for(4), 2, Config::default())
            .expect("a local cluster");
        let client = cluster.client().expect("a client");
        let sum = cluster.block_on(async {
            let slices: Vec<(i64, i64)> = (0..64).map(|i| (i * 1000, (i + 1) * 1000)).collect();
            let mut level: Vec<Handle<i64>> = client.keep_map::<SumRange>(&slices).await;
            while level.len() > 1 {
                let mut next = Vec::new();
                for pair in level.chunks(2) {
                    let inputs: Vec<&Handle<i64>> = pair.iter().collect();
                    next.push(client.keep_node::<Add>(&0, &inputs).await);
                }
                level = next;
            }
            client.fetch(&level[0]).await
        });
        if let Some(panic) = cluster.scheduler_failure() {
            panic!("the scheduler stopped: your choose_worker panicked: {panic}");
        }
        assert_eq!(
            sum,
            Ok(63_999 * 64_000 / 2),
            "the sum of 0..64000 — see book section 5.4"
        );
        let (moved, _) = cluster.snapshot().expect("running").moved;
        // At most both inputs of each sum (where a worker is full, the sum goes elsewhere);
        // where a sum goes when the holder has room is the state test's above.
        assert!(
            moved <= 2 * 63,
            "{moved} inputs travelled for 63 sums of two: at most two each — see book \
             section 5.4"
        );
    });
}
