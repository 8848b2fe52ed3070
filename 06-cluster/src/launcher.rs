//! A local cluster: `P` processes of one program on 127.0.0.1, each with `W` workers.
//!
//! [`launch`] picks `P` free ports, writes them into a hostfile (line `i` is process `i`'s
//! address, timely's format) and a new secret beside it, starts the processes with timely's
//! flags (`-w W -n P -p i -h HOSTFILE`) and `--secret-file`, removes the two files once
//! process 0's dataflow runs (all have read them), shows process 0's progress, and returns
//! process 0's output. When a process fails, it stops all the others and
//! returns that process's last lines; when the launcher itself goes (Ctrl-C, a kill), the
//! kernel stops them too (Linux: each child asks for `SIGKILL` when its parent dies). No
//! process outlives a launch.
//!
//! On real machines there is no launcher: each machine runs the same command with its own
//! `-p`, and the hostfile lists the machines (see the book's section 6.5).

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use shared::progress::{ClearOnDrop, ProgressBar};

/// Set to `1` in process 0's environment by [`launch`]: print progress as lines
/// (`progress DONE ROUNDS`) on stdout, for the launcher to draw, instead of a bar.
pub const PROGRESS_LINES: &str = "LESSON_06_PROGRESS_LINES";

/// What timely prints on stdout while a process waits for its peers to connect: not part
/// of the answer.
const TIMELY_WAITING: &str = "awaiting connections";

/// How many of a failed process's last stderr lines the error shows.
const LAST_WORDS: usize = 12;

/// One local cluster run.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The program every process runs: the launcher's own binary, so that process `i` of
    /// `exercise-06` is `exercise-06`.
    pub program: PathBuf,
    /// Its arguments before timely's flags (`process groupby …`).
    pub args: Vec<OsString>,
    pub processes: usize,
    pub workers: usize,
    /// The progress bar's label; `None` for no bar.
    pub label: Option<String>,
    /// How long the launch may go without a line from any process (process 0 reports each
    /// round): past it, every process is stopped and the error names those that were
    /// stopped or stuck.
    pub silence: Duration,
}

/// [`Launch::silence`] unless told otherwise: a round of the lesson's jobs takes well under
/// a second, and start-up a few seconds. The processes get it as their `--silence` too, so
/// that process 0 names a stopped peer as soon as the launcher would.
pub const SILENCE: Duration = Duration::from_secs(30);

/// What a launch gave back.
#[derive(Debug, Clone)]
pub struct Launched {
    /// Process 0's standard output, without its progress lines.
    pub output: String,
    /// From the first process started to the last one finished.
    pub elapsed: Duration,
}

/// Why a launch failed. Every process it started has been stopped and reaped.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("cannot find {0} free ports on 127.0.0.1: {1}")]
    Ports(usize, std::io::Error),
    #[error("cannot write the hostfile {0}: {1}")]
    Hostfile(PathBuf, std::io::Error),
    #[error("cannot make the cluster's secret: {0}")]
    Secret(#[from] shared::secret::SecretError),
    #[error("no process said anything for {waited:?}, so the launcher stopped them all: {which}")]
    Silent { waited: Duration, which: String },
    #[error("cannot start process {process}, {program}: {error}")]
    Start {
        process: usize,
        program: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "process {process} of {processes} failed ({status}), so the launcher stopped every \
         process. {last_words}"
    )]
    Failed {
        process: usize,
        processes: usize,
        status: ExitStatus,
        last_words: String,
    },
}

/// The processes of one launch. Dropping it kills and reaps those still running.
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// What the reader threads tell the launcher: a line of a process's stdout
/// (`stdout == true`) or stderr.
struct Line {
    process: usize,
    stdout: bool,
    text: String,
}

/// Runs one local cluster to the end: see the [module docs](self).
pub fn launch(launch: &Launch) -> Result<Launched, LaunchError> {
    let n = launch.processes.max(1);
    let dir = tempfile::tempdir().map_err(|e| LaunchError::Hostfile(std::env::temp_dir(), e))?;
    let hostfile = dir.path().join("hosts.txt");
    write_hostfile(&hostfile, n)?;
    // A secret of this launch's own, beside the hostfile: its processes prove it to each
    // other, and it goes with the folder.
    shared::secret::Secret::random()?.save(&hostfile.with_file_name("cluster.secret"))?;
    // Removed once the processes have read it (below), so that a launcher stopped by
    // Ctrl-C or a kill, which runs no destructor, leaves no secret behind once its cluster
    // runs (during the start-up it does: the folder is the user's alone, mode 700).
    let mut dir = Some(dir);

    let started = Instant::now();
    let (tx, events) = mpsc::channel();
    let mut processes = start(launch, n, &hostfile, &tx)?;
    drop(tx);
    let mut heard = Heard::new(launch.label.as_deref(), n);
    let mut last_heard = Instant::now();
    loop {
        // Lines as they come; between them, a look at who has exited.
        while let Ok(line) = events.recv_timeout(Duration::from_millis(20)) {
            heard.take(line);
            last_heard = Instant::now();
        }
        if heard.running {
            // Process 0's dataflow runs, so every process has connected to it: each has
            // read the hostfile and the secret, and needs them no more.
            drop(dir.take());
        }
        if last_heard.elapsed() > launch.silence {
            let which = processes.silent();
            drop(processes);
            return Err(LaunchError::Silent {
                waited: launch.silence,
                which,
            });
        }
        match processes.exited() {
            Exited::Running => {}
            Exited::All => break,
            Exited::Failed(process, status) => {
                // Stop the others first, then collect what they all said last: their pipes
                // close as they die, which ends the readers and so this iteration.
                drop(processes);
                return Err(heard.failed(process, status, events.iter()));
            }
        }
    }
    // Every process has exited: the rest of their output is in the channel.
    events.iter().for_each(|line| heard.take(line));
    // A run that succeeded anyway: what was held back is said now.
    for line in heard.panics.drain(..) {
        eprintln!("{line}");
    }
    Ok(Launched {
        output: heard.output,
        elapsed: started.elapsed(),
    })
}

/// Starts the `n` processes of `launch`, each with its `-w -n -p -h` flags, their output
/// forwarded line by line to `tx`.
fn start(
    launch: &Launch,
    n: usize,
    hostfile: &Path,
    tx: &mpsc::Sender<Line>,
) -> Result<Processes, LaunchError> {
    let mut processes = Processes(Vec::with_capacity(n));
    for process in 0..n {
        let mut command = Command::new(&launch.program);
        command
            .args(&launch.args)
            .args(["-w", &launch.workers.to_string(), "-n", &n.to_string()])
            .args(["-p", &process.to_string(), "-h"])
            .arg(hostfile)
            .args(["--silence", &launch.silence.as_secs().max(1).to_string()])
            .arg("--secret-file")
            .arg(hostfile.with_file_name("cluster.secret"))
            .env(PROGRESS_LINES, "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        die_with_parent(&mut command);
        let mut child = command.spawn().map_err(|error| LaunchError::Start {
            process,
            program: launch.program.clone(),
            error,
        })?;
        forward(child.stdout.take(), process, true, tx.clone());
        forward(child.stderr.take(), process, false, tx.clone());
        processes.0.push(child);
    }
    Ok(processes)
}

/// Where the processes stand.
enum Exited {
    Running,
    All,
    /// This process exited with a failure.
    Failed(usize, ExitStatus),
}

impl Processes {
    /// Which processes are stopped (state `T` in `/proc/PID/stat`, e.g. by SIGSTOP), as a
    /// phrase for an error; if none is, that they are all running but silent.
    fn silent(&self) -> String {
        let stopped: Vec<String> = (self.0.iter().enumerate())
            .filter(|(_, child)| {
                let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id()));
                // The state follows the command's closing parenthesis.
                stat.ok()
                    .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| rest.starts_with('T')))
                    .unwrap_or(false)
            })
            .map(|(i, child)| format!("process {i} (pid {})", child.id()))
            .collect();
        if stopped.is_empty() {
            "none is stopped: one may be stuck, or waiting for a peer".into()
        } else {
            format!("{} stopped (SIGSTOP?)", stopped.join(" and "))
        }
    }

    fn exited(&mut self) -> Exited {
        let mut running = false;
        for (process, child) in self.0.iter_mut().enumerate() {
            match child.try_wait() {
                Ok(Some(status)) if !status.success() => return Exited::Failed(process, status),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => running = true,
            }
        }
        if running {
            Exited::Running
        } else {
            Exited::All
        }
    }
}

/// What the launcher has heard: process 0's output (less its progress lines, which move
/// the bar), process 0's stderr echoed, and each process's last lines of stderr.
struct Heard {
    output: String,
    last_words: Vec<VecDeque<String>>,
    bar: ClearOnDrop,
    /// Process 0's panic reports (timely's, when a peer goes away), held back rather than
    /// echoed: a failed launch prints its verdict first and these below it.
    panics: Vec<String>,
    in_panic: bool,
    /// Process 0 has reported progress: its dataflow runs.
    running: bool,
}

impl Heard {
    fn new(label: Option<&str>, processes: usize) -> Heard {
        Heard {
            output: String::new(),
            last_words: vec![VecDeque::new(); processes],
            panics: Vec::new(),
            in_panic: false,
            running: false,
            bar: ClearOnDrop(match label {
                Some(label) => shared::progress::items(0, label),
                None => ProgressBar::hidden(),
            }),
        }
    }

    fn take(
        &mut self,
        Line {
            process,
            stdout,
            text,
        }: Line,
    ) {
        if stdout && text.starts_with(TIMELY_WAITING) {
            return;
        }
        if stdout && process == 0 {
            match parse_progress(&text) {
                Some((done, rounds)) => {
                    self.running = true;
                    self.bar.set_length(rounds);
                    self.bar.set_position(done);
                }
                None => {
                    self.output.push_str(&text);
                    self.output.push('\n');
                }
            }
        } else {
            if process == 0 && !stdout {
                // A panic report runs from "thread '…' panicked at" to Rust's "note: run
                // with `RUST_BACKTRACE=1`…" line (or a backtrace).
                if text.starts_with("thread '") && text.contains(" panicked at ") {
                    self.in_panic = true;
                }
                if self.in_panic {
                    self.panics.push(text.clone());
                    self.in_panic = !text.starts_with("note: run with `RUST_BACKTRACE");
                } else {
                    self.bar.suspend(|| eprintln!("{text}"));
                }
            }
            let words = &mut self.last_words[process];
            words.push_back(text);
            if words.len() > LAST_WORDS {
                words.pop_front();
            }
        }
    }

    /// The error for `process`'s failure, with its last words (and those still in `rest`).
    fn failed(
        mut self,
        process: usize,
        status: ExitStatus,
        rest: impl Iterator<Item = Line>,
    ) -> LaunchError {
        let processes = self.last_words.len();
        for line in rest {
            if line.process == process && !line.stdout {
                self.last_words[process].push_back(line.text);
            } else if line.process == 0 && !line.stdout {
                self.take(line);
            }
        }
        let words = &self.last_words[process];
        let skip = words.len().saturating_sub(LAST_WORDS);
        let last_words: Vec<String> = words.iter().skip(skip).map(|l| format!("  {l}")).collect();
        let mut last_words = if last_words.is_empty() {
            "It wrote nothing on stderr.".to_string()
        } else {
            format!("Its last lines:\n{}", last_words.join("\n"))
        };
        if process != 0 && !self.panics.is_empty() {
            // What process 0 said when it lost its peer: a consequence, folded below.
            let folded: Vec<String> = self.panics.iter().map(|l| format!("  | {l}")).collect();
            last_words += &format!("\nProcess 0, which lost it, said:\n{}", folded.join("\n"));
        }
        LaunchError::Failed {
            process,
            processes,
            status,
            last_words,
        }
    }
}

/// Writes `n` free loopback addresses, one per line. A port is free when the kernel gives
/// it to a listener on port 0; the listeners close just before the processes start, so
/// another program could take one in between (then the launch fails and says so).
fn write_hostfile(path: &Path, n: usize) -> Result<(), LaunchError> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<_, _>>()
        .map_err(|e| LaunchError::Ports(n, e))?;
    let mut text = String::new();
    for listener in &listeners {
        let address = listener
            .local_addr()
            .map_err(|e| LaunchError::Ports(n, e))?;
        text.push_str(&format!("{address}\n"));
    }
    std::fs::write(path, text).map_err(|e| LaunchError::Hostfile(path.to_path_buf(), e))
}

/// `progress DONE ROUNDS` → `(DONE, ROUNDS)`.
pub fn parse_progress(line: &str) -> Option<(u64, u64)> {
    let mut words = line.strip_prefix("progress ")?.split(' ');
    let done = words.next()?.parse().ok()?;
    let rounds = words.next()?.parse().ok()?;
    Some((done, rounds))
}

/// Sends each line of `pipe` to the launcher, from a thread of its own.
fn forward(
    pipe: Option<impl Read + Send + 'static>,
    process: usize,
    stdout: bool,
    tx: mpsc::Sender<Line>,
) {
    let Some(pipe) = pipe else { return };
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let text = line;
            if tx
                .send(Line {
                    process,
                    stdout,
                    text,
                })
                .is_err()
            {
                break;
            }
        }
    });
}

/// Linux: the child asks the kernel for `SIGKILL` when the launcher dies, however it dies.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec, `prctl` is async-signal-safe and touches no memory of
    // the parent's.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Elsewhere, the processes share the launcher's process group, so that Ctrl-C in a
/// terminal reaches them all; and a failure stops them (see [`launch`]).
#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}
