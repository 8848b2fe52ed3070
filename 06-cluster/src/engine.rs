//! A small layer over timely-dataflow, so that the exercises stay on the logic.
//!
//! timely runs the same program as `W` worker threads in each of `P` processes; each worker
//! builds the same dataflow and feeds it its own share of the input. Records move between
//! workers only where the dataflow says so (an *exchange*), serialized with bincode when the
//! two workers are in different processes. Every job of this lesson is a batch: all its
//! input carries one timestamp (0), and an operator that aggregates emits once its input's
//! *frontier* has passed 0, which is when every worker has sent everything.
//!
//! - [`Layout`]: timely's own flags (`-w`, `-n`, `-p`, `-h`), parsed with clap beside the
//!   program's, and turned into a [`timely::Config`].
//! - [`share`]: a worker's share of a list (of files, of parameter pairs).
//! - [`key_hash`]: the hash an exchange routes by, the same in every process.
//! - [`aggregate_by_key`]: exchange by key, fold each key's values, emit at the frontier.
//! - [`to_first_worker`]: everything to worker 0, to collect the answer in one place.
//! - [`run`]: runs a job on a layout and returns what worker 0 collected.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::rc::Rc;

use timely::ExchangeData;
use timely::dataflow::channels::pact::Exchange as ExchangePact;
use timely::dataflow::operators::vec::ToStream;
use timely::dataflow::operators::{Exchange, Inspect, Operator};
use timely::dataflow::{Scope, StreamVec};
use timely::worker::Worker;

/// Where this process stands in the cluster: timely's flags.
#[derive(Debug, Clone, clap::Args)]
pub struct Layout {
    /// Worker threads in each process.
    #[arg(short = 'w', long = "workers", default_value_t = 1)]
    pub workers: usize,
    /// Processes in the cluster.
    #[arg(short = 'n', long = "processes", default_value_t = 1)]
    pub processes: usize,
    /// This process's number, from 0.
    #[arg(short = 'p', long = "process", default_value_t = 0)]
    pub process: usize,
    /// A file with one `host:port` per process, line i for process i (needed with -n 2 and
    /// more).
    #[arg(short = 'h', long = "hostfile")]
    pub hostfile: Option<PathBuf>,
}

/// Why a layout cannot run.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("-n {processes} needs a hostfile (-h FILE) with one host:port per process")]
    NoHostfile { processes: usize },
    #[error("cannot read the hostfile {path}: {error}")]
    Hostfile {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "the hostfile {path} has {found} addresses for -n {processes}: one host:port per line, \
         line i for process i"
    )]
    TooFewHosts {
        path: PathBuf,
        found: usize,
        processes: usize,
    },
    #[error("-p {process} is not below -n {processes}: processes are numbered from 0")]
    Process { process: usize, processes: usize },
    #[error("-w must be at least 1")]
    NoWorkers,
}

impl Layout {
    /// One process of `workers` threads.
    pub fn threads(workers: usize) -> Layout {
        Layout {
            workers,
            processes: 1,
            process: 0,
            hostfile: None,
        }
    }

    /// Workers in the whole cluster.
    pub fn peers(&self) -> usize {
        self.workers * self.processes
    }

    /// The configuration timely runs with.
    pub fn config(&self) -> Result<timely::Config, LayoutError> {
        use timely::CommunicationConfig as Communication;
        if self.workers == 0 {
            return Err(LayoutError::NoWorkers);
        }
        if self.process >= self.processes {
            return Err(LayoutError::Process {
                process: self.process,
                processes: self.processes,
            });
        }
        let communication = if self.processes > 1 {
            let path = self.hostfile.clone().ok_or(LayoutError::NoHostfile {
                processes: self.processes,
            })?;
            let text = std::fs::read_to_string(&path).map_err(|error| LayoutError::Hostfile {
                path: path.clone(),
                error,
            })?;
            let addresses: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .take(self.processes)
                .map(String::from)
                .collect();
            if addresses.len() < self.processes {
                return Err(LayoutError::TooFewHosts {
                    path,
                    found: addresses.len(),
                    processes: self.processes,
                });
            }
            Communication::Cluster {
                threads: self.workers,
                process: self.process,
                addresses,
                report: false,
                zerocopy: false,
            }
        } else if self.workers > 1 {
            Communication::Process(self.workers)
        } else {
            Communication::Thread
        };
        Ok(timely::Config {
            communication,
            worker: timely::WorkerConfig::default(),
        })
    }
}

/// Worker `index`'s share of `items`, of `peers` workers: every `peers`-th item from
/// `index` on. Round-robin rather than in blocks, so that a sorted list (files by symbol,
/// then date) spreads each symbol over every worker.
pub fn share<T: Clone>(items: &[T], index: usize, peers: usize) -> Vec<T> {
    items
        .iter()
        .skip(index)
        .step_by(peers.max(1))
        .cloned()
        .collect()
}

/// The hash an exchange routes `key` by. std's `DefaultHasher::new()` has fixed keys, so
/// every process of the same binary computes the same hash (a `HashMap`'s hasher would
/// not: it is seeded at random in each process).
pub fn key_hash<K: Hash + ?Sized>(key: &K) -> u64 {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// Sends each `(key, value)` to the worker that owns `key`, folds each key's values into an
/// `A` (starting from `A::default()`) with `fold`, and emits every `(key, A)` once all
/// workers have sent everything (the input's frontier has passed the batch's timestamp).
pub fn aggregate_by_key<'scope, K, V, A>(
    stream: StreamVec<'scope, u64, (K, V)>,
    name: &str,
    fold: impl Fn(&mut A, V) + 'static,
) -> StreamVec<'scope, u64, (K, A)>
where
    K: ExchangeData + Hash + Eq + Clone,
    V: ExchangeData,
    A: ExchangeData + Default,
{
    let route = ExchangePact::new(|(key, _): &(K, V)| key_hash(key));
    stream.unary_frontier(route, name, |_, _| {
        let mut groups: HashMap<K, A> = HashMap::new();
        let mut held = None;
        move |(input, frontier), output| {
            input.for_each_stamp(|time, batches| {
                // Hold the right to send at this time until every worker is done with it.
                if held.is_none() {
                    held = time.retain_least(output.output_index());
                }
                for batch in batches {
                    for (key, value) in batch.drain(..) {
                        fold(groups.entry(key).or_default(), value);
                    }
                }
            });
            let done = held
                .as_ref()
                .is_some_and(|time| !frontier.less_equal(time.time()));
            if done && let Some(time) = held.take() {
                let mut session = output.session(&time);
                for group in groups.drain() {
                    session.give(group);
                }
            }
        }
    })
}

/// Sends every record to worker 0.
pub fn to_first_worker<'scope, D: ExchangeData>(
    stream: StreamVec<'scope, u64, D>,
) -> StreamVec<'scope, u64, D> {
    stream.exchange(|_| 0)
}

/// Runs `job` on every worker of this process's `layout` and returns what worker 0 (of the
/// whole cluster: process 0's first thread) collected; other processes return `None`.
///
/// `job` builds the dataflow: given the scope and its worker's index and the number of
/// workers, it returns the stream of answers, which [`run`] sends to worker 0 and collects.
pub fn run<T, F>(layout: &Layout, job: F) -> Result<Option<Vec<T>>, RunError>
where
    T: ExchangeData + Clone,
    F: for<'scope> Fn(Scope<'scope, u64>, usize, usize) -> StreamVec<'scope, u64, T>
        + Send
        + Sync
        + 'static,
{
    let config = layout.config()?;
    let guards = timely::execute(config, move |worker: &mut Worker| {
        let (index, peers) = (worker.index(), worker.peers());
        let collected = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&collected);
        worker.dataflow::<u64, _, _>(|scope| {
            let answers = job(scope, index, peers);
            to_first_worker(answers)
                .inspect(move |answer: &T| sink.borrow_mut().push(answer.clone()));
        });
        while worker.step() {}
        (index == 0).then(|| collected.take())
    })
    .map_err(RunError::Start)?;
    let mut answer = None;
    for outcome in guards.join() {
        match outcome {
            Ok(Some(collected)) => answer = Some(collected),
            Ok(None) => {}
            Err(panic) => return Err(RunError::Worker(panic)),
        }
    }
    Ok(answer)
}

/// Why a job did not run to the end.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error("timely could not start: {0}")]
    Start(String),
    #[error("a worker stopped: {0}")]
    Worker(String),
}

/// A small source for a worker: `items` as a stream of this scope.
pub fn source<'scope, D: ExchangeData>(
    scope: Scope<'scope, u64>,
    items: Vec<D>,
) -> StreamVec<'scope, u64, D> {
    items.to_stream(scope)
}
