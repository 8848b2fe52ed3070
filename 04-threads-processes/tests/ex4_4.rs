//! Exercise 4.4: a process pool of the lesson's own binary. `cargo test -p
//! lesson-04-threads-processes --test ex4_4`. The workers are `exercise-04 --worker`
//! (`solution-04` with `--features solution`); a worker's loop is given code.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `04-threads-processes/mutants/4.4-*.rs`, checked by `cargo course verify --mutants
//! --exercise 4.4`):
//! - every task on the first worker, one after the other:
//!   `ex4_4_runs_tasks_on_several_workers_at_once`;
//! - one thread per worker, but the queue's lock held across `worker.call` (so the calls
//!   take turns): the same test.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use lesson_04_threads_processes::answer::run_pool;
use lesson_04_threads_processes::pool::{
    ABORT_ALWAYS_ENV, ABORT_ONCE_ENV, MAX_ATTEMPTS, OnCall, Output, PoolError, Task, Worker,
    WorkerCommand,
};
use shared::testing::{Rendezvous, within};

#[cfg(feature = "solution")]
const PROGRAM: &str = env!("CARGO_BIN_EXE_solution-04");
#[cfg(not(feature = "solution"))]
const PROGRAM: &str = env!("CARGO_BIN_EXE_exercise-04");

fn tasks(n: usize) -> Vec<Task> {
    (0..n)
        .map(|i| match i % 3 {
            0 => Task::Simulate {
                seed: i as u64,
                paths: 20,
                steps: 10,
            },
            _ => Task::Sum((0..i).map(|k| k as f64).collect()),
        })
        .collect()
}

/// Starts workers of `command` and remembers their process ids.
struct Starter {
    command: WorkerCommand,
    pids: Mutex<Vec<u32>>,
    on_call: Option<OnCall>,
    limit: Option<usize>,
}

impl Starter {
    fn new(command: WorkerCommand) -> Starter {
        Starter {
            command,
            pids: Mutex::new(Vec::new()),
            on_call: None,
            limit: None,
        }
    }

    /// Panics (with a message for the learner) when asked for more than `limit` workers.
    fn at_most(self, limit: usize) -> Starter {
        Starter {
            limit: Some(limit),
            ..self
        }
    }

    /// Every worker it starts calls `hook` as a job begins.
    fn on_call(self, hook: OnCall) -> Starter {
        Starter {
            on_call: Some(hook),
            ..self
        }
    }

    fn start(&self) -> Result<Worker, PoolError> {
        let started = self.pids.lock().unwrap_or_else(|p| p.into_inner()).len();
        if let Some(limit) = self.limit
            && started >= limit
        {
            panic!(
                "exercise 4.4: the pool has started {started} workers for 10 tasks, one of which kills \
                 every worker it meets: it would go on for ever. Count how many workers each task has \
                 taken down, and fail with PoolError::TaskFailed after MAX_ATTEMPTS; see book section 4.4"
            );
        }
        let mut worker = self.command.start()?;
        if let Some(hook) = &self.on_call {
            worker = worker.on_call(Arc::clone(hook));
        }
        self.pids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(worker.pid());
        Ok(worker)
    }

    fn pids(&self) -> Vec<u32> {
        self.pids.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// True while process `pid` exists and has not been reaped.
fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn check_outputs(got: &[Output], tasks: &[Task], what: &str) {
    assert_eq!(
        got.len(),
        tasks.len(),
        "exercise 4.4: {what}: {} outputs for {} tasks; every task gives exactly one; see book section 4.4",
        got.len(),
        tasks.len()
    );
    for (i, (g, task)) in got.iter().zip(tasks).enumerate() {
        let expected = task.run();
        assert_eq!(
            g, &expected,
            "exercise 4.4: {what}: output {i} is {g:?}, expected {expected:?}: outputs in the order of the tasks; \
             see book section 4.4"
        );
    }
}

#[test]
fn ex4_4_returns_every_output_in_order_and_leaves_no_worker_behind() {
    within("4.4", || {
        let starter = Starter::new(WorkerCommand::new(PROGRAM));
        let tasks = tasks(40);
        let got = run_pool(&|| starter.start(), 3, &tasks)
            .unwrap_or_else(|e| panic!("exercise 4.4: the pool failed: {e}; see book section 4.4"));
        check_outputs(&got, &tasks, "40 tasks on 3 workers");
        let pids = starter.pids();
        assert_eq!(
            pids.len(),
            3,
            "exercise 4.4: a pool of 3 workers with no crash started {} workers; start `workers` of them; \
             see book section 4.4",
            pids.len()
        );
        let left: Vec<_> = pids.into_iter().filter(|&p| alive(p)).collect();
        assert!(
            left.is_empty(),
            "exercise 4.4: workers {left:?} still exist after run_pool returned: drop every `Worker` (that ends \
             and reaps it) before returning; see book section 4.4"
        );
        let none = run_pool(&|| starter.start(), 2, &[])
            .unwrap_or_else(|e| panic!("exercise 4.4: no tasks must give no outputs, not {e}"));
        assert!(
            none.is_empty(),
            "exercise 4.4: no tasks gave {} outputs",
            none.len()
        );
    });
}

#[test]
fn ex4_4_runs_tasks_on_several_workers_at_once() {
    within("4.4", || {
        // ANCHOR: on_call
        // Each call waits (up to 5 s, once) until a call has begun on a second thread.
        let meeting = Arc::new(Rendezvous::new());
        let used = Arc::new(Mutex::new(BTreeSet::new()));
        let hook: OnCall = {
            let (meeting, used) = (Arc::clone(&meeting), Arc::clone(&used));
            Arc::new(move |pid, _job| {
                used.lock().unwrap_or_else(|p| p.into_inner()).insert(pid);
                meeting.arrive();
            })
        };
        let starter = Starter::new(WorkerCommand::new(PROGRAM)).on_call(hook);
        // ANCHOR_END: on_call
        let tasks = tasks(8);
        let got = run_pool(&|| starter.start(), 2, &tasks)
            .unwrap_or_else(|e| panic!("exercise 4.4: the pool failed: {e}; see book section 4.4"));
        check_outputs(&got, &tasks, "8 tasks on 2 workers");
        let used = used.lock().unwrap_or_else(|p| p.into_inner()).clone();
        assert!(
            used.len() >= 2,
            "exercise 4.4: 8 tasks on a pool of 2 workers all ran on worker {used:?}: give each worker \
             a thread of its own that takes task numbers from a shared queue; see book section 4.4"
        );
        assert!(
            !meeting.gave_up(),
            "exercise 4.4: a worker's `call` waited 5 s for a call on another worker to begin, in vain: \
             the workers ran their tasks one at a time. Is a lock held while `worker.call` runs? Take a \
             task number from the queue, let the lock go, then call; see book section 4.4"
        );
    });
}

#[test]
fn ex4_4_survives_a_worker_that_aborts_mid_task() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let marker = dir.path().join("aborted");
    within("4.4", move || {
        let mut command = WorkerCommand::new(PROGRAM);
        command
            .envs
            .push((ABORT_ONCE_ENV.into(), format!("7:{}", marker.display())));
        let starter = Starter::new(command);
        let tasks = tasks(20);
        let got = run_pool(&|| starter.start(), 2, &tasks).unwrap_or_else(|e| {
            panic!(
                "exercise 4.4: the worker that got task 7 aborted, once; the pool must run task 7 again on another \
                 worker instead of failing, but it said: {e}; see book section 4.4"
            )
        });
        assert!(
            marker.exists(),
            "the test's worker did not abort on task 7 (is task 7 sent as job 7?)"
        );
        check_outputs(
            &got,
            &tasks,
            "20 tasks on 2 workers, one of which aborts on task 7",
        );
        let left: Vec<_> = starter.pids().into_iter().filter(|&p| alive(p)).collect();
        assert!(
            left.is_empty(),
            "exercise 4.4: workers {left:?} outlived run_pool; see book section 4.4"
        );
    });
}

#[test]
fn ex4_4_gives_up_on_a_task_that_kills_every_worker() {
    within("4.4", || {
        let mut command = WorkerCommand::new(PROGRAM);
        command.envs.push((ABORT_ALWAYS_ENV.into(), "3".into()));
        let sent_3 = Arc::new(AtomicUsize::new(0));
        let hook: OnCall = {
            let sent_3 = Arc::clone(&sent_3);
            Arc::new(move |_pid, job| {
                if job == 3 {
                    sent_3.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        // A pool that never gives up would start workers for ever: stop it, and say why.
        let starter = Starter::new(command)
            .on_call(hook)
            .at_most(2 + 5 * MAX_ATTEMPTS);
        match run_pool(&|| starter.start(), 2, &tasks(10)) {
            Err(PoolError::TaskFailed { task: 3, attempts }) => {
                let sent = sent_3.load(Ordering::SeqCst);
                assert!(
                    attempts == MAX_ATTEMPTS && sent == MAX_ATTEMPTS,
                    "exercise 4.4: task 3 kills every worker that runs it; the pool sent it {sent} times and \
                     reported {attempts} attempts, but it must give up after exactly MAX_ATTEMPTS = \
                     {MAX_ATTEMPTS} tries (count each lost worker, and stop when the count reaches \
                     MAX_ATTEMPTS); see book section 4.4"
                );
            }
            other => panic!(
                "exercise 4.4: task 3 kills every worker that runs it; expected Err(PoolError::TaskFailed {{ task: 3, .. }}) \
                 after MAX_ATTEMPTS tries, got {other:?}; see book section 4.4"
            ),
        }
    });
}

#[test]
fn ex4_4_reports_a_worker_that_cannot_start() {
    within("4.4", || {
        let command = WorkerCommand::new("/nonexistent/exercise-04");
        match run_pool(&|| command.start(), 2, &tasks(5)) {
            Err(e @ PoolError::Start { .. }) => assert!(
                e.to_string().contains("/nonexistent/exercise-04"),
                "the error must name the program: {e}"
            ),
            other => panic!(
                "exercise 4.4: the worker program does not exist; expected Err(PoolError::Start {{ .. }}) from \
                 `start()`, got {other:?}; see book section 4.4"
            ),
        }
    });
}
