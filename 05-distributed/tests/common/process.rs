//! Starting `scheduler-05` and `worker-05` as real processes, reading what they say, and
//! waiting for them to exit: each is killed and reaped when dropped, so none outlives a test.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// `scheduler-05` on a port the system picks, read back from its first line on stderr.
pub fn start_scheduler(
    secret: &Path,
) -> (
    Killed,
    std::net::SocketAddr,
    std::sync::mpsc::Receiver<String>,
) {
    start_scheduler_with(secret, &[])
}

/// [`start_scheduler`], with more arguments.
pub fn start_scheduler_with(
    secret: &Path,
    args: &[&str],
) -> (
    Killed,
    std::net::SocketAddr,
    std::sync::mpsc::Receiver<String>,
) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scheduler-05"))
        .args(if args.contains(&"--listen") {
            &[][..]
        } else {
            &["--listen", "127.0.0.1:0"][..]
        })
        .arg("--secret-file")
        .arg(secret)
        .args(args)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("scheduler-05 starts");
    let rx = lines_of(child.stderr.take().expect("piped"));
    let child = Killed(child);
    let mut warned = false;
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("scheduler-05 says where it listens");
        warned |= line.starts_with("warning: this is a debug build");
        if let Some(rest) = line.split(" listening on ").nth(1) {
            assert_eq!(warned, cfg!(debug_assertions), "the debug-build warning");
            let addr = rest.split(';').next().expect("an address").trim();
            return (child, addr.parse().expect("a socket address"), rx);
        }
    }
}

/// A child process killed and reaped when dropped, so that none outlives the test.
pub struct Killed(pub std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `worker-05` for the scheduler at `addr`, its stderr read line by line.
pub fn start_worker(
    addr: std::net::SocketAddr,
    secret: &Path,
) -> (Killed, std::sync::mpsc::Receiver<String>) {
    start_worker_with(addr, secret, &[])
}

/// [`start_worker`], with more arguments.
pub fn start_worker_with(
    addr: std::net::SocketAddr,
    secret: &Path,
    args: &[&str],
) -> (Killed, std::sync::mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_worker-05"))
        .args(["--scheduler", &addr.to_string(), "--secret-file"])
        .arg(secret)
        .args(args)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("worker-05 starts");
    let rx = lines_of(child.stderr.take().expect("piped"));
    (Killed(child), rx)
}

/// Waits for `child` to exit (at most `limit`), polling its status between reads of its
/// stderr; returns the status and everything it said.
pub fn exit_of(
    child: &mut Killed,
    stderr: &std::sync::mpsc::Receiver<String>,
    limit: Duration,
) -> (std::process::ExitStatus, String) {
    let deadline = std::time::Instant::now() + limit;
    let mut said = String::new();
    loop {
        // Each line the child writes wakes this loop; the pipe closes when it exits.
        match stderr.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => said += &(line + "\n"),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.0.wait().expect("the child is reaped");
                return (status, said);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Some(status) = child.0.try_wait().expect("a status") {
            // Its last lines may still be on their way from the reading thread: read on
            // until the pipe closes (its children, if any, may hold it: not for long).
            while let Ok(line) = stderr.recv_timeout(Duration::from_secs(5)) {
                said += &(line + "\n");
            }
            return (status, said);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the process did not exit within {limit:?}; it said:\n{said}"
        );
    }
}

/// Starts scheduler-05 and one worker-05, and waits until the worker has joined.
pub fn scheduler_and_worker(
    secret: &Path,
) -> (
    Killed,
    std::sync::mpsc::Receiver<String>,
    Killed,
    std::sync::mpsc::Receiver<String>,
) {
    let (scheduler, addr, scheduler_err) = start_scheduler(secret);
    let (worker, worker_err) = start_worker(addr, secret);
    loop {
        let line = scheduler_err
            .recv_timeout(Duration::from_secs(20))
            .expect("scheduler-05 reports the worker joining");
        if line.contains(" joined") {
            return (scheduler, scheduler_err, worker, worker_err);
        }
    }
}

/// Waits (at most 20 s) for a line of `stderr` that contains `text`; returns it.
pub fn line_with(stderr: &std::sync::mpsc::Receiver<String>, text: &str) -> String {
    loop {
        let line = stderr
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no line with {text:?} within 20 s"));
        if line.contains(text) {
            return line;
        }
    }
}

/// The resident memory of process `pid`, in bytes (Linux: `/proc/PID/status`).
pub fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The lines of `stderr`, read on a thread of their own as they come; the channel closes
/// when the process does.
fn lines_of(stderr: std::process::ChildStderr) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead as _;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    rx
}
