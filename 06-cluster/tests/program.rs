//! The `exercise-06` / `solution-06` program and its launcher, run as a learner runs them,
//! on a tiny dataset. Tests run the binary whose answers they check: `solution-06` with
//! `--features solution`, `exercise-06` without. Both pass on the untouched stubs: the
//! program runs the reference's answer in place of an exercise not done yet, and says so.
//!
//! Each launch reads a copy of the minute files in a folder of its own, so that the test
//! can then look for any process whose command line names that folder: none may be left.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

#[cfg(feature = "solution")]
const PROGRAM: &str = env!("CARGO_BIN_EXE_solution-06");
#[cfg(not(feature = "solution"))]
const PROGRAM: &str = env!("CARGO_BIN_EXE_exercise-06");

/// Runs the program on the tiny dataset, for at most two minutes.
fn run(data: &Path, args: &str) -> Output {
    shared::testing::run_program(PROGRAM, data, args, Duration::from_secs(120))
}

/// A copy of the tiny dataset's minute files in a new folder.
fn copy_of_minute(data: &common::Tiny) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let minute = dir.path().join("minute");
    for file in data.files() {
        let symbol = file
            .parent()
            .and_then(Path::file_name)
            .expect("a symbol folder");
        let target = minute.join(symbol);
        std::fs::create_dir_all(&target).expect("a symbol folder");
        std::fs::copy(&file, target.join(file.file_name().expect("a name"))).expect("a copy");
    }
    (dir, minute)
}

/// Processes (other than this test) whose command line mentions `text`.
#[cfg(target_os = "linux")]
fn processes_mentioning(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(text) && cmdline.contains("-06") {
            found.push(format!(
                "{}: {cmdline}",
                entry.file_name().to_string_lossy()
            ));
        }
    }
    found
}

#[cfg(not(target_os = "linux"))]
fn processes_mentioning(_text: &str) -> Vec<String> {
    Vec::new()
}

fn assert_none_left(minute: &Path) {
    let left = processes_mentioning(&minute.to_string_lossy());
    assert!(left.is_empty(), "processes left running: {left:?}");
}

/// The line that starts with `answer:`.
fn answer_line(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the program failed:\n{stdout}\n{stderr}"
    );
    stdout
        .lines()
        .find(|l| l.starts_with("answer:"))
        .unwrap_or_else(|| panic!("no answer line in:\n{stdout}\n{stderr}"))
        .to_string()
}

#[test]
fn the_group_by_gives_the_same_answer_on_one_process_and_on_two() {
    let data = common::tiny_data();
    let (_dir, minute) = copy_of_minute(&data);
    let on = |layout: &str| {
        let args = format!("launch groupby {layout} --minute {}", minute.display());
        answer_line(&run(&data.root, &args))
    };
    let two_processes = on("-n 2 -w 1");
    assert!(
        two_processes.starts_with("answer: 3 symbols, 39 days from 39 files"),
        "{two_processes}"
    );
    assert_eq!(on("-n 1 -w 2"), two_processes);
    assert_none_left(&minute);
}

#[test]
fn the_search_gives_the_same_answer_on_one_process_and_on_two() {
    let data = common::tiny_data();
    let on = |layout: &str| {
        let args = format!("launch search {layout} --grid 4");
        let output = run(&data.root, &args);
        // Its first line: which dataset every process reads, and why that one.
        let reads = format!("Reads:  {} (from $PARALLEL_RUST_DATA)", data.root.display());
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.starts_with(&reads), "{stdout}");
        answer_line(&output)
    };
    let two_processes = on("-n 2 -w 1");
    assert!(two_processes.contains(" windows on AIG"), "{two_processes}");
    assert_eq!(on("-n 1 -w 1"), two_processes);
}

#[test]
fn the_search_left_at_its_default_symbol_takes_the_datasets_first_when_it_has_no_aig() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    data::make(dir.path(), data::Size::Tiny).expect("a tiny dataset (no AIG)");
    let output = run(dir.path(), "launch search -n 2 -w 1 --grid 4");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("has no AIG (the default): using AAPL"),
        "{stderr}"
    );
    let answer = answer_line(&output);
    assert!(answer.contains(" windows on AAPL"), "{answer}");
}

#[test]
fn the_tour_runs_both_jobs_and_its_corrupted_copy_reports_the_damaged_line() {
    let data = common::tiny_data();
    let output = run(&data.root, "--runs 1 --grid 4");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Debugging (6.3)"), "{stdout}");
    let demo = &stdout[stdout.find("Debugging (6.3)").unwrap_or(0)..];
    assert!(
        !demo.contains("The launcher reports"),
        "the demo's launch failed:\n{demo}"
    );
    assert!(
        demo.contains("answer:"),
        "the group-by answers beside the damage:\n{demo}"
    );
}

#[test]
fn a_corrupted_file_reaches_the_launcher_with_worker_file_and_line() {
    let data = common::tiny_data();
    let (_dir, minute) = copy_of_minute(&data);
    let mut files: Vec<PathBuf> = std::fs::read_dir(minute.join("JPM"))
        .expect("JPM's files")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    let bad = files[3].clone();
    common::corrupt(&bad, 30);
    let args = format!("launch groupby -n 2 -w 1 --minute {}", minute.display());
    let output = run(&data.root, &args);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // JPM's files come after AAPL's and AIG's, 13 each: the bad one is file 29 of the
    // sorted list, dealt to worker 29 mod 2.
    for part in ["worker 1", &bad.display().to_string(), "line 30"] {
        assert!(
            all.contains(part),
            "the launcher's output should say {part:?}:\n{all}"
        );
    }
    assert_none_left(&minute);
}

#[test]
fn a_failing_process_stops_the_launch_and_leaves_none_running() {
    let data = common::tiny_data();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let missing = dir.path().join("no-such-minute-folder");
    let args = format!("launch groupby -n 2 -w 1 --minute {}", missing.display());
    let output = run(&data.root, &args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the launch should fail");
    assert!(
        stderr.contains("failed") && stderr.contains("cannot list the minute folder"),
        "the launcher should pass on the process's error:\n{stderr}"
    );
    assert_none_left(&missing);
}

#[test]
fn a_process_started_by_hand_says_what_its_flags_mean() {
    let data = common::tiny_data();
    let output = run(&data.root, "process groupby --help");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    for flag in ["--workers", "--processes", "--process", "--hostfile"] {
        assert!(
            stdout.contains(flag),
            "--help should list {flag}:\n{stdout}"
        );
    }
    let output = run(&data.root, "process groupby -n 2");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("needs a hostfile"), "{stderr}");
}

#[test]
fn a_layout_out_of_range_is_refused_at_once_naming_the_flag() {
    let data = common::tiny_data();
    for (args, flag) in [
        ("launch groupby -n 0", "--processes"),
        ("launch groupby -w 100000", "--workers"),
        ("process groupby -w 0", "--workers"),
    ] {
        let output = run(&data.root, args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args} must fail: {stderr}");
        assert!(
            stderr.contains(flag),
            "{args}: the error names {flag}: {stderr}"
        );
        assert!(
            stderr.contains("1..=64"),
            "{args}: it gives the range: {stderr}"
        );
    }
}

#[test]
fn a_process_whose_peer_is_unreachable_exits_at_its_deadline_naming_it() {
    let data = common::tiny_data();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let hostfile = dir.path().join("hosts.txt");
    let free = || {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.local_addr().expect("an address").to_string()
    };
    let (mine, theirs) = (free(), free());
    std::fs::write(&hostfile, format!("{mine}\n{theirs}\n")).expect("a hostfile");
    let args = format!(
        "process groupby -n 2 -p 0 -h {} --start-timeout 2 --secret-file {}",
        hostfile.display(),
        dir.path().join("cluster.secret").display()
    );
    let started = std::time::Instant::now();
    let output = run(&data.root, &args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert!(
        stderr.contains(&format!("process 1 at {theirs}")),
        "it names the peer: {stderr}"
    );
}

/// Starts `process groupby -n 2 -p 0` with `deadline` seconds for the start-up and for a
/// silent peer, plays process 1 (a hello, then `then` with the connection, which keeps what
/// it returns until process 0 exits), and returns process 0's output, how long it ran after
/// the hello, and process 1's address.
fn process_0_with_a_fake_peer<K>(
    then: impl FnOnce(std::net::TcpStream) -> K,
) -> (Output, Duration, String) {
    use lesson_06_cluster::engine::connect::{Hello, join};
    let data = common::tiny_data();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let hostfile = dir.path().join("hosts.txt");
    let free = || {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.local_addr().expect("an address")
    };
    let (mine, theirs) = (free(), free());
    std::fs::write(&hostfile, format!("{mine}\n{theirs}\n")).expect("a hostfile");
    let child = std::process::Command::new(PROGRAM)
        .args(["process", "groupby", "-n", "2", "-p", "0", "-h"])
        .arg(&hostfile)
        .args(["--start-timeout", "20", "--silence", "2", "--secret-file"])
        .arg(dir.path().join("cluster.secret"))
        .env(shared::dataset::DATA_ENV, &data.root)
        .env("PARALLEL_RUST_NO_PROGRESS", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the program starts");
    let started = std::time::Instant::now();
    let mut stream = loop {
        match std::net::TcpStream::connect(mine) {
            Ok(stream) => break stream,
            Err(e) if started.elapsed() > Duration::from_secs(30) => panic!("never listened: {e}"),
            Err(_) => std::thread::yield_now(),
        }
    };
    let hello = Hello {
        process: 1,
        processes: 2,
        workers: 1,
    };
    let secret = shared::secret::Secret::load(&dir.path().join("cluster.secret"))
        .expect("process 0's secret, made before it listened");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    join(&mut stream, hello, &secret, 0, deadline).expect("process 0 lets it in");
    let said = std::time::Instant::now();
    let kept = then(stream);
    let output = shared::testing::wait_bounded(child, "process 0", Duration::from_secs(60));
    drop(kept);
    (output, said.elapsed(), theirs.to_string())
}

#[test]
fn a_peer_stopped_during_the_job_is_named_after_silence_not_waited_for() {
    // Stopped: the connection stays open and nothing comes.
    let (output, ran, theirs) = process_0_with_a_fake_peer(|stream| stream);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(ran < Duration::from_secs(30), "{ran:?}");
    assert!(
        stderr.contains(&format!("process 1 at {theirs} has sent nothing for 2 s")),
        "{stderr}"
    );
}

#[test]
fn a_peer_that_dies_during_the_job_is_named_in_one_line_without_timelys_panics() {
    let (output, _, theirs) = process_0_with_a_fake_peer(drop);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("the connection to process 1 at {theirs} ended")),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "timely's panics show:\n{stderr}"
    );
}
