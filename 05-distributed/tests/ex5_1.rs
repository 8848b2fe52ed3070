//! Exercise 5.1: the worker's execute loop. `cargo test -p lesson-05-distributed --test
//! ex5_1`. Most tests call `execute` directly with a channel of jobs; the last runs it in a
//! real cluster (with the reference's answers to 5.2 and 5.3).
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `05-distributed/mutants/5.1-*.rs`, checked by `cargo course verify --mutants --exercise 5.1`):
//! - every result sent once, when the channel closes: `ex5_1_a_result_is_sent_while_no_other_job_waits`
//!   (and three more);
//! - `send`'s false ignored: `ex5_1_the_loop_stops_when_send_fails`.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use lesson_05_distributed::answer::execute;
use lesson_05_distributed::answers::Answers;
use lesson_05_distributed::protocol::{ClientId, Finished, Job, TaskError, TaskId};
use lesson_05_distributed::scheduler::Config;
use lesson_05_distributed::solution::gather;
use lesson_05_distributed::tasks::{Context, Noop, Square, Task};
use lesson_05_distributed::worker::MAX_BATCH;
use shared::testing::{PATIENCE, within};

fn id(n: u64) -> TaskId {
    TaskId {
        client: ClientId(1),
        n,
    }
}

fn job<T: Task>(n: u64, args: &T::Args) -> Job {
    Job::new(
        id(n),
        T::NAME,
        postcard::to_stdvec(args).expect("arguments encode"),
    )
}

/// Runs `execute` over `jobs` (already queued, channel closed) and returns the batches it
/// sent.
fn run_all(jobs: Vec<Job>) -> Vec<Vec<Finished>> {
    let (tx, rx) = crossbeam_channel::unbounded();
    for job in jobs {
        tx.send(job).expect("the channel is open");
    }
    drop(tx);
    within("5.1", move || {
        let mut batches = Vec::new();
        execute(&rx, &Context::new("test-worker"), &mut |batch| {
            batches.push(batch);
            true
        });
        batches
    })
}

fn output<T: serde::de::DeserializeOwned>(finished: &Finished) -> T {
    let bytes = finished.result.as_ref().unwrap_or_else(|err| {
        panic!(
            "exercise 5.1: task #{} failed: {err} — see book section 5.1",
            finished.id.n
        )
    });
    postcard::from_bytes(bytes).expect("the output decodes")
}

#[test]
fn ex5_1_runs_every_job_once_and_sends_its_result() {
    let jobs = (0..100).map(|i| job::<Square>(i, &(i as i64))).collect();
    let results: Vec<Finished> = run_all(jobs).into_iter().flatten().collect();
    let ids: Vec<u64> = results.iter().map(|f| f.id.n).collect();
    assert_eq!(
        ids,
        (0..100).collect::<Vec<_>>(),
        "exercise 5.1: one thread given jobs 0..100 should send one result per job, in the \
         order it ran them — see book section 5.1"
    );
    for finished in &results {
        let n = finished.id.n as i64;
        assert_eq!(
            output::<i64>(finished),
            n * n,
            "exercise 5.1: square of {n}"
        );
    }
}

#[test]
fn ex5_1_an_unknown_task_or_a_panic_is_an_error_and_the_loop_goes_on() {
    let unknown = Job::new(id(0), "format_disk", Vec::new());
    let jobs = vec![
        unknown,
        job::<lesson_05_distributed::tasks::Panic>(1, &"boom".to_string()),
        job::<Square>(2, &7),
    ];
    // A panic that comes out of `execute` is the task's: say so, rather than "panicked".
    let outcome = std::panic::catch_unwind(|| run_all(jobs));
    let batches = outcome.unwrap_or_else(|panic| {
        let message = shared::testing::panic_message(panic.as_ref());
        if message.contains("boom") {
            panic!(
                "exercise 5.1: the task `panic` panicked with \"boom\", and the panic came out \
                 of execute, ending the loop: catch it with std::panic::catch_unwind and send \
                 TaskError::Panicked instead — see book section 5.1"
            )
        }
        std::panic::resume_unwind(panic)
    });
    let results: Vec<Finished> = batches.into_iter().flatten().collect();
    assert_eq!(
        results.len(),
        3,
        "exercise 5.1: three jobs, one unknown and one that panics, should give three \
         results: a task's failure must not end the loop — see book section 5.1"
    );
    assert_eq!(
        results[0].result,
        Err(TaskError::UnknownTask("format_disk".into())),
        "exercise 5.1: a name missing from the registry is TaskError::UnknownTask"
    );
    assert_eq!(
        results[1].result,
        Err(TaskError::Panicked {
            worker: "test-worker".into(),
            message: "boom".into()
        }),
        "exercise 5.1: a task that panics is TaskError::Panicked with the worker's name and \
         the panic's message (catch it with std::panic::catch_unwind) — see book section 5.1"
    );
    assert_eq!(output::<i64>(&results[2]), 49);
}

#[test]
fn ex5_1_results_of_queued_jobs_go_in_batches() {
    let batches = run_all((0..3000).map(|i| job::<Noop>(i, &())).collect());
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    assert_eq!(
        sizes.iter().sum::<usize>(),
        3000,
        "exercise 5.1: one result per job"
    );
    assert!(
        sizes.iter().all(|&n| n <= MAX_BATCH),
        "exercise 5.1: no batch may hold more than MAX_BATCH ({MAX_BATCH}) results, got \
         batches of {sizes:?} — see book section 5.1"
    );
    assert!(
        batches.len() <= 10,
        "exercise 5.1: 3000 jobs were waiting from the start, so their results should go in \
         a few batches of up to {MAX_BATCH}, not {} batches: one message per result is what \
         makes a task cost milliseconds — see book section 5.1",
        batches.len()
    );
}

#[test]
fn ex5_1_a_result_is_sent_while_no_other_job_waits() {
    let (jobs_tx, jobs_rx): (Sender<Job>, Receiver<Job>) = crossbeam_channel::unbounded();
    let (sent_tx, sent_rx) = crossbeam_channel::unbounded::<Vec<Finished>>();
    let worker = std::thread::spawn(move || {
        execute(&jobs_rx, &Context::new("test-worker"), &mut |batch| {
            sent_tx.send(batch).is_ok()
        });
    });
    within("5.1", move || {
        for n in 0..3 {
            jobs_tx
                .send(job::<Square>(n, &2))
                .expect("the loop is running");
            let batch = match sent_rx.recv_timeout(PATIENCE) {
                Ok(batch) => batch,
                // The loop has ended: pass its panic on, or say that it ended too soon.
                Err(RecvTimeoutError::Disconnected) => match worker.join() {
                    Err(panic) => std::panic::resume_unwind(panic),
                    Ok(()) => panic!(
                        "exercise 5.1: execute returned while the jobs channel was still open"
                    ),
                },
                Err(RecvTimeoutError::Timeout) => panic!(
                    "exercise 5.1: job {n} was the only job, and its result was not sent \
                     within {PATIENCE:?}: send what you have as soon as no other job is \
                     waiting (jobs.is_empty()) — see book section 5.1"
                ),
            };
            assert_eq!(batch.len(), 1, "exercise 5.1: one job, one result");
        }
        drop(jobs_tx);
        worker
            .join()
            .expect("the loop ends when the channel closes");
    });
}

#[test]
fn ex5_1_the_loop_stops_when_send_fails() {
    let (jobs_tx, jobs_rx) = crossbeam_channel::unbounded();
    for n in 0..5 {
        jobs_tx.send(job::<Noop>(n, &())).expect("open");
    }
    let (done_tx, done_rx) = crossbeam_channel::bounded(1);
    // The loop runs on its own thread, so that this test can say what went wrong if it
    // does not return; the channel stays open: only `send` returning false can end it.
    let sent = Arc::new(AtomicUsize::new(0));
    let looping = {
        let sent = Arc::clone(&sent);
        std::thread::spawn(move || {
            execute(&jobs_rx, &Context::new("test-worker"), &mut |_| {
                sent.fetch_add(1, Ordering::SeqCst);
                false
            });
            let _ = done_tx.send(sent.load(Ordering::SeqCst));
        })
    };
    within("5.1", move || {
        let calls = match done_rx.recv_timeout(PATIENCE) {
            Ok(calls) => calls,
            Err(RecvTimeoutError::Disconnected) => match looping.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(()) => unreachable!("the loop thread sends before it ends"),
            },
            Err(RecvTimeoutError::Timeout) if sent.load(Ordering::SeqCst) == 0 => panic!(
                "exercise 5.1: with five jobs waiting, execute did not call send within \
                 {PATIENCE:?}: run each job as it comes and send its result at once — see \
                 book section 5.1"
            ),
            Err(RecvTimeoutError::Timeout) => panic!(
                "exercise 5.1: send returned false (the connection is gone), yet execute did \
                 not return within {PATIENCE:?}: return as soon as send gives false — see \
                 book section 5.1"
            ),
        };
        drop(jobs_tx);
        assert_eq!(
            calls, 1,
            "exercise 5.1: stop at the first send that returns false"
        );
    });
}

#[test]
fn ex5_1_two_workers_run_a_batch_in_a_cluster() {
    let (squares, snapshot) = within("5.1", move || {
        let cluster = common::start(Answers::tested_for(1), 2, Config::default());
        let client = cluster.client().expect("a client");
        let args: Vec<i64> = (0..1000).collect();
        let outcome = cluster.block_on(async {
            let futures = client.map::<Square>(&args).await;
            let bar = common::bar(args.len());
            let all = gather(futures, &bar);
            tokio::time::timeout(Duration::from_secs(8), all).await
        });
        let squares = match outcome {
            Ok(Ok(squares)) => squares,
            Ok(Err(err)) => common::fail(&cluster, &format!("exercise 5.1: a task failed: {err}")),
            Err(_) => common::fail(
                &cluster,
                "exercise 5.1: the results of 1000 tasks did not all come back within 8 s: \
                 does your loop send what it holds when no job is waiting? — see book \
                 section 5.1",
            ),
        };
        (squares, cluster.snapshot().expect("the scheduler runs"))
    });
    assert_eq!(squares, (0..1000).map(|x| x * x).collect::<Vec<i64>>());
    for worker in &snapshot.workers {
        assert!(
            worker.done > 0,
            "exercise 5.1: worker {} ran no task of 1000: {:?}",
            worker.name,
            snapshot.workers
        );
    }
}
