//! The probe's attacks (issue 26), each played against a real `scheduler-05` (and
//! `worker-05`) on 127.0.0.1, with the outcome it must have. The same attacks are played
//! against an in-process `LocalCluster` in `given.rs`; here they meet the binaries as a
//! deployment runs them.

mod common;

use std::time::Duration;

use common::process::{
    Killed, line_with, resident_bytes, start_scheduler, start_scheduler_with, start_worker_with,
};
use lesson_05_distributed::auth::Secret;
use lesson_05_distributed::client::{Client, ClientError};
use lesson_05_distributed::protocol::{
    self, ClientId, FromClient, Hello, NewTask, TaskError, TaskId, VERSION,
};
use lesson_05_distributed::tasks::YearlyStats;
use shared::testing::within_for;

const LIMIT: Duration = Duration::from_secs(60);

/// Waits (at most 30 s) for the scheduler to say that a worker joined; if it does not,
/// fails with what the worker said.
fn joined(
    scheduler: &std::sync::mpsc::Receiver<String>,
    worker: &std::sync::mpsc::Receiver<String>,
) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match scheduler.recv_timeout(left) {
            Ok(line) if line.contains(" joined") => return,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let said: Vec<String> = worker.try_iter().collect();
    panic!("no worker joined within 30 s; the worker said: {said:#?}");
}

/// A tokio runtime for a test's client side.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("tokio")
}

#[test]
fn a_worker_and_a_client_without_the_secret_are_refused_and_logged() {
    within_for("5 (given)", LIMIT, || {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let secret_file = dir.path().join("scheduler.secret");
        let (_scheduler, addr, stderr) = start_scheduler(&secret_file);
        let wrong = Secret::random().expect("a secret");
        let forger = Hello::Worker {
            version: VERSION,
            name: "forger".into(),
            threads: 1024,
        };
        let (worker, client) = runtime().block_on(async {
            let worker = protocol::connect(addr, &forger, &wrong).await.err();
            (worker, Client::connect(addr, &wrong).await.err())
        });
        for (who, refused) in [
            ("worker", worker.map(|e| e.to_string())),
            ("client", client.map(|e| e.to_string())),
        ] {
            let refused = refused.unwrap_or_else(|| panic!("a {who} without the secret got in"));
            assert!(
                refused.contains("secret"),
                "the {who} is told why: {refused}"
            );
        }
        let logged = line_with(&stderr, "did not prove");
        assert!(
            logged.contains("closed the connection from 127.0.0.1"),
            "{logged}"
        );
    });
}

#[test]
fn eleven_hundred_idle_connections_do_not_stop_a_real_client_and_worker() {
    within_for("5 (given)", LIMIT, || {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let secret_file = dir.path().join("scheduler.secret");
        let (_scheduler, addr, stderr) = start_scheduler(&secret_file);
        let runtime = runtime();
        let idle = runtime.block_on(async {
            let mut idle = Vec::new();
            for _ in 0..1100 {
                idle.push(
                    tokio::net::TcpStream::connect(addr)
                        .await
                        .expect("connects"),
                );
            }
            idle
        });
        let (_worker, worker_err) = start_worker_with(addr, &secret_file, &[]);
        joined(&stderr, &worker_err);
        let secret = Secret::load(&secret_file).expect("the scheduler's secret");
        let squares = runtime.block_on(async {
            let client = Client::connect(addr, &secret)
                .await
                .expect("a real client gets in");
            let futures = client
                .map::<lesson_05_distributed::tasks::Square>(&[3, 4])
                .await;
            futures::future::try_join_all(futures).await
        });
        assert_eq!(squares.expect("squares"), [9, 16]);
        drop(idle);
    });
}

#[test]
fn a_task_reads_no_file_outside_the_dataset_and_quotes_none() {
    within_for("5 (given)", LIMIT, || {
        let (data, dataset) = common::dataset();
        let dir = tempfile::tempdir().expect("a temporary folder");
        let secret_file = dir.path().join("scheduler.secret");
        let (_scheduler, addr, stderr) = start_scheduler(&secret_file);
        let data_dir = data.path().to_str().expect("a UTF-8 path");
        let (_worker, _) = start_worker_with(addr, &secret_file, &["--data", data_dir]);
        line_with(&stderr, " joined");
        let secret = Secret::load(&secret_file).expect("the scheduler's secret");
        let inside = dataset.all_minute_files()[0].clone();
        let outcomes = runtime().block_on(async {
            let client = Client::connect(addr, &secret).await.expect("a client");
            let mut outcomes = Vec::new();
            for path in ["/etc/passwd".into(), "/proc/self/environ".into(), inside] {
                outcomes.push(client.submit::<YearlyStats>(&vec![path]).await.await);
            }
            outcomes
        });
        for outcome in &outcomes[..2] {
            let Err(ClientError::Task {
                error: TaskError::Failed(message),
                ..
            }) = outcome
            else {
                panic!("a file outside the dataset was read: {outcome:?}");
            };
            assert!(message.contains("not a file in worker"), "{message}");
            assert!(!message.contains("root:"), "it quotes the file: {message}");
        }
        assert!(
            outcomes[2].is_ok(),
            "a dataset file is read: {:?}",
            outcomes[2]
        );
    });
}

#[test]
fn a_client_that_never_reads_is_cut_off_and_the_scheduler_stays_small() {
    const LIMIT_MB: u64 = 4;
    within_for("5 (given)", LIMIT, || {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let secret_file = dir.path().join("scheduler.secret");
        let limit = LIMIT_MB.to_string();
        let (scheduler, addr, stderr) =
            start_scheduler_with(&secret_file, &["--max-outbox-mb", &limit]);
        let (_worker, _) = start_worker_with(addr, &secret_file, &[]);
        line_with(&stderr, " joined");
        let before = resident_bytes(scheduler.0.id()).expect("the scheduler's memory");
        let secret = Secret::load(&secret_file).expect("the scheduler's secret");
        let runtime = runtime();
        // Held open, unread, until the end of the test.
        let _connection = runtime.block_on(async {
            let hello = Hello::Client { version: VERSION };
            let (reader, mut writer, accepted) = protocol::connect(addr, &hello, &secret)
                .await
                .expect("a client");
            // 300 tasks whose errors are 100 kB each, in frames of 10: 30 MB of results it
            // never reads, more than its sockets' buffers and its outbox hold.
            let args = protocol::encode(&"x".repeat(100_000))
                .expect("encodes")
                .to_vec();
            for frame in 0..30 {
                let tasks = (0..10)
                    .map(|n| NewTask {
                        id: TaskId {
                            client: ClientId(accepted.id),
                            n: frame * 10 + n,
                        },
                        name: "fail".into(),
                        args: args.clone(),
                        needs: None,
                        pin: None,
                        inputs: None,
                        keep: false,
                    })
                    .collect();
                if writer.send(&FromClient::Submit(tasks)).await.is_err() {
                    break; // cut off already
                }
            }
            (reader, writer)
        });
        let cut = line_with(&stderr, "cannot keep up");
        assert!(cut.contains("client"), "{cut}");
        let after = resident_bytes(scheduler.0.id()).expect("the scheduler's memory");
        let grown = after.saturating_sub(before);
        eprintln!("scheduler resident memory: {before} bytes before, {after} after");
        // What it may hold: the tasks' arguments until they finish (30 MB: a client's input,
        // bounded by --max-tasks and the frame size), one outbox, and the worker's frame of
        // results in flight (up to all 30 MB of them in one frame, read and then decoded),
        // with 16 MB of slack. Without the byte limit it would also keep every result the
        // client does not read, for as long as the client stays connected.
        let bound = (30 << 20) + (LIMIT_MB << 20) + 2 * (30 << 20) + (16 << 20);
        assert!(
            grown < bound,
            "the scheduler grew by {grown} bytes for a client that never reads (bound {bound})"
        );
        drop(scheduler as Killed);
    });
}
