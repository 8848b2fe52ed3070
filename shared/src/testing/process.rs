//! Running a lesson's program from its tests, bounded in time.

use std::sync::mpsc;
use std::time::Duration;

/// Runs a lesson's program (for its tests) with stdout and stderr captured, and kills it if
/// it runs past `limit`: a program that runs a learner's deadlocked answer must fail its
/// test, not hang it, and must not outlive the test run.
pub fn run_bounded(command: &mut std::process::Command, limit: Duration) -> std::process::Output {
    use std::process::Stdio;
    let program = command.get_program().to_string_lossy().into_owned();
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    wait_bounded(child, &program, limit)
}

/// Waits for `child` (already started, its output piped) for at most `limit`, and returns
/// its output; past `limit`, kills it and fails the test, naming it `program`.
pub fn wait_bounded(
    child: std::process::Child,
    program: &str,
    limit: Duration,
) -> std::process::Output {
    let pid = child.id().to_string();
    let (done, output) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match output.recv_timeout(limit) {
        Ok(output) => output.unwrap_or_else(|e| panic!("{program} did not run: {e}")),
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid])
                .status();
            panic!(
                "{program} did not finish in {limit:?} (a deadlock in an exercise?); it was killed"
            )
        }
    }
}

/// Runs `program` as a learner would, on the dataset in `data`, with `args` (split at
/// spaces) and progress bars off, through [`run_bounded`] with `limit`.
pub fn run_program(
    program: &str,
    data: &std::path::Path,
    args: &str,
    limit: Duration,
) -> std::process::Output {
    run_bounded(
        std::process::Command::new(program)
            .args(args.split(' ').filter(|arg| !arg.is_empty()))
            .env(crate::dataset::DATA_ENV, data)
            .env("PARALLEL_RUST_NO_PROGRESS", "1"),
        limit,
    )
}
