//! The tasks a worker can run: a registry compiled into the program.
//!
//! dask ships a pickled Python function to a worker and runs it; IPython Parallel does the
//! same. That is convenient, and it means that anyone who can reach a worker's port can run
//! any code on that machine. Here a client names a task, and a worker looks the name up in
//! [`REGISTRY`], a table built into its binary: a peer can only ever choose among the
//! functions below. An unknown name is an error sent back to the client
//! ([`TaskError::UnknownTask`]), never a crash.
//!
//! Choosing among safe functions is not safety by itself: a function's arguments come from
//! the peer too. So only peers that hold the cluster's secret get in (see [`crate::auth`]),
//! a task reads only regular files inside its worker's dataset folder
//! ([`Context::data_file`]), its errors quote nothing of a file, and scattered data is
//! bounded ([`MAX_STORE`]).
//!
//! A task is a type implementing [`Task`]: a name, serde types for its arguments and output,
//! and a `run` function. To add one, write the type and add `entry::<YourTask>()` to the
//! registry; clients and workers built from the same source then agree on it.

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use market::Stats;
use market::files::{symbol_of, year};
use market::strategy::{Window, score};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::protocol::{Key, MAX_PAYLOAD, TaskError};

// ANCHOR: task
/// A task a worker can run, looked up by [`NAME`](Task::NAME).
pub trait Task {
    /// The name clients use. Unique in the registry.
    const NAME: &'static str;
    type Args: Serialize + DeserializeOwned;
    type Output: Serialize + DeserializeOwned;
    /// Runs the task on a worker. `Err` is a failure the client sees as
    /// [`TaskError::Failed`]; a panic is caught by the worker's execute loop.
    fn run(args: Self::Args, worker: &Context) -> Result<Self::Output, String>;
}
// ANCHOR_END: task

/// A task with its types erased: postcard bytes in, postcard bytes out.
pub type RunFn = fn(&[u8], &Context) -> Result<Vec<u8>, TaskError>;

/// One line of the registry.
pub struct Entry {
    pub name: &'static str,
    pub run: RunFn,
}

/// The table of tasks, see [`REGISTRY`].
pub struct Registry(&'static [Entry]);

impl Registry {
    /// The task named `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<RunFn> {
        self.0
            .iter()
            .find(|entry| entry.name == name)
            .map(|e| e.run)
    }

    /// Every task's name, in the registry's order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        self.0.iter().map(|entry| entry.name)
    }
}

thread_local! {
    /// When each task this thread ran started and ended, oldest first, for the dashboard's
    /// task stream (see [`take_run_times`]).
    static RUN_TIMES: RefCell<Vec<(Instant, Instant)>> = const { RefCell::new(Vec::new()) };
    /// Whether this thread times its tasks at all (see [`time_runs`]).
    static TIMING: Cell<bool> = const { Cell::new(false) };
}

/// Makes the tasks this thread runs from now on timed (`true`), or not: a worker's task
/// threads time them only for a scheduler that serves a dashboard, so that the others pay
/// nothing for it.
pub fn time_runs(on: bool) {
    TIMING.with(|timing| timing.set(on));
}

/// The most run times a thread keeps for [`take_run_times`]: a thread whose times nobody
/// takes (a test calling a task directly) forgets the old ones.
const MAX_RUN_TIMES: usize = 4 * crate::protocol::MAX_BATCH;

/// The start and end of every task this thread has run since the last call, in the order
/// they ran (none unless [`time_runs`] is on). The worker calls it as it sends a batch of results, to tell the scheduler when
/// each task really ran (the scheduler sees only when it sent a task and when the result
/// came back).
pub fn take_run_times() -> Vec<(Instant, Instant)> {
    RUN_TIMES.with(|times| std::mem::take(&mut *times.borrow_mut()))
}

/// Notes a run on drop, so that a task that panics is timed too.
struct Timed(Instant);

impl Drop for Timed {
    fn drop(&mut self) {
        let end = Instant::now();
        RUN_TIMES.with(|times| {
            let mut times = times.borrow_mut();
            if times.len() >= MAX_RUN_TIMES {
                times.clear();
            }
            times.push((self.0, end));
        });
    }
}

/// Decodes the arguments, runs `T`, encodes the output.
fn erased<T: Task>(args: &[u8], worker: &Context) -> Result<Vec<u8>, TaskError> {
    let _timed = TIMING.with(Cell::get).then(|| Timed(Instant::now()));
    let args = postcard::from_bytes(args).map_err(|err| TaskError::BadArgs {
        task: T::NAME.to_string(),
        reason: err.to_string(),
    })?;
    let output = T::run(args, worker).map_err(TaskError::Failed)?;
    let bytes = postcard::to_stdvec(&output).map_err(|err| {
        TaskError::Failed(format!("cannot encode the output of {}: {err}", T::NAME))
    })?;
    if bytes.len() > MAX_PAYLOAD {
        return Err(TaskError::Failed(format!(
            "the output of {} is {} bytes, over the {MAX_PAYLOAD}-byte limit of one result: \
             return less, or split the task",
            T::NAME,
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// The registry line of task `T`.
pub const fn entry<T: Task>() -> Entry {
    Entry {
        name: T::NAME,
        run: erased::<T>,
    }
}

// ANCHOR: registry
/// Every task a worker of this course can run.
pub static REGISTRY: Registry = Registry(&[
    entry::<Noop>(),
    entry::<Square>(),
    entry::<Sleep>(),
    entry::<Fail>(),
    entry::<Panic>(),
    entry::<WhoAmI>(),
    entry::<SumData>(),
    entry::<YearlyStats>(),
    entry::<ScoreWindows>(),
]);
// ANCHOR_END: registry

/// What a running task can see of its worker: its name and the data scattered to it.
pub struct Context {
    pub worker: String,
    store: Mutex<HashMap<Key, Slot>>,
    /// The one folder whose files tasks may read (canonical); `None`: no files at all.
    data: Option<PathBuf>,
    /// Keys whose data did not fit in the store.
    full: Mutex<std::collections::HashSet<Key>>,
}

/// The most bytes of scattered data a worker keeps: past it, new data is refused (and the
/// tasks that need it fail, saying so) rather than exhaust the machine's memory.
pub const MAX_STORE: usize = 1 << 30;

/// The largest file a task may read: a day of minute bars is about 30 kB, so 64 MiB is
/// far beyond any dataset file and far below a worker's memory.
pub const MAX_TASK_FILE: u64 = 64 << 20;

/// One piece of scattered data: its bytes, and the value they decode to once a task has
/// asked for it (so that a thousand tasks on the same data decode it once).
struct Slot {
    bytes: Arc<Vec<u8>>,
    decoded: Option<(TypeId, Arc<dyn Any + Send + Sync>)>,
}

impl Context {
    /// A context for worker `worker` whose tasks read no files.
    pub fn new(worker: impl Into<String>) -> Context {
        Context {
            worker: worker.into(),
            store: Mutex::new(HashMap::new()),
            data: None,
            full: Mutex::new(std::collections::HashSet::new()),
        }
    }

    /// Why `key` is not here, for a task that needs it.
    fn missing(&self, key: &str) -> String {
        let full = self.full.lock().unwrap_or_else(PoisonError::into_inner);
        if full.contains(key) {
            format!(
                "worker {} could not keep the data named {key:?}: its store holds at most \
                 {MAX_STORE} bytes (release data the client no longer needs)",
                self.worker
            )
        } else {
            format!("worker {} holds no data named {key:?}", self.worker)
        }
    }

    /// This context, with tasks allowed to read the files under `folder` (and nothing
    /// else). A folder that does not exist allows nothing.
    pub fn reading(mut self, folder: Option<&Path>) -> Context {
        self.data = folder.and_then(|f| f.canonicalize().ok());
        self
    }

    /// `path`, resolved, if a task may read it: a regular file (no folder, FIFO, device, or
    /// link out) inside the worker's data folder, of at most [`MAX_TASK_FILE`] bytes. The
    /// error is the same for a file that is outside and one that does not exist, so that a
    /// client cannot probe the worker's disk; it quotes nothing of any file.
    pub fn data_file(&self, path: &Path) -> Result<PathBuf, String> {
        let Some(root) = &self.data else {
            return Err(format!(
                "worker {} reads no files: start it where the dataset is, or with --data DIR",
                self.worker
            ));
        };
        let outside = || {
            format!(
                "{}: not a file in worker {}'s dataset folder",
                path.display(),
                self.worker
            )
        };
        let resolved = path.canonicalize().map_err(|_| outside())?;
        let meta = std::fs::metadata(&resolved).map_err(|_| outside())?;
        if !resolved.starts_with(root) || !meta.is_file() {
            return Err(outside());
        }
        if meta.len() > MAX_TASK_FILE {
            return Err(format!(
                "{}: {} bytes, more than a task may read ({MAX_TASK_FILE})",
                path.display(),
                meta.len()
            ));
        }
        Ok(resolved)
    }

    fn slots(&self) -> MutexGuard<'_, HashMap<Key, Slot>> {
        // A task that panics never holds this lock, but be safe: the map stays consistent.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `bytes` under `key`, replacing what was there, unless the store would then
    /// hold more than [`MAX_STORE`] bytes: then the data is not kept, and a task that needs
    /// it fails and says why.
    pub fn insert(&self, key: Key, bytes: Vec<u8>) {
        let mut slots = self.slots();
        let held: usize = (slots.iter())
            .filter(|(k, _)| **k != key)
            .map(|(_, slot)| slot.bytes.len())
            .sum();
        if held + bytes.len() > MAX_STORE {
            slots.remove(&key);
            drop(slots);
            let mut full = self.full.lock().unwrap_or_else(PoisonError::into_inner);
            full.insert(key);
            return;
        }
        let slot = Slot {
            bytes: Arc::new(bytes),
            decoded: None,
        };
        slots.insert(key, slot);
    }

    /// Forgets the data under `key`.
    pub fn remove(&self, key: &str) {
        self.slots().remove(key);
        self.full
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }

    /// The keys of the data held here, sorted.
    pub fn keys(&self) -> Vec<Key> {
        let mut keys: Vec<Key> = self.slots().keys().cloned().collect();
        keys.sort();
        keys
    }

    /// The data under `key`, decoded as a `T` (the first time only).
    pub fn data<T>(&self, key: &str) -> Result<Arc<T>, String>
    where
        T: DeserializeOwned + Send + Sync + 'static,
    {
        let bytes = {
            let slots = self.slots();
            let slot = slots.get(key).ok_or_else(|| self.missing(key))?;
            if let Some((type_id, value)) = &slot.decoded
                && *type_id == TypeId::of::<T>()
                && let Ok(value) = Arc::clone(value).downcast::<T>()
            {
                return Ok(value);
            }
            Arc::clone(&slot.bytes)
        };
        // Decode without holding the lock: other tasks go on meanwhile.
        let value: Arc<T> = Arc::new(
            postcard::from_bytes(&bytes)
                .map_err(|err| format!("the data {key:?} does not decode: {err}"))?,
        );
        // Unless a new value replaced these bytes meanwhile: its decoding is not this one.
        if let Some(slot) = self.slots().get_mut(key)
            && Arc::ptr_eq(&slot.bytes, &bytes)
        {
            let shared: Arc<dyn Any + Send + Sync> = value.clone();
            slot.decoded = Some((TypeId::of::<T>(), shared));
        }
        Ok(value)
    }
}

/// Does nothing: what a task costs when the work is nil, the scheduler's overhead alone.
pub struct Noop;

impl Task for Noop {
    const NAME: &'static str = "noop";
    type Args = ();
    type Output = ();
    fn run((): (), _: &Context) -> Result<(), String> {
        Ok(())
    }
}

/// `x²`: a task whose answer is easy to check.
pub struct Square;

impl Task for Square {
    const NAME: &'static str = "square";
    type Args = i64;
    type Output = i64;
    fn run(x: i64, _: &Context) -> Result<i64, String> {
        x.checked_mul(x)
            .ok_or_else(|| format!("{x}² does not fit in an i64"))
    }
}

/// Waits this many microseconds: stands for a task that waits on something (a database, a
/// remote file), and keeps a worker busy in the tests of a lost worker.
pub struct Sleep;

impl Task for Sleep {
    const NAME: &'static str = "sleep";
    type Args = u64;
    type Output = ();
    fn run(micros: u64, _: &Context) -> Result<(), String> {
        std::thread::sleep(Duration::from_micros(micros));
        Ok(())
    }
}

/// Fails with the given message, as a task that meets bad data does.
pub struct Fail;

impl Task for Fail {
    const NAME: &'static str = "fail";
    type Args = String;
    type Output = ();
    fn run(message: String, _: &Context) -> Result<(), String> {
        Err(message)
    }
}

/// Panics with the given message, as a task with a bug does.
pub struct Panic;

impl Task for Panic {
    const NAME: &'static str = "panic";
    type Args = String;
    type Output = ();
    fn run(message: String, _: &Context) -> Result<(), String> {
        panic!("{message}")
    }
}

/// A worker's answer to "who are you?", the task of
/// [`run_on_all`](crate::client::Client::run_on_all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerReport {
    pub worker: String,
    pub pid: u32,
    /// The keys of the data scattered to it.
    pub keys: Vec<Key>,
}

/// Reports on the worker it runs on.
pub struct WhoAmI;

impl Task for WhoAmI {
    const NAME: &'static str = "whoami";
    type Args = ();
    type Output = WorkerReport;
    fn run((): (), worker: &Context) -> Result<WorkerReport, String> {
        Ok(WorkerReport {
            worker: worker.worker.clone(),
            pid: std::process::id(),
            keys: worker.keys(),
        })
    }
}

/// The sum of a scattered `Vec<f64>`: the smallest task that reads data by key.
pub struct SumData;

impl Task for SumData {
    const NAME: &'static str = "sum_data";
    type Args = Key;
    type Output = f64;
    fn run(key: Key, worker: &Context) -> Result<f64, String> {
        Ok(worker.data::<Vec<f64>>(&key)?.iter().sum())
    }
}

/// Per symbol and year, count, sum, min and max of the close: lesson 3's exercise 3.6.
pub type Yearly = BTreeMap<(String, i32), Stats>;

// ANCHOR: yearly_stats
/// Lesson 3's per-symbol, per-year statistics over a group of minute files, read where the
/// worker runs: the files are on a disk (or network file system) every worker can see, and
/// only their paths travel. The error of a file that cannot be read names its path and line.
pub struct YearlyStats;

impl Task for YearlyStats {
    const NAME: &'static str = "yearly_stats";
    type Args = Vec<PathBuf>;
    type Output = Yearly;
    fn run(files: Vec<PathBuf>, worker: &Context) -> Result<Yearly, String> {
        let mut stats = Yearly::new();
        for path in &files {
            let file = worker.data_file(path)?;
            let symbol = symbol_of(&file)
                .ok_or_else(|| format!("{} is not in a symbol's folder", path.display()))?;
            // The reader's own error quotes what it found in the file: a client gets only
            // the place.
            let bars = shared::read::read_csv(&file).map_err(|err| match err.line() {
                Some(line) => format!("{}, line {line}: not a minute bar", path.display()),
                None => format!("{}: not a minute CSV file", path.display()),
            })?;
            add_bars(&mut stats, symbol, &bars);
        }
        Ok(stats)
    }
}

/// Adds `bars` of `symbol` into `stats`.
fn add_bars(stats: &mut Yearly, symbol: &str, bars: &[shared::Bar]) {
    for bar in bars {
        stats
            .entry((symbol.to_string(), year(bar)))
            .or_insert(Stats::EMPTY)
            .push(bar.close);
    }
}

/// What [`YearlyStats`] computes, callable locally.
pub fn yearly_stats(files: &[PathBuf]) -> Result<Yearly, String> {
    let mut stats = Yearly::new();
    for path in files {
        let symbol = symbol_of(path)
            .ok_or_else(|| format!("{} is not in a symbol's folder", path.display()))?;
        let bars = shared::read::read_csv(path).map_err(|err| err.to_string())?;
        add_bars(&mut stats, symbol, &bars);
    }
    Ok(stats)
}
// ANCHOR_END: yearly_stats

/// What a [`Yearly`] found, to compare two answers: symbol-years, bars, and the sum of
/// every close (its last digits depend on the order of the additions: six are shown).
pub fn summarise_yearly(stats: &Yearly) -> String {
    let bars: u64 = stats.values().map(|s| s.count).sum();
    let sum: f64 = stats.values().map(|s| s.sum).sum();
    format!(
        "{} symbol-years, {} bars, Σclose {sum:.6e}",
        stats.len(),
        shared::report::fmt_count(bars)
    )
}

/// Adds `part` into `total`.
pub fn merge_yearly(total: &mut Yearly, part: Yearly) {
    for (key, part) in part {
        total.entry(key).or_insert(Stats::EMPTY).merge(&part);
    }
}

/// The arguments of [`ScoreWindows`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreArgs {
    /// Scattered data: one symbol's closes, one `Vec<f64>` per year.
    pub closes: Key,
    /// `(fast, slow)` window pairs to score.
    pub windows: Vec<(usize, usize)>,
}

// ANCHOR: score_windows
/// Lesson 3's parameter search, one small piece: the scores of some window pairs on every
/// year of a symbol's closes. The closes are scattered once; each task carries only its
/// window pairs and the key, so the work goes to the data instead of the data to the work.
pub struct ScoreWindows;

impl Task for ScoreWindows {
    const NAME: &'static str = "score_windows";
    type Args = ScoreArgs;
    /// Per window pair, its score on each year.
    type Output = Vec<Vec<f64>>;
    fn run(args: ScoreArgs, worker: &Context) -> Result<Vec<Vec<f64>>, String> {
        let years = worker.data::<Vec<Vec<f64>>>(&args.closes)?;
        Ok(score_windows(&years, &args.windows))
    }
}
// ANCHOR_END: score_windows

/// What [`ScoreWindows`] computes, callable locally.
pub fn score_windows(years: &[Vec<f64>], windows: &[(usize, usize)]) -> Vec<Vec<f64>> {
    windows
        .iter()
        .map(|&(fast, slow)| {
            years
                .iter()
                .map(|closes| score(closes, Window { fast, slow }))
                .collect()
        })
        .collect()
}
