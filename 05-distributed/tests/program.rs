//! The `exercise-05` / `solution-05` program and its worker processes, run as a learner runs
//! them, on a small dataset. Tests run the binary whose answers they check: `solution-05`
//! with `--features solution`, `exercise-05` without. Both pass on the untouched stubs: the
//! program runs the reference's answer in place of an exercise not done yet, and says so.

mod common;

use common::process::{
    Killed, exit_of, line_with, scheduler_and_worker, start_scheduler, start_scheduler_with,
    start_worker, start_worker_with,
};

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use lesson_05_distributed::answers::Answers;
use lesson_05_distributed::cluster::{LocalCluster, WorkerProcesses};
use lesson_05_distributed::scheduler::Config;
use lesson_05_distributed::tasks::Sleep;
use shared::testing::within_for;

#[cfg(feature = "solution")]
const PROGRAM: &str = env!("CARGO_BIN_EXE_solution-05");
#[cfg(not(feature = "solution"))]
const PROGRAM: &str = env!("CARGO_BIN_EXE_exercise-05");

/// Runs the program on the dataset in `dir`, for at most two minutes.
fn run(dir: &Path, args: &str) -> Output {
    shared::testing::run_program(PROGRAM, dir, args, Duration::from_secs(120))
}

#[test]
fn the_program_prints_its_tables() {
    let (dir, _dataset) = common::dataset();
    let output = run(
        dir.path(),
        "--runs 1 --tasks 2000 --year 2015 --years 2 --files-per-task 4 --grid 4 --lost-tasks 200",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Its first lines: which dataset it reads (and why that one), and where it writes.
    let reads = format!(
        "Reads:  {} (from $PARALLEL_RUST_DATA)\nWrites: ",
        dir.path().display()
    );
    assert!(stdout.starts_with(&reads), "{stdout}");
    assert!(
        output.status.success(),
        "the program failed:\n{stdout}\n{stderr}"
    );
    for table in [
        "Empty tasks: 2,000 per batch",
        "per-symbol yearly statistics, 2015–2016",
        "parameter search on AIG",
        "A worker killed mid-batch",
        "200 of 200",
        "y = add(inc(1), 10) = 12",
        "= 499999500000 (exact: 499999500000)",
        "merged here or by a tree of merges on the workers",
    ] {
        assert!(stdout.contains(table), "no {table:?} in:\n{stdout}");
    }
    // A stub is reported in one line per exercise, never as a panic.
    assert!(
        !stderr.contains("not yet implemented"),
        "a panic reached stderr:\n{stderr}"
    );
    // The worker processes go before their scheduler: none reports it gone.
    assert!(
        !stderr.contains("without a goodbye"),
        "a clean run printed a worker's error:\n{stderr}"
    );
}

#[test]
fn a_damaged_dataset_file_is_reported_as_the_datasets_problem_not_an_exercises() {
    let (dir, dataset) = common::dataset();
    let files = dataset.all_minute_files();
    let aig: Vec<_> = files
        .iter()
        .filter(|f| f.starts_with(dir.path().join("minute/AIG")))
        .collect();
    let damaged = aig[0];
    let mut text = std::fs::read_to_string(damaged).expect("a minute file");
    let second = text.find('\n').expect("a header") + 1;
    text.insert_str(second, "not,a,bar\n");
    std::fs::write(damaged, text).expect("writable");
    let output = run(
        dir.path(),
        "--runs 1 --tasks 200 --year 2015 --years 2 --files-per-task 4 --grid 4 --lost-tasks 50",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "a damaged dataset is a problem:\n{stderr}"
    );
    let name = damaged.display().to_string();
    for (what, text) in [
        ("the yearly statistics", "the yearly statistics (here"),
        ("the parameter search", "the parameter search."),
    ] {
        assert!(
            stdout.contains(&format!(
                "Skipped, because the dataset could not be read: {text}"
            )),
            "{what} is skipped:\n{stdout}"
        );
    }
    assert!(stderr.contains("the dataset, not your answers"), "{stderr}");
    assert!(
        stderr.contains(&format!("{name}, line 2")),
        "file and line: {stderr}"
    );
    assert!(
        !stderr.contains("wrong output"),
        "an exercise is blamed:\n{stderr}"
    );
    // The tables that need no dataset still ran.
    assert!(stdout.contains("Empty tasks: 200 per batch"), "{stdout}");
    assert!(stdout.contains("50 of 50"), "{stdout}");
}

/// A dataset folder whose name is not UTF-8: tasks name their files as text, so the tables
/// that need the dataset are skipped with a note whose `ln -s` command, run as printed,
/// links it from a plain name; a worker given such a `--data` refuses it at once.
#[cfg(unix)]
#[test]
fn a_dataset_folder_whose_name_is_not_utf8_is_named_with_a_command_that_works() {
    use std::os::unix::ffi::OsStrExt as _;
    let (dir, _dataset) = common::dataset();
    let odd = dir
        .path()
        .parent()
        .expect("a parent")
        .join(std::ffi::OsStr::from_bytes(b"odd\xff\xfe"));
    let _ = std::fs::remove_dir_all(&odd);
    std::fs::rename(dir.path(), &odd).expect("renamed");
    let output = run(&odd, "--runs 1 --tasks 100 --lost-tasks 20 --grid 2");
    let stderr = String::from_utf8_lossy(&output.stderr);
    std::fs::rename(&odd, dir.path()).expect("renamed back");
    assert!(
        output.status.success(),
        "the tables that need no dataset run: {stderr}"
    );
    assert!(stderr.contains("has a name that is not UTF-8"), "{stderr}");
    let command = stderr
        .split('`')
        .find(|part| part.starts_with("ln -s "))
        .unwrap_or_else(|| panic!("no ln -s command in: {stderr}"));
    let link = tempfile::tempdir().expect("a temporary folder");
    let made = link.path().join("plain");
    std::fs::rename(dir.path(), &odd).expect("renamed again");
    let command = command.replace("/tmp/parallel-rust-data", &made.display().to_string());
    let ran = Command::new("bash").args(["-c", &command]).status();
    let target = std::fs::read_link(&made);
    std::fs::rename(&odd, dir.path()).expect("renamed back");
    assert!(ran.is_ok_and(|s| s.success()), "{command}");
    assert_eq!(
        target.expect("a link"),
        odd,
        "the command names the folder exactly"
    );

    let output = Command::new(env!("CARGO_BIN_EXE_worker-05"))
        .arg("--data")
        .arg(&odd)
        .output()
        .expect("worker-05 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("not UTF-8"), "{stderr}");
}

#[test]
fn counts_beyond_their_range_are_refused_at_once_naming_the_flag() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (program, args, flag) in [
        (PROGRAM, "--tasks 99999999999", "--tasks"),
        (PROGRAM, "--lost-tasks 0", "--lost-tasks"),
        (PROGRAM, "--workers 100000", "--workers"),
        (PROGRAM, "--years 0", "--years"),
        (PROGRAM, "--year 2147483647", "--year"),
        (
            env!("CARGO_BIN_EXE_client-05"),
            "yearly --years 2000000000",
            "--years",
        ),
        (
            env!("CARGO_BIN_EXE_client-05"),
            "graph --leaves 1000000",
            "--leaves",
        ),
        (
            env!("CARGO_BIN_EXE_worker-05"),
            "--threads 99999999999",
            "--threads",
        ),
    ] {
        let output =
            shared::testing::run_program(program, dir.path(), args, Duration::from_secs(10));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args} must be refused: {stderr}");
        assert!(
            stderr.contains(flag),
            "{args}: the error names {flag}: {stderr}"
        );
    }
}

#[test]
fn without_the_dataset_the_tables_that_need_none_still_run() {
    let empty = tempfile::tempdir().expect("a temporary folder");
    let output = run(empty.path(), "--runs 1 --tasks 500 --lost-tasks 100");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the program failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("Empty tasks: 500 per batch"), "{stdout}");
    assert!(stdout.contains("100 of 100"), "{stdout}");
    assert!(!stdout.contains("yearly statistics"), "{stdout}");
    assert!(
        stderr.contains("cargo run --release -p data"),
        "the note says how to make the dataset: {stderr}"
    );
}

#[test]
fn a_worker_process_killed_mid_batch_loses_no_result() {
    within_for("5 (given)", Duration::from_secs(60), || {
        let cluster =
            LocalCluster::start(Answers::SOLUTION, 0, Config::default()).expect("a scheduler");
        let mut workers = WorkerProcesses::start(
            Path::new(PROGRAM),
            cluster.addr(),
            &cluster.secret_file(),
            2,
        )
        .expect("two workers");
        let pids = workers.pids();
        cluster.wait_for_workers(2).expect("both workers join");
        let client = cluster.client().expect("a client");
        let mut done = Vec::new();
        let futures = cluster.block_on(client.map::<Sleep>(&vec![500_u64; 1000]));
        let mut arriving: FuturesUnordered<_> = futures
            .into_iter()
            .map(|future| async move { (future.id().n, future.await) })
            .collect();
        while let Some((n, outcome)) = cluster.block_on(arriving.next()) {
            outcome.expect("every task succeeds");
            done.push(n);
            if done.len() == 100 {
                workers.kill(0).expect("kills worker 0");
            }
        }
        done.sort_unstable();
        assert_eq!(done, (0..1000).collect::<Vec<u64>>(), "every result, once");
        let counters = cluster.snapshot().expect("running").counters;
        assert_eq!((counters.workers_lost, counters.finished), (1, 1000));
        drop(workers);
        for pid in pids {
            assert!(
                !Path::new(&format!("/proc/{pid}")).exists(),
                "worker process {pid} outlived its WorkerProcesses"
            );
        }
    });
}

#[test]
fn scheduler_05_and_worker_05_run_a_batch_as_separate_processes() {
    within_for("5 (given)", Duration::from_secs(60), || {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let secret_file = dir.path().join("scheduler.secret");
        let (_scheduler, addr, stderr) = start_scheduler(&secret_file);
        let _workers: Vec<Killed> = (0..2)
            .map(|i| {
                let child = Command::new(env!("CARGO_BIN_EXE_worker-05"))
                    .args(["--scheduler", &addr.to_string(), "--name", &format!("w{i}")])
                    .arg("--secret-file")
                    .arg(&secret_file)
                    .spawn()
                    .expect("worker-05 starts");
                Killed(child)
            })
            .collect();
        // The scheduler says when each worker joins.
        let mut joined = 0;
        while joined < 2 {
            let line = stderr
                .recv_timeout(Duration::from_secs(20))
                .expect("scheduler-05 reports two workers joining");
            joined += usize::from(line.contains(" joined"));
        }
        let runtime = tokio::runtime::Runtime::new().expect("tokio");
        runtime.block_on(async {
            let secret = lesson_05_distributed::auth::Secret::load(&secret_file)
                .expect("the scheduler wrote its secret");
            let client = lesson_05_distributed::client::Client::connect(addr, &secret)
                .await
                .expect("a client connects");
            let reports = client
                .run_on_all::<lesson_05_distributed::tasks::WhoAmI>(&())
                .await
                .expect("the scheduler answers");
            let mut names: Vec<String> = reports
                .into_iter()
                .map(|(_, report)| report.expect("whoami runs").worker)
                .collect();
            names.sort();
            assert_eq!(names, ["w0", "w1"]);
            let args: Vec<i64> = (0..100).collect();
            let futures = client
                .map::<lesson_05_distributed::tasks::Square>(&args)
                .await;
            let squares = futures::future::try_join_all(futures)
                .await
                .expect("squares");
            assert_eq!(squares, args.iter().map(|x| x * x).collect::<Vec<_>>());
        });
    });
}

#[cfg(unix)]
#[test]
fn a_scheduler_stopped_by_sigterm_says_goodbye_and_its_worker_exits_with_success() {
    within_for("5 (given)", Duration::from_secs(60), || {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let secret = dir.path().join("scheduler.secret");
        let (mut scheduler, scheduler_err, mut worker, worker_err) = scheduler_and_worker(&secret);
        let pid = scheduler.0.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(killed.is_ok_and(|s| s.success()), "kill -TERM works");
        let (status, said) = exit_of(&mut worker, &worker_err, Duration::from_secs(20));
        assert!(
            status.success(),
            "the worker exits with success: {status}; it said:\n{said}"
        );
        assert!(
            said.contains("stopped (stopped by SIGTERM)"),
            "it says why:\n{said}"
        );
        let (status, said) = exit_of(&mut scheduler, &scheduler_err, Duration::from_secs(20));
        assert!(
            status.success(),
            "the scheduler exits with success: {status}:\n{said}"
        );
        assert!(said.contains("told 1 workers"), "{said}");
    });
}

#[test]
fn a_killed_scheduler_makes_its_worker_exit_with_an_error_that_says_so() {
    within_for("5 (given)", Duration::from_secs(60), || {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let secret = dir.path().join("scheduler.secret");
        let (mut scheduler, _scheduler_err, mut worker, worker_err) = scheduler_and_worker(&secret);
        scheduler.0.kill().expect("the scheduler is killed");
        let (status, said) = exit_of(&mut worker, &worker_err, Duration::from_secs(20));
        assert!(
            !status.success(),
            "the worker fails: {status}; it said:\n{said}"
        );
        assert!(
            said.contains("without a goodbye"),
            "it says what happened:\n{said}"
        );
        assert!(
            !said.contains("Broken pipe (os error 32): Broken pipe"),
            "a cause is said once:\n{said}"
        );
    });
}

#[cfg(unix)]
#[test]
fn a_stopped_scheduler_is_left_by_its_worker_after_the_timeout_saying_why() {
    within_for("5 (given)", Duration::from_secs(60), || {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let secret = dir.path().join("scheduler.secret");
        let args = ["--timeout-ms", "1000", "--heartbeat-ms", "100"];
        let (scheduler, addr, scheduler_err) = start_scheduler_with(&secret, &args);
        let (mut worker, worker_err) = start_worker(addr, &secret);
        line_with(&scheduler_err, " joined");
        // Ctrl-Z: the kernel still acknowledges the worker's heartbeats, and only the
        // scheduler's own silence shows that it is gone.
        let pid = scheduler.0.id().to_string();
        let stopped = Command::new("kill").args(["-STOP", &pid]).status();
        assert!(stopped.is_ok_and(|s| s.success()), "kill -STOP works");
        let (status, said) = exit_of(&mut worker, &worker_err, Duration::from_secs(20));
        assert!(
            !status.success(),
            "the worker fails: {status}; it said:\n{said}"
        );
        assert!(
            said.contains("has sent nothing for 1s"),
            "it says why:\n{said}"
        );
        drop(scheduler); // SIGKILL ends a stopped process too
    });
}

#[test]
fn an_address_not_of_this_machine_is_refused_with_the_ones_to_use() {
    let output = Command::new(env!("CARGO_BIN_EXE_scheduler-05"))
        .args(["--listen", "8.8.8.8:8786"])
        .output()
        .expect("scheduler-05 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "refused: {stderr}");
    assert!(
        stderr.contains("8.8.8.8 is not an address of this machine"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`--listen 127.0.0.1:8786`") && stderr.contains("`--listen 0.0.0.0:8786`"),
        "{stderr}"
    );
}

#[test]
fn a_depth_beyond_the_workers_window_is_refused_at_start_up() {
    let output = Command::new(env!("CARGO_BIN_EXE_scheduler-05"))
        .args(["--listen", "127.0.0.1:0", "--depth", "70000"])
        .output()
        .expect("scheduler-05 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "refused: {stderr}");
    assert!(stderr.contains("1..=65536"), "it gives the range: {stderr}");
}

#[test]
fn client_05_runs_the_yearly_stats_flat_and_as_a_tree_and_the_graphs_on_a_deployment() {
    within_for("5 (given)", Duration::from_secs(90), || {
        let (data, dataset) = common::dataset();
        let dir = tempfile::tempdir().expect("a temporary folder");
        let secret = dir.path().join("scheduler.secret");
        let (_scheduler, addr, stderr) = start_scheduler(&secret);
        let data_dir = data.path().to_str().expect("a UTF-8 path");
        let _workers: Vec<_> = (0..2)
            .map(|_| start_worker_with(addr, &secret, &["--data", data_dir]).0)
            .collect();
        for _ in 0..2 {
            line_with(&stderr, " joined");
        }
        let files = dataset.all_minute_files();
        let local = lesson_05_distributed::tasks::yearly_stats(&files).expect("reads");
        let expected = lesson_05_distributed::tasks::summarise_yearly(&local);
        let client = |workload: &str| {
            let args = format!(
                "--scheduler {addr} --secret-file {} {workload}",
                secret.display()
            );
            let output = shared::testing::run_program(
                env!("CARGO_BIN_EXE_client-05"),
                data.path(),
                &args,
                Duration::from_secs(60),
            );
            let (stdout, stderr) = (
                String::from_utf8_lossy(&output.stdout).into_owned(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            );
            assert!(
                output.status.success(),
                "client-05 {workload} fails:\n{stdout}\n{stderr}"
            );
            (stdout, stderr)
        };
        let yearly = "yearly --year 2015 --years 2 --files-per-task 2";
        // The flat map merged here, and the tree of merges on the workers: one answer.
        for workload in [yearly.to_string(), format!("{yearly} --tree")] {
            let (stdout, stderr) = client(&workload);
            assert!(
                stdout.contains(&expected),
                "client-05 {workload} should print {expected:?}:\n{stdout}"
            );
            assert!(stderr.contains("client: 2 workers"), "{stderr}");
        }
        let (stdout, _) = client("graph --numbers 100000 --leaves 64");
        assert!(stdout.contains("y = add(inc(1), 10) = 12"), "{stdout}");
        assert!(
            stdout.contains("= 4999950000 (exact)"),
            "the tree's sum of 0..100,000: {stdout}"
        );
    });
}

#[test]
fn a_host_name_is_resolved_for_listen_and_a_bad_one_is_named() {
    within_for("5 (given)", Duration::from_secs(60), || {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let secret = dir.path().join("scheduler.secret");
        let (_scheduler, addr, _stderr) =
            common::process::start_scheduler_with(&secret, &["--listen", "localhost:0"]);
        assert!(addr.ip().is_loopback(), "localhost is this machine: {addr}");
        let output = Command::new(env!("CARGO_BIN_EXE_worker-05"))
            .args(["--scheduler", "no-such-host.invalid:8786"])
            .output()
            .expect("worker-05 runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{stderr}");
        assert!(
            stderr.contains("cannot resolve \"no-such-host.invalid:8786\""),
            "{stderr}"
        );
    });
}
