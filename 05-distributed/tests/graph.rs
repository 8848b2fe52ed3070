//! The task graph (book section 5.4): tasks that take other tasks' results, with the
//! reference's answers. A real cluster on loopback for what a client sees; the scheduler's
//! state driven by hand for lineage, where which worker dies when must be exact.

mod common;

use std::collections::BTreeSet;

use lesson_05_distributed::answers::Answers;
use lesson_05_distributed::client::{Client, ClientError, Handle};
use lesson_05_distributed::cluster::LocalCluster;
use lesson_05_distributed::protocol::{ClientId, Kept, NewTask, TaskId, WorkerId};
use lesson_05_distributed::scheduler::{Config, State};
use lesson_05_distributed::solution;
use lesson_05_distributed::tasks::{Add, Inc, Node, SumRange, Task};
use shared::testing::within;

fn cluster(workers: usize) -> LocalCluster {
    LocalCluster::start(Answers::SOLUTION, workers, Config::default()).expect("a local cluster")
}

/// Adds `level` up as a binary tree of kept `add` tasks, dropping each level's handles as
/// the next is submitted, and returns the root's value.
async fn tree_sum(client: &Client, mut level: Vec<Handle<i64>>) -> Result<i64, ClientError> {
    while level.len() > 2 {
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        for pair in level.chunks(2) {
            let inputs: Vec<&Handle<i64>> = pair.iter().collect();
            next.push(client.keep_node::<Add>(&0, &inputs).await);
        }
        level = next;
    }
    let inputs: Vec<&Handle<i64>> = level.iter().collect();
    client.submit_node::<Add>(&0, &inputs).await.await
}

/// `leaves` kept `sum_range` tasks over 0..n, in equal slices.
async fn leaves(client: &Client, n: i64, leaves: i64) -> Vec<Handle<i64>> {
    let slices: Vec<(i64, i64)> = (0..leaves)
        .map(|i| (i * n / leaves, (i + 1) * n / leaves))
        .collect();
    client.keep_map::<SumRange>(&slices).await
}

#[test]
fn add_of_inc_of_one_and_ten_is_twelve() {
    within("5.4", || {
        let cluster = cluster(2);
        let client = cluster.client().expect("a client");
        let y = cluster.block_on(async {
            let x = client.keep_node::<Inc>(&1, &[]).await;
            client.submit_node::<Add>(&10, &[&x]).await.await
        });
        assert_eq!(y, Ok(12), "y = add(inc(1), 10)");
    });
}

#[test]
fn a_tree_of_1024_leaves_sums_a_million_numbers_exactly_and_moves_little() {
    within("5.4", || {
        let cluster = cluster(2);
        let client = cluster.client().expect("a client");
        let n = 1_000_000i64;
        let sum = cluster.block_on(async {
            let leaves = leaves(&client, n, 1024).await;
            tree_sum(&client, leaves).await
        });
        assert_eq!(sum, Ok(n * (n - 1) / 2), "the sum of 0..{n}");
        cluster
            .block_on(client.workers())
            .expect("a round trip: the forgets are in");
        let snapshot = cluster.snapshot().expect("running");
        let (moved, _) = snapshot.moved;
        // An `add` runs where one of its inputs is when that worker has room; when it has
        // none, elsewhere, and both travel: at most two per task (where a task goes when
        // the worker has room is checked by the state tests, which control the room).
        assert!(
            (1..=2 * 1023).contains(&moved),
            "{moved} results moved between workers for 1023 adds of two inputs each: at \
             most two each"
        );
        assert_eq!(
            (snapshot.kept, snapshot.recipes),
            (0, 0),
            "with the answer delivered and every handle dropped, nothing is kept"
        );
        assert!(snapshot.workers.iter().all(|w| w.kept == 0), "{snapshot:?}");
    });
}

#[test]
fn killing_the_worker_that_holds_intermediate_results_still_gives_the_exact_sum() {
    within("5.4", || {
        let cluster = cluster(2);
        let client = cluster.client().expect("a client");
        let n = 100_000i64;
        // Phase 1: 64 leaves and 32 kept sums of two; fetching each sum waits until it is
        // on a worker. The leaves' handles go: only lineage can bring them back.
        let level: Vec<Handle<i64>> = cluster.block_on(async {
            let leaves = leaves(&client, n, 64).await;
            let mut level = Vec::new();
            for pair in leaves.chunks(2) {
                level.push(client.keep_node::<Add>(&0, &[&pair[0], &pair[1]]).await);
            }
            for handle in &level {
                client.fetch(handle).await.expect("a sum of two leaves");
            }
            level
        });
        let snapshot = cluster.snapshot().expect("running");
        let holder = (snapshot.workers.iter())
            .max_by_key(|w| w.kept)
            .expect("two workers");
        assert!(
            holder.kept > 0,
            "the sums are kept on the workers: {snapshot:?}"
        );
        let index: usize = (holder.name.strip_prefix("local-"))
            .and_then(|i| i.parse().ok())
            .expect("local workers are named local-N");
        cluster.kill_worker(index);
        // Phase 2: the rest of the tree, over sums of which some died with their worker.
        let sum = cluster.block_on(tree_sum(&client, level));
        assert_eq!(sum, Ok(n * (n - 1) / 2), "the exact sum, a worker down");
        let counters = cluster.snapshot().expect("running").counters;
        assert_eq!(counters.workers_lost, 1);
        assert!(
            counters.recomputed >= 2,
            "a lost sum and its leaves are computed again: {counters:?}"
        );
        assert_eq!(
            counters.finished,
            counters.submitted + counters.recomputed,
            "every task finished once, and once more for each recomputation: {counters:?}"
        );
    });
}

#[test]
fn a_failed_input_fails_every_task_below_it_with_the_chain_of_why() {
    within("5.4", || {
        let cluster = cluster(2);
        let client = cluster.client().expect("a client");
        let (chained, late) = cluster.block_on(async {
            let x = client.keep_node::<Inc>(&i64::MAX, &[]).await;
            let y = client.keep_node::<Add>(&0, &[&x]).await;
            let z = client.submit_node::<Add>(&1, &[&y]).await.await;
            // Submitted after the failure: the same news, at once.
            let late = client.submit_node::<Add>(&1, &[&x]).await.await;
            (z, late)
        });
        let message = chained.expect_err("its input failed").to_string();
        assert_eq!(
            message,
            "task add #2 failed: its input task add #1 failed: its input task inc #0 failed: \
             inc overflows an i64"
        );
        let late = late.expect_err("its input failed").to_string();
        assert!(late.contains("its input task inc #0 failed"), "{late}");
    });
}

#[test]
fn a_kept_result_can_be_fetched_and_another_clients_task_is_no_input() {
    within("5.4", || {
        let cluster = cluster(1);
        let (alice, bob) = (cluster.client().expect("a"), cluster.client().expect("b"));
        cluster.block_on(async {
            let x = alice.keep_node::<Inc>(&1, &[]).await;
            assert_eq!(alice.fetch(&x).await, Ok(2), "inc(1), fetched");
            assert_eq!(
                alice.fetch(&x).await,
                Ok(2),
                "and again: it stays while x lives"
            );
            // Bob names Alice's task as his input: he may not read it.
            let stolen = bob.keep_node::<Add>(&0, &[&x]).await;
            let error = bob.fetch(&stolen).await.expect_err("not his").to_string();
            assert!(error.contains("no task of this client"), "{error}");
        });
    });
}

// --- The state by hand ---

const CLIENT: ClientId = ClientId(1);

fn id(n: u64) -> TaskId {
    TaskId { client: CLIENT, n }
}

fn node<N: Node>(n: u64, args: &N::Args, inputs: &[u64], keep: bool) -> NewTask {
    NewTask {
        id: id(n),
        name: N::NAME.into(),
        args: postcard::to_stdvec(args).expect("encodes"),
        needs: None,
        pin: None,
        inputs: Some(inputs.iter().map(|&i| id(i)).collect()),
        keep,
    }
}

/// Where each task of the last round went: `(task, worker)`.
fn sent(state: &mut State) -> Vec<(u64, u32)> {
    use lesson_05_distributed::protocol::ToWorker;
    let mut runs = Vec::new();
    for (worker, messages) in state.take_outbox().to_workers {
        for message in messages {
            if let ToWorker::Run(jobs) = message {
                runs.extend(jobs.iter().map(|job| (job.id.n, worker.0)));
            }
        }
    }
    runs.sort();
    runs
}

fn kept(state: &mut State, worker: u32, n: u64) {
    let kept = Kept {
        id: id(n),
        bytes: 8,
    };
    state.kept(WorkerId(worker), vec![kept]);
}

#[test]
fn a_lost_result_and_its_lost_input_are_computed_again_and_the_answer_comes_once() {
    let mut state = State::new(4).placing(solution::choose_worker);
    state.worker_joined(WorkerId(1), "one".into(), 1);
    // a = sum_range(0..10), kept; b = add(a), kept: both on worker 1 (the only one).
    let a = NewTask {
        id: id(0),
        name: SumRange::NAME.into(),
        args: postcard::to_stdvec(&(0i64, 10i64)).expect("encodes"),
        needs: None,
        pin: None,
        inputs: None,
        keep: true,
    };
    state.submit(CLIENT, vec![a, node::<Add>(1, &0, &[0], true)]);
    state.assign();
    assert_eq!(sent(&mut state), [(0, 1)], "b waits for a");
    kept(&mut state, 1, 0);
    state.assign();
    assert_eq!(sent(&mut state), [(1, 1)], "b runs where a is");
    kept(&mut state, 1, 1);
    // The client drops a's handle: a is freed (b is done), but its recipe stays for b.
    state.forget(CLIENT, vec![id(0)]);
    assert!(state.held(id(0)).is_none(), "nobody needs a's bytes");
    // c = add(b), delivered; worker 2 joins, worker 1 is lost before c runs.
    state.worker_joined(WorkerId(2), "two".into(), 1);
    state.submit(CLIENT, vec![node::<Add>(2, &0, &[1], false)]);
    solution::worker_lost(&mut state, WorkerId(1));
    state.graph_lost(WorkerId(1));
    state.assign();
    assert_eq!(
        sent(&mut state),
        [(0, 2)],
        "a first: b's lost input, computed again"
    );
    kept(&mut state, 2, 0);
    state.assign();
    assert_eq!(sent(&mut state), [(1, 2)], "then b");
    kept(&mut state, 2, 1);
    state.assign();
    assert_eq!(sent(&mut state), [(2, 2)], "then c");
    let output = postcard::to_stdvec(&45i64).expect("encodes");
    let done = lesson_05_distributed::protocol::Finished {
        id: id(2),
        result: Ok(output),
    };
    state.finished(WorkerId(2), vec![done]);
    let delivered = state
        .take_outbox()
        .to_clients
        .remove(&CLIENT)
        .unwrap_or_default();
    let ids: Vec<u64> = delivered.iter().map(|f| f.id.n).collect();
    assert_eq!(ids, [2], "only c's result goes to the client, once");
    assert_eq!(state.counters.recomputed, 2, "a and b, once each");
    // Dropping b's handle frees everything: c is delivered and nothing else needs them.
    state.forget(CLIENT, vec![id(1)]);
    assert_eq!(
        state.graph_sizes(),
        (0, 0, 0),
        "no result, recipe or transfer is left"
    );
}

#[test]
fn an_input_on_another_worker_travels_through_the_scheduler_before_the_run() {
    use lesson_05_distributed::protocol::ToWorker;
    let mut state = State::new(4).placing(solution::choose_worker);
    state.worker_joined(WorkerId(1), "one".into(), 1);
    state.worker_joined(WorkerId(2), "two".into(), 1);
    // x on worker 1, y on worker 2 (each the least loaded when it came).
    state.submit(CLIENT, vec![node::<Inc>(0, &1, &[], true)]);
    state.assign();
    state.submit(CLIENT, vec![node::<Inc>(1, &2, &[], true)]);
    state.assign();
    assert_eq!(sent(&mut state), [(0, 1), (1, 2)]);
    state.kept(
        WorkerId(1),
        vec![Kept {
            id: id(0),
            bytes: 1,
        }],
    );
    state.kept(
        WorkerId(2),
        vec![Kept {
            id: id(1),
            bytes: 100,
        }],
    );
    // z = add(x, y) goes where the most input bytes are: worker 2; x must come from 1.
    state.submit(CLIENT, vec![node::<Add>(2, &0, &[0, 1], false)]);
    state.assign();
    let outbox = state.take_outbox().to_workers;
    assert_eq!(
        outbox.get(&WorkerId(1)),
        Some(&vec![ToWorker::Send(vec![id(0)])]),
        "worker 1 is asked for x"
    );
    assert_eq!(outbox.get(&WorkerId(2)), None, "z's run waits for x");
    state.data(WorkerId(1), id(0), Ok(vec![2]));
    let outbox = state.take_outbox().to_workers;
    let to_two = outbox.get(&WorkerId(2)).cloned().unwrap_or_default();
    assert!(
        matches!(&to_two[..], [ToWorker::Keep { id: kept, .. }, ToWorker::Run(jobs)]
            if *kept == id(0) && jobs[0].id == id(2)),
        "x is stored on worker 2, then z runs there: {to_two:?}"
    );
    let holders: BTreeSet<WorkerId> = state.held(id(0)).expect("kept").holders.clone();
    assert_eq!(holders, BTreeSet::from([WorkerId(1), WorkerId(2)]));
}

#[test]
fn a_holder_that_lost_its_copy_makes_the_result_computed_again_and_the_waiting_task_runs() {
    use lesson_05_distributed::protocol::ToWorker;
    let mut state = State::new(4).placing(solution::choose_worker);
    state.worker_joined(WorkerId(1), "one".into(), 1);
    state.worker_joined(WorkerId(2), "two".into(), 1);
    // x on worker 1; y = add(x) placed on worker 2 (worker 1 made full by hand: no room).
    state.submit(CLIENT, vec![node::<Inc>(0, &1, &[], true)]);
    state.assign();
    assert_eq!(sent(&mut state), [(0, 1)]);
    kept(&mut state, 1, 0);
    state
        .workers
        .get_mut(&WorkerId(1))
        .expect("one")
        .running
        .extend((100..104).map(id));
    state.submit(CLIENT, vec![node::<Add>(1, &0, &[0], false)]);
    state.assign();
    let outbox = state.take_outbox().to_workers;
    assert_eq!(
        outbox.get(&WorkerId(1)),
        Some(&vec![ToWorker::Send(vec![id(0)])])
    );
    // Worker 1 answers that it no longer has x: x is computed again, y waits for it.
    state
        .workers
        .get_mut(&WorkerId(1))
        .expect("one")
        .running
        .clear();
    state.data(WorkerId(1), id(0), Err("gone".into()));
    assert!(state.held(id(0)).is_none());
    assert_eq!(state.counters.recomputed, 1);
    assert!(
        state.workers[&WorkerId(2)].running.is_empty(),
        "y no longer holds a slot on worker 2 while x is recomputed"
    );
    state.assign();
    let runs = sent(&mut state);
    assert_eq!(runs.len(), 1, "x runs again, y still waits: {runs:?}");
    assert_eq!(runs[0].0, 0);
    let worker = runs[0].1;
    kept(&mut state, worker, 0);
    state.assign();
    assert_eq!(sent(&mut state), [(1, worker)], "y runs where x now is");
}

#[test]
fn a_result_kept_for_a_task_that_is_no_longer_its_workers_is_forgotten_there() {
    use lesson_05_distributed::protocol::{ToWorker, result_key};
    let mut state = State::new(4);
    state.worker_joined(WorkerId(1), "one".into(), 1);
    state.submit(CLIENT, vec![node::<Inc>(0, &1, &[], true)]);
    state.assign();
    let _ = state.take_outbox();
    state.client_gone(CLIENT);
    kept(&mut state, 1, 0);
    let outbox = state.take_outbox().to_workers;
    assert_eq!(
        outbox.get(&WorkerId(1)),
        Some(&vec![ToWorker::Forget(result_key(id(0)))]),
        "its client left: the worker is told to forget the result"
    );
}

#[test]
fn the_id_of_a_finished_kept_task_cannot_be_used_again() {
    let mut state = State::new(4);
    state.worker_joined(WorkerId(1), "one".into(), 1);
    state.submit(CLIENT, vec![node::<Inc>(0, &1, &[], true)]);
    state.assign();
    let _ = state.take_outbox();
    kept(&mut state, 1, 0);
    let ignored = state.counters.ignored;
    state.submit(CLIENT, vec![node::<Inc>(0, &5, &[], true)]);
    assert_eq!(
        state.counters.ignored,
        ignored + 1,
        "task #0 exists: the new one is ignored"
    );
    assert!(state.held(id(0)).is_some(), "the first result stays");
}

#[test]
fn a_worker_that_could_not_keep_a_copy_is_no_holder_of_it() {
    use lesson_05_distributed::protocol::ToWorker;
    let mut state = State::new(4).placing(solution::choose_worker);
    state.worker_joined(WorkerId(1), "one".into(), 1);
    state.worker_joined(WorkerId(2), "two".into(), 1);
    state.submit(CLIENT, vec![node::<Inc>(0, &1, &[], true)]);
    state.assign();
    let _ = state.take_outbox();
    kept(&mut state, 1, 0);
    state
        .workers
        .get_mut(&WorkerId(1))
        .expect("one")
        .running
        .extend((100..104).map(id));
    state.submit(CLIENT, vec![node::<Add>(1, &0, &[0], true)]);
    state.assign();
    let _ = state.take_outbox();
    state.data(WorkerId(1), id(0), Ok(vec![2]));
    let to_two = state
        .take_outbox()
        .to_workers
        .remove(&WorkerId(2))
        .unwrap_or_default();
    assert!(
        matches!(to_two.first(), Some(ToWorker::Keep { .. })),
        "{to_two:?}"
    );
    assert!(
        state
            .held(id(0))
            .expect("kept")
            .holders
            .contains(&WorkerId(2))
    );
    state.not_kept(WorkerId(2), vec![id(0)]);
    let holders = state
        .held(id(0))
        .expect("still on worker 1")
        .holders
        .clone();
    assert_eq!(holders, BTreeSet::from([WorkerId(1)]));
}

#[test]
fn a_failure_at_the_top_of_a_chain_of_ten_thousand_tasks_reaches_the_bottom() {
    // Handled with a worklist: by recursion, ten thousand frames would overflow a stack.
    let mut state = State::new(4);
    state.worker_joined(WorkerId(1), "one".into(), 1);
    let mut tasks = vec![node::<Inc>(0, &i64::MAX, &[], true)];
    tasks.extend((1..10_000).map(|n| node::<Add>(n, &0, &[n - 1], n < 9_999)));
    state.submit(CLIENT, tasks);
    state.assign();
    let _ = state.take_outbox();
    let failed = lesson_05_distributed::protocol::Finished {
        id: id(0),
        result: Err(lesson_05_distributed::protocol::TaskError::Failed(
            "overflow".into(),
        )),
    };
    state.finished(WorkerId(1), vec![failed]);
    let delivered = state
        .take_outbox()
        .to_clients
        .remove(&CLIENT)
        .unwrap_or_default();
    assert_eq!(delivered.len(), 1, "the last task's failure, once");
    assert_eq!(delivered[0].id, id(9_999));
    assert!(state.tasks.is_empty(), "every task of the chain failed");
}

#[test]
fn a_task_that_names_a_task_submitted_later_fails_and_makes_no_cycle() {
    let mut state = State::new(4);
    state.worker_joined(WorkerId(1), "one".into(), 1);
    // #0 names #1, which does not exist yet; #1 then names #0 (failed): both fail.
    state.submit(CLIENT, vec![node::<Add>(0, &0, &[1], true)]);
    state.submit(CLIENT, vec![node::<Add>(1, &0, &[0], true)]);
    state.fetch(CLIENT, vec![id(0), id(1)]);
    let answers = state
        .take_outbox()
        .to_clients
        .remove(&CLIENT)
        .unwrap_or_default();
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(answers.iter().all(|f| f.result.is_err()), "{answers:?}");
    state.forget(CLIENT, vec![id(0), id(1)]);
    assert_eq!(state.graph_sizes(), (0, 0, 0));
}
