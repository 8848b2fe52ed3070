//! What a task costs in lesson 5's system, without the dataset: encoding a batch of tasks,
//! and a batch of empty tasks through an in-process cluster of 1 and 2 workers (scheduler,
//! TCP on loopback, worker threads, results back). `cargo bench -p lesson-05-distributed`.

use divan::Bencher;
use lesson_05_distributed::answers::Answers;
use lesson_05_distributed::cluster::LocalCluster;
use lesson_05_distributed::protocol::{self, ClientId, FromClient, NewTask, TaskId};
use lesson_05_distributed::scheduler::Config;
use lesson_05_distributed::solution::gather;
use lesson_05_distributed::tasks::Noop;
use shared::progress::ProgressBar;

const TASKS: usize = 10_000;

fn main() {
    divan::main();
}

/// One `Submit` of 10,000 empty tasks, encoded and decoded: the wire's share of a task.
#[divan::bench]
fn encode_and_decode_a_submit(bencher: Bencher) {
    let tasks: Vec<NewTask> = (0..TASKS as u64)
        .map(|n| NewTask {
            id: TaskId {
                client: ClientId(1),
                n,
            },
            name: "noop".into(),
            args: Vec::new(),
            needs: None,
            pin: None,
            inputs: None,
            keep: false,
        })
        .collect();
    let message = FromClient::Submit(tasks);
    bencher
        .counter(divan::counter::ItemsCount::new(TASKS))
        .bench(|| {
            let frame = protocol::encode(&message).expect("encodes");
            protocol::decode::<FromClient>(&frame).expect("decodes")
        });
}

/// 10,000 empty tasks mapped and gathered on an in-process cluster of `workers` workers.
#[divan::bench(args = [1, 2], sample_count = 10)]
fn empty_tasks_in_process(bencher: Bencher, workers: usize) {
    let cluster =
        LocalCluster::start(Answers::SOLUTION, workers, Config::default()).expect("a cluster");
    let client = cluster.client().expect("a client");
    let args = vec![(); TASKS];
    bencher
        .counter(divan::counter::ItemsCount::new(TASKS))
        .bench_local(|| {
            cluster.block_on(async {
                let futures = client.map::<Noop>(&args).await;
                gather(futures, &ProgressBar::hidden())
                    .await
                    .expect("empty tasks succeed")
            })
        });
}
