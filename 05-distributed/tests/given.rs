//! The given parts of lesson 5 (protocol, scheduler, worker, client, registry) in a real
//! cluster on loopback, with the reference's answers: what the scheduler does with peers
//! that misbehave, tasks that fail, and data scattered to workers. These pass on the
//! untouched stubs.

mod common;

use std::time::Duration;

use lesson_05_distributed::answers::Answers;
use lesson_05_distributed::auth::{Nonce, Secret};
use lesson_05_distributed::client::{Client, ClientError};
use lesson_05_distributed::cluster::LocalCluster;
use lesson_05_distributed::protocol::{
    self, Answer, Challenge, ClientId, FromWorker, Hello, NewTask, TaskError, TaskId, VERSION,
    Welcome, WorkerId,
};
use lesson_05_distributed::scheduler::Config;
use lesson_05_distributed::solution::gather;
use lesson_05_distributed::tasks::{
    Panic, ScoreArgs, ScoreWindows, Sleep, Square, SumData, WhoAmI, Yearly, YearlyStats,
    merge_yearly, score_windows, yearly_stats,
};
use shared::testing::within_for;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LIMIT: Duration = Duration::from_secs(20);

fn cluster(workers: usize) -> LocalCluster {
    LocalCluster::start(Answers::SOLUTION, workers, Config::default()).expect("a local cluster")
}

/// A cluster of `workers` workers whose tasks may read the files under `folder`.
fn cluster_reading(workers: usize, folder: &std::path::Path) -> LocalCluster {
    let cluster = cluster(0);
    cluster.reading(folder);
    for _ in 0..workers {
        cluster.add_worker(Answers::SOLUTION, 1);
    }
    cluster.wait_for_workers(workers).expect("the workers join");
    cluster
}

/// The client of the tests that drive a `State` by hand.
const CLIENT: ClientId = ClientId(1);

/// Task `n` of [`CLIENT`], named `name` (no arguments), pinned to `pin` if given.
fn task(n: u64, name: &str, pin: Option<WorkerId>) -> NewTask {
    NewTask {
        id: TaskId { client: CLIENT, n },
        name: name.into(),
        args: Vec::new(),
        needs: None,
        pin,
        inputs: None,
        keep: false,
    }
}

/// Squares of 0..n through `client`: proof that the scheduler still serves.
async fn squares(client: &Client, n: i64) -> Vec<i64> {
    let args: Vec<i64> = (0..n).collect();
    let futures = client.map::<Square>(&args).await;
    gather(futures, &common::bar(args.len()))
        .await
        .expect("squares succeed")
}

/// Reads from `stream` until the scheduler closes it; fails if it stays open for 5 s.
async fn closed_by_scheduler(stream: &mut TcpStream, what: &str) {
    let mut buffer = [0; 256];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer)).await {
            Err(_) => panic!("the scheduler kept a connection open after {what}"),
            Ok(Ok(0) | Err(_)) => return, // closed (or reset)
            Ok(Ok(_)) => {}               // e.g. a Refused welcome; read on
        }
    }
}

#[test]
fn bad_bytes_close_that_connection_and_no_other() {
    within_for("5 (given)", LIMIT, || {
        let cluster = cluster(1);
        let client = cluster.client().expect("a client");
        cluster.block_on(async {
            assert_eq!(squares(&client, 10).await[9], 81);
            let bad: [(&str, Vec<u8>); 3] = [
                ("garbage bytes", b"\x00\x00\x00\x05hello".to_vec()),
                ("an oversized frame", vec![0xff, 0xff, 0xff, 0xf0, 1, 2, 3]),
                (
                    "a hello of another protocol version",
                    framed(&Hello::Client { version: 99 }),
                ),
            ];
            for (what, bytes) in bad {
                let mut stream = TcpStream::connect(cluster.addr()).await.expect("connects");
                stream.write_all(&bytes).await.expect("writes");
                closed_by_scheduler(&mut stream, what).await;
                assert_eq!(
                    squares(&client, 100).await[99],
                    99 * 99,
                    "the scheduler serves its other clients after {what}"
                );
            }
        });
    });
}

/// One message as a frame: length prefix, then postcard bytes.
fn framed<M: serde::Serialize>(message: &M) -> Vec<u8> {
    let body = lesson_05_distributed::protocol::encode(message).expect("encodes");
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    frame
}

#[test]
fn a_peer_of_another_version_is_told_why() {
    within_for("5 (given)", LIMIT, || {
        let cluster = cluster(0);
        let hello = Hello::Worker {
            version: VERSION + 1,
            name: "future".into(),
            threads: 1,
        };
        let refused = cluster.block_on(async {
            let stream = TcpStream::connect(cluster.addr()).await.expect("connects");
            let (mut reader, mut writer) =
                lesson_05_distributed::protocol::split(stream).expect("splits");
            reader.expect::<Challenge>().await.expect("a challenge");
            writer.send(&hello).await.expect("sends");
            reader.expect::<Welcome>().await.expect("an answer")
        });
        match refused {
            Welcome::Refused { reason } => assert!(reason.contains("version"), "{reason}"),
            other => panic!("a peer of another version was accepted: {other:?}"),
        }
    });
}

#[test]
fn an_unknown_task_and_a_panicking_task_come_back_as_errors() {
    within_for("5 (given)", LIMIT, || {
        let cluster = cluster(1);
        let client = cluster.client().expect("a client");
        cluster.block_on(async {
            let unknown = client
                .submit_named::<()>("format_disk", &(), None)
                .await
                .await;
            match unknown {
                Err(ClientError::Task { error, .. }) => {
                    assert_eq!(error, TaskError::UnknownTask("format_disk".into()));
                }
                other => panic!("an unknown task name should be an error: {other:?}"),
            }
            let panicked = client.submit::<Panic>(&"boom".to_string()).await.await;
            match panicked {
                Err(ClientError::Task {
                    error: TaskError::Panicked { worker, message },
                    ..
                }) => assert_eq!((worker.as_str(), message.as_str()), ("local-0", "boom")),
                other => panic!("a panicking task should be an error: {other:?}"),
            }
            // The only worker is still there and still serving.
            assert_eq!(client.submit::<Square>(&12).await.await, Ok(144));
        });
        let counters = cluster.snapshot().expect("running").counters;
        assert_eq!(counters.workers_lost, 0, "no worker died of a task's panic");
    });
}

#[test]
fn scattered_data_draws_its_tasks_to_its_worker() {
    within_for("5 (given)", LIMIT, || {
        let cluster = cluster(2);
        let client = cluster.client().expect("a client");
        let (sums, reports) = cluster.block_on(async {
            let key = client
                .scatter("ones", &vec![1.0_f64; 1000])
                .await
                .expect("scatters");
            let futures = client
                .map_near::<SumData>(&vec![key; 20], &"ones".into())
                .await;
            let sums = gather(futures, &common::bar(20)).await.expect("sums");
            let reports = client.run_on_all::<WhoAmI>(&()).await.expect("reports");
            (sums, reports)
        });
        assert_eq!(sums, vec![1000.0; 20]);
        let holders: Vec<&str> = reports
            .iter()
            .filter_map(|(_, report)| report.as_ref().ok())
            .filter(|report| report.keys.contains(&"ones".to_string()))
            .map(|report| report.worker.as_str())
            .collect();
        assert_eq!(
            holders.len(),
            1,
            "20 tasks fit in the holder's window: the data should not have moved: {reports:?}"
        );
    });
}

#[test]
fn run_on_all_runs_once_on_every_worker() {
    within_for("5 (given)", LIMIT, || {
        let cluster = cluster(3);
        let client = cluster.client().expect("a client");
        let reports = cluster
            .block_on(client.run_on_all::<WhoAmI>(&()))
            .expect("runs");
        let mut names: Vec<String> = reports
            .into_iter()
            .map(|(info, report)| {
                let report = report.expect("whoami succeeds");
                assert_eq!(
                    info.name, report.worker,
                    "it ran on the worker it was sent to"
                );
                report.worker
            })
            .collect();
        names.sort();
        assert_eq!(names, ["local-0", "local-1", "local-2"]);
    });
}

#[test]
fn the_workloads_equal_the_local_computation() {
    let (dir, dataset) = common::dataset();
    let files = dataset.all_minute_files();
    within_for("5 (given)", LIMIT, move || {
        let cluster = cluster_reading(2, dir.path());
        let client = cluster.client().expect("a client");
        let groups: Vec<Vec<_>> = files.chunks(4).map(<[_]>::to_vec).collect();
        let (parts, scores) = cluster.block_on(async {
            let futures = client.map::<YearlyStats>(&groups).await;
            let parts = gather(futures, &common::bar(groups.len())).await;
            let years = vec![
                (0..500)
                    .map(|i| 100.0 + (i as f64 * 0.1).sin())
                    .collect::<Vec<f64>>(),
                (0..400).map(|i| 90.0 + (i as f64 * 0.07).cos()).collect(),
            ];
            let key = client.scatter("closes", &years).await.expect("scatters");
            let windows = [(2, 10), (3, 30), (5, 50), (10, 20)];
            let args: Vec<ScoreArgs> = windows
                .iter()
                .map(|&w| ScoreArgs {
                    closes: key.clone(),
                    windows: vec![w],
                })
                .collect();
            let futures = client.map_near::<ScoreWindows>(&args, &key).await;
            let scores: Vec<Vec<f64>> = gather(futures, &common::bar(args.len()))
                .await
                .expect("scores")
                .into_iter()
                .flatten()
                .collect();
            (parts, (scores, score_windows(&years, &windows)))
        });
        let mut distributed = Yearly::new();
        for part in parts.expect("every group reads") {
            merge_yearly(&mut distributed, part);
        }
        let local = yearly_stats(&files).expect("the files read");
        assert_eq!(distributed.len(), local.len());
        for (key, here) in &local {
            let there = &distributed[key];
            assert_eq!(
                (there.count, there.min, there.max),
                (here.count, here.min, here.max)
            );
            assert!(
                (there.sum - here.sum).abs() <= 1e-9 * here.sum.abs(),
                "{key:?}"
            );
        }
        assert_eq!(scores.0, scores.1, "scores on workers = scores here");
    });
}

#[test]
fn a_bad_file_fails_its_task_with_its_path_and_line() {
    let (dir, dataset) = common::dataset();
    let files = dataset.all_minute_files();
    let bad = files[3].clone();
    let mut text = std::fs::read_to_string(&bad).expect("readable");
    text.push_str("2016-01-04T16:00:00,1,2,3,not-a-price,5\n");
    std::fs::write(&bad, text).expect("writable");
    within_for("5 (given)", LIMIT, move || {
        let cluster = cluster_reading(1, dir.path());
        let client = cluster.client().expect("a client");
        let groups: Vec<Vec<_>> = files.chunks(2).map(<[_]>::to_vec).collect();
        let outcome = cluster.block_on(async {
            let futures = client.map::<YearlyStats>(&groups).await;
            gather(futures, &common::bar(groups.len())).await
        });
        match outcome {
            Err(ClientError::Task {
                error: TaskError::Failed(message),
                ..
            }) => assert!(
                message.contains(&bad.display().to_string()) && message.contains("line"),
                "the error should name the file and the line: {message}"
            ),
            other => panic!("a corrupted file should fail its task: {other:?}"),
        }
    });
}

#[test]
fn a_client_that_leaves_mid_batch_does_not_stop_the_scheduler() {
    within_for("5 (given)", LIMIT, || {
        let cluster = cluster(2);
        let leaving = cluster.client().expect("a client");
        let staying = cluster.client().expect("another client");
        cluster.block_on(async {
            let futures = leaving.map::<Sleep>(&vec![200_u64; 500]).await;
            drop(futures);
            drop(leaving);
            assert_eq!(squares(&staying, 300).await[299], 299 * 299);
        });
    });
}

#[test]
fn tasks_beyond_the_schedulers_limit_fail_at_once() {
    use lesson_05_distributed::scheduler::State;
    let mut state = State::new(4).with_max_tasks(3);
    state.submit(CLIENT, (0..5).map(|n| task(n, "noop", None)).collect());
    assert_eq!(state.tasks.len(), 3, "three are kept");
    let refused: Vec<_> = state
        .take_outbox()
        .to_clients
        .into_values()
        .flatten()
        .collect();
    assert_eq!(refused.len(), 2, "two fail at once");
    assert!(
        refused
            .iter()
            .all(|f| f.result == Err(TaskError::Overloaded(3)))
    );
}

#[test]
fn a_task_pinned_to_a_worker_that_has_gone_fails_at_once() {
    use lesson_05_distributed::scheduler::State;
    let mut state = State::new(4);
    state.submit(CLIENT, vec![task(0, "whoami", Some(WorkerId(7)))]);
    let failed: Vec<_> = state
        .take_outbox()
        .to_clients
        .into_values()
        .flatten()
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].result, Err(TaskError::WorkerLost("#7".into())));
    assert!(state.tasks.is_empty() && state.ready.is_empty());
}

#[test]
fn a_worker_announcing_absurd_threads_is_refused() {
    within_for("5 (given)", LIMIT, || {
        let cluster = cluster(0);
        let hello = Hello::Worker {
            version: VERSION,
            name: "greedy".into(),
            threads: u32::MAX,
        };
        let answer = cluster.block_on(async {
            let stream = TcpStream::connect(cluster.addr()).await.expect("connects");
            let (mut reader, mut writer) =
                lesson_05_distributed::protocol::split(stream).expect("splits");
            reader.expect::<Challenge>().await.expect("a challenge");
            writer.send(&hello).await.expect("sends");
            reader.expect::<Welcome>().await.expect("an answer")
        });
        assert!(
            matches!(&answer, Welcome::Refused { reason } if reason.contains("threads")),
            "{answer:?}"
        );
        assert!(cluster.snapshot().is_some(), "the scheduler still runs");
    });
}

#[test]
fn a_result_for_a_task_whose_client_left_frees_the_workers_slot() {
    use lesson_05_distributed::protocol::Finished;
    use lesson_05_distributed::scheduler::State;
    let mut state = State::new(1);
    state.worker_joined(WorkerId(1), "w".into(), 1);
    let id = task(0, "noop", None).id;
    state.submit(CLIENT, vec![task(0, "noop", None)]);
    state.assign();
    state.client_gone(CLIENT);
    state.finished(
        WorkerId(1),
        vec![Finished {
            id,
            result: Ok(Vec::new()),
        }],
    );
    assert!(
        state.workers[&WorkerId(1)].running.is_empty(),
        "the worker's window has room again"
    );
}

#[test]
fn a_full_dashboard_feed_drops_runs_and_never_holds_the_scheduler_back() {
    use lesson_05_distributed::scheduler::Feed;
    within_for("5 (given)", LIMIT, || {
        // Room for 4 runs, and nobody reading them: a dashboard that is absent or stuck.
        let (feed, runs) = Feed::new(4);
        let dropped = std::sync::Arc::clone(&feed.dropped);
        let cluster = LocalCluster::start_with(Answers::SOLUTION, 2, Config::default(), Some(feed))
            .expect("a local cluster");
        let client = cluster.client().expect("a client");
        // Sleeps of 1 ms: long enough that each run is a bar of its own.
        let slept = cluster.block_on(async {
            let futures = client.map::<Sleep>(&[1_000; 1000]).await;
            gather(futures, &common::bar(1000)).await
        });
        assert_eq!(
            slept.map(|s| s.len()),
            Ok(1000),
            "every task ran, feed or no feed"
        );
        let snapshot = cluster.snapshot().expect("running");
        assert_eq!(
            dropped.load(std::sync::atomic::Ordering::Relaxed) + runs.len() as u64,
            1000,
            "each of the 1000 runs was either queued for the dashboard or dropped and counted"
        );
        assert_eq!(runs.len(), 4, "the feed holds what it has room for");
        let progress: Vec<_> = snapshot.clients.values().copied().collect();
        assert_eq!(progress.len(), 1, "one client with tasks: {progress:?}");
        assert_eq!((progress[0].submitted, progress[0].finished), (1000, 1000));
    });
}

#[test]
fn the_task_stream_shows_when_tasks_ran_not_how_long_they_queued() {
    use lesson_05_distributed::scheduler::Feed;
    within_for("5 (given)", LIMIT, || {
        let (feed, mut runs) = Feed::new(100);
        let cluster = LocalCluster::start_with(Answers::SOLUTION, 1, Config::default(), Some(feed))
            .expect("a local cluster");
        let client = cluster.client().expect("a client");
        // Ten sleeps of 20 ms, all sent at once to a worker of one thread: they queue there,
        // and the last result comes back ~200 ms after the batch was sent.
        let start = std::time::Instant::now();
        cluster.block_on(async {
            let futures = client.map::<Sleep>(&[20_000; 10]).await;
            gather(futures, &common::bar(10)).await.expect("sleeps")
        });
        let wall = start.elapsed();
        cluster.snapshot().expect("running"); // the actor has fed every run by now
        let mut bars = Vec::new();
        while let Ok(ran) = runs.try_recv() {
            bars.push(ran.ended - ran.started);
        }
        assert_eq!(bars.len(), 10, "one bar per task");
        assert!(
            bars.iter().all(|bar| *bar >= Duration::from_millis(20)),
            "each bar covers its task's 20 ms: {bars:?}"
        );
        // One thread ran them one after another: their bars cannot add up to more than the
        // batch took. Bars from "sent" to "result back" would (20 + 40 + … + 200 ms).
        let total: Duration = bars.iter().sum();
        assert!(
            total <= wall,
            "the bars add up to {total:?}, longer than the whole batch ({wall:?}): \
             they count time queued at the worker"
        );
    });
}

#[test]
fn recorded_runs_take_the_workers_times_and_merge_short_runs_in_a_row() {
    use lesson_05_distributed::protocol::{Finished, RunTime};
    use lesson_05_distributed::scheduler::State;
    let mut state = State::new(4).recording();
    state.worker_joined(WorkerId(1), "w".into(), 1);
    state.submit(CLIENT, (0..4).map(|n| task(n, "noop", None)).collect());
    state.assign();
    let id = |n| task(n, "noop", None).id;
    let done = |n| Finished {
        id: id(n),
        result: Ok(Vec::new()),
    };
    // Task 0 ran for 5 ms, ending 1 ms ago: the worker says so before its result.
    let long = RunTime {
        id: id(0),
        started_us_ago: 6_000,
        ended_us_ago: 1_000,
    };
    state.run_times(WorkerId(1), vec![long]);
    state.finished(WorkerId(1), vec![done(0)]);
    let ran = state.take_ran();
    assert_eq!(ran.len(), 1);
    assert_eq!((ran[0].worker, ran[0].name.as_str()), (WorkerId(1), "noop"));
    assert_eq!(ran[0].ended - ran[0].started, Duration::from_millis(5));
    assert!(state.take_ran().is_empty(), "taken once");
    // Tasks 1 to 3 were too short to report: instants at their results, one bar together.
    state.finished(WorkerId(1), vec![done(1), done(2), done(3)]);
    let ran = state.take_ran();
    assert_eq!(
        ran.len(),
        1,
        "three short runs in a row are one bar: {ran:?}"
    );
    assert!(ran[0].ended - ran[0].started < Duration::from_millis(1));
}

/// One HTTP/1.1 GET of `path` from `addr`, as raw bytes read until `done` says the text so
/// far is enough (or the server closes the connection).
async fn http_get(addr: std::net::SocketAddr, path: &str, done: impl Fn(&str) -> bool) -> String {
    let mut stream = TcpStream::connect(addr)
        .await
        .expect("the dashboard accepts");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("writes");
    let mut text = String::new();
    let mut buffer = [0; 8192];
    while !done(&text) {
        let n = stream.read(&mut buffer).await.expect("reads");
        if n == 0 {
            break;
        }
        text.push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
    text
}

#[test]
fn the_dashboard_serves_its_page_and_a_batchs_progress() {
    within_for("5 (given)", LIMIT, || {
        let (cluster, addr) =
            LocalCluster::start_with_dashboard(Answers::SOLUTION, 2, Config::default())
                .expect("a local cluster");
        let client = cluster.client().expect("a client");
        cluster.block_on(async {
            let page = http_get(addr, "/", |text| text.contains("</html>")).await;
            assert!(page.starts_with("HTTP/1.1 200"), "{page}");
            for part in ["<canvas", "EventSource(\"/events\")", "Workers", "Batches"] {
                assert!(page.contains(part), "the page has no {part}");
            }
            assert_eq!(squares(&client, 500).await[499], 499 * 499);
            // The updates come as server-sent events; wait for one showing the whole batch.
            let complete = |text: &str| {
                text.lines()
                    .filter_map(|line| line.strip_prefix("data: "))
                    .filter_map(|json| serde_json::from_str::<serde_json::Value>(json).ok())
                    .any(|state| {
                        state["batches"].as_array().is_some_and(|batches| {
                            batches
                                .iter()
                                .any(|b| b["finished"] == 500 && b["submitted"] == 500)
                        }) && state["workers"].as_array().is_some_and(|w| w.len() == 2)
                            && state["stream"].as_array().is_some_and(|s| !s.is_empty())
                    })
            };
            let events = http_get(addr, "/events", complete).await;
            assert!(
                events.contains("text/event-stream"),
                "the updates are server-sent events: {events}"
            );
        });
    });
}

#[test]
fn a_peer_without_the_secret_is_refused_and_learns_nothing() {
    within_for("5 (given)", LIMIT, || {
        let cluster = cluster(1);
        let wrong = Secret::random().expect("a secret");
        let hello = Hello::Worker {
            version: VERSION,
            name: "forger".into(),
            threads: 1024,
        };
        let (worker, client) = cluster.block_on(async {
            let worker = protocol::connect(cluster.addr(), &hello, &wrong).await;
            let client = Client::connect(cluster.addr(), &wrong).await;
            (worker.err(), client.err())
        });
        let worker = worker
            .expect("a worker without the secret is refused")
            .to_string();
        assert!(worker.contains("secret"), "the refusal says why: {worker}");
        let client = client
            .expect("a client without the secret is refused")
            .to_string();
        assert!(client.contains("secret"), "the refusal says why: {client}");
        let snapshot = cluster.snapshot().expect("the scheduler still runs");
        assert_eq!(snapshot.workers.len(), 1, "the forger never joined");
        let real = cluster.client().expect("a client with the secret gets in");
        assert_eq!(cluster.block_on(squares(&real, 10))[9], 81);
    });
}

#[test]
fn a_peer_leaves_a_scheduler_that_cannot_prove_the_secret() {
    within_for("5 (given)", LIMIT, || {
        let runtime = tokio::runtime::Runtime::new().expect("tokio");
        let refused = runtime.block_on(async {
            // A fake scheduler that welcomes anyone, without knowing the secret.
            let wrong = |_: &Nonce, _: &Nonce| [0; lesson_05_distributed::auth::LEN];
            let addr = fake_scheduler(wrong, Duration::from_secs(10), Then::FallSilent).await;
            let secret = Secret::random().expect("a secret");
            Client::connect(addr, &secret).await.err()
        });
        let refused = refused.expect("a client does not serve a scheduler without the secret");
        assert!(
            refused.to_string().contains("could not prove"),
            "it says why: {refused}"
        );
    });
}

#[test]
fn a_task_reads_only_regular_files_inside_the_dataset_and_quotes_none() {
    let (dir, dataset) = common::dataset();
    let inside = dataset.all_minute_files()[0].clone();
    let outside = tempfile::tempdir().expect("a temporary folder");
    let secret = outside.path().join("config.txt");
    std::fs::write(&secret, "user=admin\npassword=hunter2\n").expect("writable");
    let link = inside.with_file_name("2099-01-01.csv");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, &link).expect("a link out of the dataset");
    let fifo = inside.with_file_name("2099-01-02.csv");
    #[cfg(unix)]
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success()),
        "mkfifo makes a FIFO"
    );
    // The dataset's own text, read as minute bars, is "not a minute bar": it must not be
    // quoted either.
    let not_bars = dir.path().join("minute").join("AIG").join("notes.csv");
    std::fs::write(&not_bars, "root:x:0:0:root:/root:/bin/bash\n").expect("writable");
    within_for("5 (given)", LIMIT, move || {
        let cluster = cluster_reading(1, dir.path());
        let client = cluster.client().expect("a client");
        let asks = [
            ("a file outside the dataset", secret.clone()),
            ("/etc/passwd", std::path::PathBuf::from("/etc/passwd")),
            (
                "a path that does not exist",
                dir.path().join("minute/AIG/1999-01-01.csv"),
            ),
            ("a link out of the dataset", link.clone()),
            ("a FIFO", fifo.clone()),
            ("a folder", dir.path().join("minute")),
            ("a file that is not minute bars", not_bars.clone()),
        ];
        for (what, path) in asks {
            let outcome = cluster.block_on(async {
                let future = client.submit::<YearlyStats>(&vec![path.clone()]).await;
                future.await
            });
            let Err(ClientError::Task {
                error: TaskError::Failed(message),
                ..
            }) = outcome
            else {
                panic!("{what}: the task should fail, got {outcome:?}");
            };
            for secret in ["admin", "hunter2", "root:x", "/bin/bash"] {
                assert!(
                    !message.contains(secret),
                    "{what}: the error quotes the file: {message}"
                );
            }
            assert!(
                message.contains(&path.display().to_string()),
                "{what}: {message}"
            );
        }
        let inside = cluster.block_on(async {
            client
                .submit::<YearlyStats>(&vec![inside.clone()])
                .await
                .await
        });
        assert!(inside.is_ok(), "a dataset file is read: {inside:?}");
    });
}

#[test]
fn a_thousand_idle_connections_do_not_keep_a_real_client_and_worker_out() {
    within_for("5 (given)", Duration::from_secs(60), || {
        let cluster = cluster(0);
        let idle = cluster.block_on(async {
            let mut idle = Vec::new();
            for _ in 0..1100 {
                // Connected, and then silent: no hello, no proof.
                idle.push(TcpStream::connect(cluster.addr()).await.expect("connects"));
            }
            idle
        });
        cluster.add_worker(Answers::SOLUTION, 1);
        cluster
            .wait_for_workers(1)
            .expect("a real worker joins past the idle connections");
        let client = cluster.client().expect("a real client gets in");
        assert_eq!(cluster.block_on(squares(&client, 100))[99], 99 * 99);
        drop(idle);
    });
}

#[test]
fn a_client_that_never_reads_is_cut_off_past_its_byte_limit() {
    const LIMIT_BYTES: usize = 1 << 20;
    within_for("5 (given)", LIMIT, || {
        let config = Config {
            outbox_bytes: LIMIT_BYTES,
            ..Config::default()
        };
        let cluster = LocalCluster::start(Answers::SOLUTION, 1, config).expect("a cluster");
        let ignored = cluster.block_on(async {
            let hello = Hello::Client { version: VERSION };
            let (_reader, mut writer, accepted) = common::raw(&cluster, &hello).await;
            // 300 tasks whose errors are 100 kB each: 30 MB of results, more than the
            // sockets' buffers and the outbox hold, for a client that reads none of them.
            let message = "x".repeat(100_000);
            let args = protocol::encode(&message).expect("encodes").to_vec();
            let tasks = (0..300)
                .map(|n| NewTask {
                    id: TaskId {
                        client: ClientId(accepted.id),
                        n,
                    },
                    name: "fail".into(),
                    args: args.clone(),
                    needs: None,
                    pin: None,
                    inputs: None,
                    keep: false,
                })
                .collect();
            writer
                .send(&protocol::FromClient::Submit(tasks))
                .await
                .expect("sends");
            // The scheduler counts the results it could not deliver when it cuts the
            // client off.
            loop {
                let snapshot = cluster.handle().snapshot().await.expect("it runs");
                if snapshot.counters.ignored > 0 {
                    return snapshot;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        assert!(
            !ignored.clients.contains_key(&ClientId(1)),
            "the client that does not read is gone: {:?}",
            ignored.clients
        );
        let real = cluster.client().expect("a reading client still gets in");
        assert_eq!(cluster.block_on(squares(&real, 10))[9], 81);
    });
}

#[test]
fn scattered_data_goes_when_its_client_releases_it_or_leaves() {
    within_for("5 (given)", LIMIT, || {
        let cluster = cluster(1);
        let keys_held = |client: &Client| {
            cluster.block_on(async {
                let reports = client.run_on_all::<WhoAmI>(&()).await.expect("reports");
                let (_, report) = reports.into_iter().next().expect("one worker");
                report.expect("whoami runs").keys
            })
        };
        let (first, second) = (
            cluster.client().expect("a client"),
            cluster.client().expect("another"),
        );
        cluster.block_on(async {
            first
                .scatter("released", &vec![1.0_f64; 1000])
                .await
                .expect("scatters");
            first
                .scatter("kept", &vec![2.0_f64; 1000])
                .await
                .expect("scatters");
            second
                .scatter("theirs", &vec![3.0_f64; 1000])
                .await
                .expect("scatters");
            // A scatter returns once queued here; a round trip on each connection makes
            // sure the scheduler has applied it before the other client asks.
            first.workers().await.expect("a round trip");
            second.workers().await.expect("a round trip");
        });
        assert_eq!(keys_held(&second), ["kept", "released", "theirs"]);
        cluster.block_on(async {
            first.release(&"released".into()).await.expect("releases");
            // A client cannot release another's data.
            first.release(&"theirs".into()).await.expect("sends");
            first.workers().await.expect("a round trip");
        });
        assert_eq!(keys_held(&second), ["kept", "theirs"]);
        drop(first);
        // The first client's connection closes; its data goes with it.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while keys_held(&second) != ["theirs"] {
            assert!(
                std::time::Instant::now() < deadline,
                "the leaver's data stays"
            );
        }
    });
}

#[test]
fn the_dashboard_answers_only_to_its_own_name_and_closes_half_sent_requests() {
    within_for("5 (given)", LIMIT, || {
        let (cluster, addr) =
            LocalCluster::start_with_dashboard(Answers::SOLUTION, 0, Config::default())
                .expect("a local cluster");
        cluster.block_on(async {
            // A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding).
            let mut stream = TcpStream::connect(addr).await.expect("connects");
            let request = format!(
                "GET /events HTTP/1.1\r\nHost: evil.example:{}\r\nConnection: close\r\n\r\n",
                addr.port()
            );
            stream.write_all(request.as_bytes()).await.expect("writes");
            let mut answer = String::new();
            stream.read_to_string(&mut answer).await.expect("reads");
            assert!(answer.starts_with("HTTP/1.1 421"), "refused: {answer}");
            assert!(!answer.contains("data: "), "no state leaks: {answer}");
            // Half a request, then silence: the dashboard closes it after its header timeout.
            let mut half = TcpStream::connect(addr).await.expect("connects");
            half.write_all(b"GET / HTTP/1.1\r\nHost: ")
                .await
                .expect("writes");
            let mut rest = Vec::new();
            let closed = tokio::time::timeout(Duration::from_secs(15), half.read_to_end(&mut rest));
            assert!(closed.await.is_ok(), "a half-sent request stays open");
            // And the page still answers to its own name.
            let page = http_get(addr, "/", |text| text.contains("</html>")).await;
            assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        });
    });
}

/// What a fake scheduler does once it has welcomed its peer.
#[derive(Clone, Copy)]
enum Then {
    /// Says nothing, as if stopped by Ctrl-Z.
    FallSilent,
    /// Waits for the peer's first message and resets the connection, as a killed
    /// scheduler does when the peer's bytes are still unread.
    Reset,
}

/// A scheduler that welcomes the first peer that connects, with `proof` of the two nonces
/// (the scheduler's, the peer's) and a silence of `silence`, and then does `then`: its
/// address.
async fn fake_scheduler(
    proof: impl FnOnce(&Nonce, &Nonce) -> [u8; lesson_05_distributed::auth::LEN] + Send + 'static,
    silence: Duration,
    then: Then,
) -> std::net::SocketAddr {
    use futures::{SinkExt, StreamExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accepts");
        // Whole, not split: a split stream's writing half shuts the connection down (a
        // FIN) when dropped, and `Then::Reset` must close it with no FIN.
        let mut framed = tokio_util::codec::Framed::new(stream, protocol::codec());
        let nonce = Nonce::random().expect("a nonce");
        let challenge = Challenge {
            version: VERSION,
            nonce,
        };
        let frame = protocol::encode(&challenge).expect("encodes");
        framed.send(frame).await.expect("sends");
        let mut next = async || framed.next().await.expect("a frame").expect("reads");
        protocol::decode::<Hello>(&next().await).expect("a hello");
        let answer = protocol::decode::<Answer>(&next().await).expect("an answer");
        let welcome = Welcome::Accepted(protocol::Accepted {
            id: 1,
            heartbeat_ms: 50,
            silence_ms: silence.as_millis() as u64,
            window: 64,
            run_times: false,
            proof: proof(&nonce, &answer.nonce),
        });
        let frame = protocol::encode(&welcome).expect("encodes");
        framed.send(frame).await.expect("sends");
        match then {
            Then::FallSilent => {
                // Stopped: the connection stays open, and the kernel acknowledges what comes.
                let _kept = framed;
                std::future::pending::<()>().await;
            }
            Then::Reset => {
                // The peer's first message after the welcome: it is past its handshake,
                // reading and writing.
                let frame = framed.next().await.expect("a frame").expect("reads");
                protocol::decode::<FromWorker>(&frame).expect("a worker's message");
                let stream = framed.into_inner();
                // Closing with a zero linger sends a reset, not a goodbye or a FIN.
                let linger = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
                linger.expect("SO_LINGER is set");
                drop(stream);
            }
        }
    });
    addr
}

/// A scheduler that holds `secret` and does `then` once it has welcomed its peer.
async fn scheduler_that(then: Then, secret: Secret, silence: Duration) -> std::net::SocketAddr {
    let side = lesson_05_distributed::auth::Side::Scheduler;
    fake_scheduler(
        move |ours, theirs| secret.prove(side, ours, theirs),
        silence,
        then,
    )
    .await
}

#[test]
fn a_client_whose_scheduler_stops_answering_fails_its_tasks_after_the_silence() {
    within_for("5 (given)", LIMIT, || {
        let runtime = tokio::runtime::Runtime::new().expect("tokio");
        let outcome = runtime.block_on(async {
            let secret = Secret::random().expect("a secret");
            let addr =
                scheduler_that(Then::FallSilent, secret.clone(), Duration::from_millis(300)).await;
            let client = Client::connect(addr, &secret).await.expect("welcomed");
            client.submit::<Square>(&3).await.await
        });
        let error = outcome.expect_err("no result comes from a stopped scheduler");
        assert!(
            matches!(error, ClientError::Disconnected { .. }),
            "{error:?}"
        );
    });
}

#[test]
fn a_worker_whose_scheduler_stops_answering_leaves_after_the_silence_saying_why() {
    within_for("5 (given)", LIMIT, || {
        let error = worker_of(Then::FallSilent, Duration::from_millis(300));
        assert!(error.contains("has sent nothing for 300ms"), "{error}");
    });
}

#[test]
fn a_worker_whose_scheduler_resets_the_connection_says_the_scheduler_is_gone() {
    within_for("5 (given)", LIMIT, || {
        let error = worker_of(Then::Reset, Duration::from_secs(10));
        // A killed scheduler resets rather than closes when the worker's heartbeat is
        // still unread: the worker tells it as the same news, not as an os error.
        assert!(error.contains("without a goodbye"), "{error}");
        assert!(!error.contains("os error"), "{error}");
    });
}

/// Runs a worker of a fake scheduler that does `then` after its welcome (which announces
/// `silence`), and returns why the worker left.
fn worker_of(then: Then, silence: Duration) -> String {
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let outcome = runtime.block_on(async {
        let secret = Secret::random().expect("a secret");
        let addr = scheduler_that(then, secret.clone(), silence).await;
        let config = lesson_05_distributed::worker::WorkerConfig::new(1, secret);
        lesson_05_distributed::worker::run(Answers::SOLUTION, addr, config).await
    });
    let error = outcome.expect_err("the worker leaves the fake scheduler");
    error.to_string()
}

#[test]
fn an_idle_client_and_worker_stay_connected_past_the_silence_on_the_scheduler_heartbeat() {
    let config = Config {
        heartbeat: Duration::from_millis(50),
        timeout: Duration::from_millis(300),
        ..Config::default()
    };
    within_for("5 (given)", LIMIT, move || {
        let cluster = common::start(Answers::SOLUTION, 1, config);
        let client = cluster.client().expect("a client");
        cluster.block_on(async {
            // Idle for several silences: only the scheduler's heartbeats keep both here.
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let squares = futures::future::try_join_all(client.map::<Square>(&[1, 2, 3]).await)
                .await
                .expect("the idle client and worker are still connected");
            assert_eq!(squares, vec![1, 4, 9]);
        });
        assert_eq!(cluster.worker_error(), None);
    });
}

#[test]
fn a_client_whose_tasks_lose_the_last_worker_is_told_they_wait_for_one() {
    within_for("5 (given)", LIMIT, || {
        let cluster = cluster(1);
        cluster.block_on(async {
            let hello = Hello::Client { version: VERSION };
            let (mut reader, mut writer, _) = common::raw(&cluster, &hello).await;
            let sleep = postcard::to_allocvec(&2_000_000_u64).expect("encodes"); // 2 s
            let tasks: Vec<NewTask> = (0..5)
                .map(|n| NewTask {
                    args: sleep.clone(),
                    ..task(n, "sleep", None)
                })
                .collect();
            writer
                .send(&protocol::FromClient::Submit(tasks))
                .await
                .expect("sends");
            // The scheduler has the tasks once its books say so; then the worker goes.
            let handle = cluster.handle();
            while handle
                .snapshot()
                .await
                .is_none_or(|s| s.counters.submitted < 5)
            {
                tokio::task::yield_now().await;
            }
            cluster.kill_worker(0);
            let notice = loop {
                match reader
                    .expect::<protocol::ToClient>()
                    .await
                    .expect("a message")
                {
                    protocol::ToClient::Heartbeat => continue,
                    other => break other,
                }
            };
            assert_eq!(
                notice,
                protocol::ToClient::NoWorkers(5),
                "the client is told its tasks wait"
            );
        });
    });
}
