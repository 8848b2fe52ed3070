//! Exercise 5.2: the client's gather. `cargo test -p lesson-05-distributed --test ex5_2`.
//! Most tests build futures by hand (`client::promise`) and complete them in an order of
//! their choosing; the last gathers a batch from a real cluster (with the reference's
//! answers to 5.1 and 5.3).
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `05-distributed/mutants/5.2-*.rs`, checked by `cargo course verify --mutants --exercise 5.2`):
//! - each future awaited in turn: `ex5_2_progress_moves_as_each_future_finishes`;
//! - a return at the first error: `ex5_2_the_first_error_in_order_comes_back_once_all_have_finished`.

mod common;

use std::time::Duration;

use futures::FutureExt as _;

use lesson_05_distributed::answer::gather;
use lesson_05_distributed::answers::Answers;
use lesson_05_distributed::client::{ClientError, Promise, TaskFuture, promise};
use lesson_05_distributed::protocol::{ClientId, TaskError, TaskId};
use lesson_05_distributed::scheduler::Config;
use lesson_05_distributed::tasks::{Fail, Square, Task};
use shared::testing::within;

fn id(n: u64) -> TaskId {
    TaskId {
        client: ClientId(1),
        n,
    }
}

fn pairs(n: usize) -> (Vec<Promise>, Vec<TaskFuture<i64>>) {
    (0..n as u64)
        .map(|n| promise::<i64>(id(n), "square"))
        .unzip()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The output of a spawned gather; its panic (a `todo!`) goes on as it was.
async fn joined<T>(task: tokio::task::JoinHandle<T>) -> T {
    task.await
        .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()))
}

#[test]
fn ex5_2_outputs_come_in_the_order_of_the_futures() {
    within("5.2", || {
        runtime().block_on(async {
            let (promises, futures) = pairs(5);
            let bar = common::bar(5);
            let gathering = tokio::spawn({
                let bar = bar.clone();
                async move { gather(futures, &bar).await }
            });
            // Finish them last to first.
            for (n, promise) in promises.into_iter().enumerate().rev() {
                promise.resolve(&(n as i64 * 10));
            }
            let outputs = joined(gathering).await;
            assert_eq!(
                outputs,
                Ok(vec![0, 10, 20, 30, 40]),
                "exercise 5.2: futures finished last to first; gather returns their outputs \
                 in the order of the futures — see book section 5.2"
            );
            assert_eq!(bar.position(), 5, "exercise 5.2: one step per future");
        })
    });
}

#[test]
fn ex5_2_progress_moves_as_each_future_finishes() {
    within("5.2", || {
        let (mut promises, futures) = pairs(3);
        let bar = common::bar(3);
        // Polled by hand, one step at a time: what each step shows does not depend on
        // which thread runs first.
        let mut gathering = Box::pin(gather(futures, &bar));
        assert!(
            (&mut gathering).now_or_never().is_none(),
            "exercise 5.2: gather returned before any of its three futures finished: it \
             must wait for every one — see book section 5.2"
        );
        assert_eq!(
            bar.position(),
            0,
            "exercise 5.2: no future has finished, yet the bar moved: advance it as each \
             finishes, not before — see book section 5.2"
        );
        // The last one first: a gather that awaits in order would not move yet.
        promises.pop().expect("three").resolve(&2_i64);
        assert!(
            (&mut gathering).now_or_never().is_none(),
            "exercise 5.2: gather returned when one of three futures had finished, while \
             two were still running: it must wait for every one — see book section 5.2"
        );
        assert_eq!(
            bar.position(),
            1,
            "exercise 5.2: the third of three futures has finished, the bar should show 1 — \
             poll them all at once, and advance the bar as each finishes — see book section 5.2"
        );
        for (n, promise) in promises.into_iter().enumerate() {
            promise.resolve(&(n as i64));
        }
        assert_eq!(futures::executor::block_on(gathering), Ok(vec![0, 1, 2]));
    });
}

#[test]
fn ex5_2_the_first_error_in_order_comes_back_once_all_have_finished() {
    within("5.2", || {
        let (promises, futures) = pairs(4);
        let bar = common::bar(4);
        let mut gathering = Box::pin(gather(futures, &bar));
        let mut promises = promises.into_iter();
        let (p0, p1, p2, p3) = (
            promises.next().expect("4"),
            promises.next().expect("4"),
            promises.next().expect("4"),
            promises.next().expect("4"),
        );
        // #2 fails first, and gather sees it before #1 fails.
        p2.fail(TaskError::Failed("the second failure".into()));
        assert!(
            (&mut gathering).now_or_never().is_none(),
            "exercise 5.2: gather returned as soon as future #2 failed, while the other \
             three were still running: wait for all of them, then return the first error in \
             the futures' order — see book section 5.2"
        );
        p1.fail(TaskError::Failed("the first failure".into()));
        p0.resolve(&0_i64);
        assert!(
            (&mut gathering).now_or_never().is_none(),
            "exercise 5.2: gather returned while task #3 was still running: wait for all of \
             them, then return the first error — see book section 5.2"
        );
        assert_eq!(
            bar.position(),
            3,
            "exercise 5.2: three of four futures have finished"
        );
        p3.resolve(&3_i64);
        let outcome = futures::executor::block_on(gathering);
        assert_eq!(
            outcome,
            Err(ClientError::Task {
                id: id(1),
                name: "square".into(),
                error: TaskError::Failed("the first failure".into()),
            }),
            "exercise 5.2: tasks #1 and #2 failed (#2 first in time); the error is #1's, the \
             first in the order of the futures — see book section 5.2"
        );
    });
}

#[test]
fn ex5_2_a_lost_connection_is_an_error() {
    within("5.2", || {
        runtime().block_on(async {
            let (promises, futures) = pairs(2);
            let mut promises = promises.into_iter();
            promises.next().expect("2").resolve(&1_i64);
            drop(promises); // the second result will never come
            let outcome = gather(futures, &common::bar(2)).await;
            assert_eq!(
                outcome,
                Err(ClientError::Disconnected {
                    id: id(1),
                    name: "square".into()
                }),
                "exercise 5.2: a future whose result can never come is an error"
            );
        })
    });
}

#[test]
fn ex5_2_gathers_a_batch_from_a_cluster() {
    let (squares, failed, position) = within("5.2", move || {
        let cluster = common::start(Answers::tested_for(2), 2, Config::default());
        let client = cluster.client().expect("a client");
        let args: Vec<i64> = (0..2000).collect();
        cluster.block_on(async {
            let bar = common::bar(args.len());
            let futures = client.map::<Square>(&args).await;
            let squares = tokio::time::timeout(Duration::from_secs(8), gather(futures, &bar))
                .await
                .expect("exercise 5.2: 2000 tasks did not come back within 8 s");
            // A batch with a failing task in the middle: submitted by name, as any task.
            let mut futures = client.map::<Square>(&args[..10]).await;
            let failing = client
                .submit_named::<i64>(Fail::NAME, &"no data for 2016", None)
                .await;
            futures.insert(5, failing);
            let failed = gather(futures, &common::bar(11)).await;
            (squares, failed, bar.position())
        })
    });
    assert_eq!(squares, Ok((0..2000).map(|x| x * x).collect::<Vec<i64>>()));
    assert_eq!(
        position, 2000,
        "exercise 5.2: the bar ends at the batch's size"
    );
    match failed {
        Err(ClientError::Task { error, .. }) => {
            assert_eq!(error, TaskError::Failed("no data for 2016".into()));
        }
        other => panic!("exercise 5.2: a failed task should be an error, got {other:?}"),
    }
}
