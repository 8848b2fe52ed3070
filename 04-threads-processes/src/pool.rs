//! The parts of a process pool that exercise 4.4 puts together: the tasks a worker can run
//! (a registry compiled into the program: a peer names a task, never code), the frames that
//! carry them over a pipe, a worker process seen from the parent, the worker's own loop, and
//! the same tasks on threads for comparison.

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rand::SeedableRng as _;
use rand_distr::{Distribution as _, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

// ANCHOR: tasks
/// What a worker can be asked to do. The parent sends data and the name of a task compiled
/// into this program; a worker never runs code it is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Task {
    /// The sum of a few numbers: a tiny task, where sending it costs more than doing it.
    Sum(Vec<f64>),
    /// Monte Carlo: `paths` price paths of `steps` one-minute steps from 100.0, with 0.1 %
    /// volatility per step, from `seed`. A large task: little data, much work.
    Simulate { seed: u64, paths: u32, steps: u32 },
}

/// A task's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Output {
    Sum(f64),
    /// The mean final price, and the 5 % quantile (the value at risk's price).
    Simulated {
        mean: f64,
        p5: f64,
    },
}

/// The most price paths of one [`Task::Simulate`]: each final price is kept (8 bytes), to
/// find the 5 % quantile, so this bounds a task's memory at 128 MiB.
pub const MAX_PATHS: u32 = 1 << 24;
/// The most steps of one path.
pub const MAX_STEPS: u32 = 1 << 20;

impl Task {
    /// Whether a worker takes the task: a `Simulate` of more than [`MAX_PATHS`] paths or
    /// [`MAX_STEPS`] steps is refused before anything is allocated for it.
    pub fn check(&self) -> Result<(), String> {
        match *self {
            Task::Simulate { paths, steps, .. } if paths > MAX_PATHS || steps > MAX_STEPS => {
                Err(format!(
                    "Simulate of {paths} paths × {steps} steps: at most {MAX_PATHS} paths and \
                     {MAX_STEPS} steps"
                ))
            }
            _ => Ok(()),
        }
    }

    /// Runs the task (in a worker process, or on a thread).
    pub fn run(&self) -> Output {
        match *self {
            Task::Sum(ref values) => Output::Sum(values.iter().sum()),
            Task::Simulate { seed, paths, steps } => {
                let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
                let mut finals: Vec<f64> = (0..paths)
                    .map(|_| {
                        let mut log_price = 100.0f64.ln();
                        for _ in 0..steps {
                            let z: f64 = StandardNormal.sample(&mut rng);
                            log_price += 0.001 * z;
                        }
                        log_price.exp()
                    })
                    .collect();
                finals.sort_by(f64::total_cmp);
                let mean = finals.iter().sum::<f64>() / finals.len().max(1) as f64;
                let p5 = finals.get(finals.len() / 20).copied().unwrap_or(f64::NAN);
                Output::Simulated { mean, p5 }
            }
        }
    }
}
// ANCHOR_END: tasks

/// A task and its place in the caller's list, as the parent sends it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Job {
    pub id: u64,
    pub task: Task,
}

/// A task's output, with the id of the job it answers.
#[derive(Debug, Serialize, Deserialize)]
pub struct Done {
    pub id: u64,
    pub output: Output,
}

// ANCHOR: frames
/// The largest frame either side accepts: a peer that announces more is refused before
/// anything is allocated for it.
pub const MAX_FRAME: usize = 64 << 20;

/// Writes `value` as one frame: its length (4 bytes, little-endian), then its bytes in
/// postcard, a compact binary serde format. Flushes, so the frame leaves now.
pub fn write_frame<T: Serialize>(out: &mut impl Write, value: &T) -> Result<(), FrameError> {
    let bytes = postcard::to_stdvec(value).map_err(FrameError::Encode)?;
    if bytes.len() > MAX_FRAME {
        return Err(FrameError::TooLarge(bytes.len()));
    }
    let length = u32::try_from(bytes.len()).map_err(|_| FrameError::TooLarge(bytes.len()))?;
    out.write_all(&length.to_le_bytes())?;
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(())
}

/// Reads one frame written by [`write_frame`]. `Ok(None)` when the stream ends cleanly
/// between frames (the peer closed it); an end inside a frame is an error.
pub fn read_frame<T: for<'de> Deserialize<'de>>(
    input: &mut impl Read,
) -> Result<Option<T>, FrameError> {
    let mut length = [0u8; 4];
    match input.read_exact(&mut length) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let length = u32::from_le_bytes(length) as usize;
    if length > MAX_FRAME {
        return Err(FrameError::TooLarge(length));
    }
    // Grown as the bytes arrive: a peer that announces 64 MiB and sends 3 bytes gets 3.
    let mut bytes = Vec::new();
    input.take(length as u64).read_to_end(&mut bytes)?;
    if bytes.len() < length {
        return Err(FrameError::Truncated {
            length,
            got: bytes.len(),
        });
    }
    let (value, rest) = postcard::take_from_bytes(&bytes).map_err(FrameError::Decode)?;
    if !rest.is_empty() {
        return Err(FrameError::Trailing(rest.len()));
    }
    Ok(Some(value))
}
// ANCHOR_END: frames

/// A frame could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("frame of {0} bytes is over the limit of {MAX_FRAME} bytes")]
    TooLarge(usize),
    #[error("cannot encode a frame: {0}")]
    Encode(postcard::Error),
    #[error("cannot decode a frame (the peer speaks another protocol?): {0}")]
    Decode(postcard::Error),
    #[error("a frame of {length} bytes ended after {got}: the peer stopped in the middle of it")]
    Truncated { length: usize, got: usize },
    #[error("a frame holds {0} bytes after its message: the peer speaks another protocol?")]
    Trailing(usize),
    #[error("a task that asks too much: {0}")]
    TooMuch(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// What can go wrong in a process pool.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The worker program could not be started at all.
    #[error(
        "cannot start worker {program}: {source}. Build it first: cargo build --release -p lesson-04-threads-processes"
    )]
    Start {
        program: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A task took down every worker that tried it.
    #[error(
        "task {task} was tried {attempts} times and every worker that ran it died; giving up on it"
    )]
    TaskFailed { task: usize, attempts: usize },
    /// A pool of no workers cannot run anything.
    #[error("a pool needs at least one worker")]
    NoWorkers,
}

/// A worker died, or answered nonsense: either way it is gone, and its task was not done.
#[derive(Debug, thiserror::Error)]
#[error("worker {pid} lost: {reason}")]
pub struct WorkerLost {
    pub pid: u32,
    pub reason: String,
}

/// How many times a pool tries a task before it gives up on it: a task that kills every
/// worker it meets must not kill them forever.
pub const MAX_ATTEMPTS: usize = 3;

/// Starts a worker: what exercise 4.4's pool is given, e.g. `&|| command.start()`.
pub type StartWorker<'a> = dyn Fn() -> Result<Worker, PoolError> + Sync + 'a;

// ANCHOR: worker
/// How to start a worker process: this program again, with `--worker`.
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// Extra environment variables, e.g. [`ABORT_ONCE_ENV`] in the tests.
    pub envs: Vec<(String, String)>,
}

impl WorkerCommand {
    /// The running program itself (`std::env::current_exe()`), with `--worker`: how
    /// `exercise-04` starts copies of `exercise-04`.
    pub fn this_program() -> io::Result<WorkerCommand> {
        Ok(WorkerCommand::new(std::env::current_exe()?))
    }

    /// `program --worker`.
    pub fn new(program: impl Into<PathBuf>) -> WorkerCommand {
        WorkerCommand {
            program: program.into(),
            args: vec!["--worker".into()],
            envs: Vec::new(),
        }
    }

    /// Starts one worker: a child process whose stdin and stdout are pipes to us. Its stderr
    /// is ours, so a worker's panic message reaches the terminal.
    pub fn start(&self) -> Result<Worker, PoolError> {
        let child = Command::new(&self.program)
            .args(&self.args)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|source| PoolError::Start {
                program: self.program.clone(),
                source,
            })?;
        Worker::new(child).map_err(|source| PoolError::Start {
            program: self.program.clone(),
            source,
        })
    }
}

/// A worker process, seen from the parent. Dropping it closes its stdin (a worker ends when
/// its input ends), kills it if it is still running, and waits for it: no worker outlives
/// its handle.
pub struct Worker {
    child: Child,
    to: Option<BufWriter<ChildStdin>>,
    /// The worker's answers, read on a thread of their own so that a wait can end.
    from: mpsc::Receiver<Result<Option<Done>, FrameError>>,
    on_call: Option<OnCall>,
    deadline: Duration,
}

/// How long [`Worker::call`] waits for one task's answer: a worker silent past it (stopped,
/// or stuck) is killed and its task counts as lost, as for a crash. The pool's largest task
/// takes about a second.
pub const TASK_DEADLINE: Duration = Duration::from_secs(60);

/// Reads `from`'s answers onto a channel until the pipe ends or breaks.
fn read_answers(from: ChildStdout) -> mpsc::Receiver<Result<Option<Done>, FrameError>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut from = BufReader::new(from);
        loop {
            let answer = read_frame::<Done>(&mut from);
            let more = matches!(answer, Ok(Some(_)));
            if tx.send(answer).is_err() || !more {
                return;
            }
        }
    });
    rx
}

/// A hook for the tests: [`Worker::call`] calls it with the worker's process id and the
/// job's id before it sends the job, on the thread that calls. The tests learn from it which
/// workers ran tasks, and whether two calls were in progress at once.
pub type OnCall = std::sync::Arc<dyn Fn(u32, u64) + Send + Sync>;

impl Worker {
    fn new(mut child: Child) -> io::Result<Worker> {
        let (Some(to), Some(from)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("the worker's pipes were not set up"));
        };
        Ok(Worker {
            child,
            to: Some(BufWriter::new(to)),
            from: read_answers(from),
            on_call: None,
            deadline: TASK_DEADLINE,
        })
    }

    /// The same worker, waiting at most `deadline` for each task's answer.
    pub fn with_deadline(mut self, deadline: Duration) -> Worker {
        self.deadline = deadline;
        self
    }

    /// The same worker, with `hook` called at the start of every [`call`](Self::call).
    pub fn on_call(mut self, hook: OnCall) -> Worker {
        self.on_call = Some(hook);
        self
    }

    /// The worker's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends task `id` and waits for its output. An error means the worker is gone (it died,
    /// closed its pipe, or answered another job): drop it, and give the task to another.
    pub fn call(&mut self, id: u64, task: &Task) -> Result<Output, WorkerLost> {
        let pid = self.pid();
        if let Some(hook) = &self.on_call {
            hook(pid, id);
        }
        let lost = |reason: String| WorkerLost { pid, reason };
        let to = self
            .to
            .as_mut()
            .ok_or_else(|| lost("its input is closed".into()))?;
        write_frame(
            to,
            &Job {
                id,
                task: task.clone(),
            },
        )
        .map_err(|e| lost(format!("cannot send job {id}: {e}")))?;
        match self.from.recv_timeout(self.deadline) {
            Ok(Ok(Some(done))) if done.id == id => Ok(done.output),
            Ok(Ok(Some(done))) => Err(lost(format!("answered job {} to job {id}", done.id))),
            Ok(Ok(None)) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err(lost(format!("it exited while running job {id}")))
            }
            Ok(Err(e)) => Err(lost(format!("bad answer to job {id}: {e}"))),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // Stopped or stuck: it will not answer. Killed now, so that no one waits on
                // it again.
                let _ = self.child.kill();
                Err(lost(format!(
                    "silent for {:?} on job {id}, so it was killed",
                    self.deadline
                )))
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        drop(self.to.take()); // end of input: a healthy worker exits by itself
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
// ANCHOR_END: worker

/// Fault injection for the tests and the program's isolation demo: when set to
/// `ID:PATH`, the first worker to receive job `ID` creates the file `PATH` and aborts, as a
/// crash in native code would. Only the first: the file says it happened.
pub const ABORT_ONCE_ENV: &str = "LESSON04_ABORT_ONCE";
/// When set to `ID`, every worker that receives job `ID` aborts: a task that always kills
/// its worker.
pub const ABORT_ALWAYS_ENV: &str = "LESSON04_ABORT_ALWAYS";
/// When set to `ID`, every worker that receives job `ID` stops answering, as one stopped by
/// SIGSTOP would.
pub const HANG_ENV: &str = "LESSON04_HANG";

// ANCHOR: serve
/// The worker's side (`exercise-04 --worker`): reads jobs from `input` until it ends, runs
/// each, writes its output. Returns when the parent closes the pipe.
pub fn serve(input: &mut impl Read, output: &mut impl Write) -> Result<(), FrameError> {
    let faults = Faults::from_env();
    while let Some(Job { id, task }) = read_frame(input)? {
        task.check().map_err(FrameError::TooMuch)?;
        faults.maybe_abort(id);
        write_frame(
            output,
            &Done {
                id,
                output: task.run(),
            },
        )?;
    }
    Ok(())
}
// ANCHOR_END: serve

/// The faults [`serve`] injects, read from the environment once.
struct Faults {
    once: Option<(u64, PathBuf)>,
    always: Option<u64>,
    hang: Option<u64>,
}

impl Faults {
    fn from_env() -> Faults {
        let once = std::env::var(ABORT_ONCE_ENV).ok().and_then(|v| {
            let (id, path) = v.split_once(':')?;
            Some((id.parse().ok()?, PathBuf::from(path)))
        });
        let id_in = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
        Faults {
            once,
            always: id_in(ABORT_ALWAYS_ENV),
            hang: id_in(HANG_ENV),
        }
    }

    fn maybe_abort(&self, id: u64) {
        if self.always == Some(id) {
            std::process::abort();
        }
        if self.hang == Some(id) {
            loop {
                std::thread::park(); // as a stopped or stuck worker: never answers
            }
        }
        if let Some((once, path)) = &self.once
            && *once == id
            && first_to_create(path)
        {
            std::process::abort();
        }
    }
}

/// Creates `path` if nobody has: true for exactly one caller, across processes.
fn first_to_create(path: &Path) -> bool {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .is_ok()
}

// ANCHOR: threads
/// The same tasks on a pool of `threads` threads in this process: no frames, no copies.
pub fn run_threads(
    tasks: &[Task],
    threads: usize,
) -> Result<Vec<Output>, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()?;
    Ok(pool.install(|| tasks.par_iter().map(Task::run).collect()))
}
// ANCHOR_END: threads
