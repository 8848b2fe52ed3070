//! A small layer over timely-dataflow, so that the exercises stay on the logic.
//!
//! timely runs the same program as `W` worker threads in each of `P` processes; each worker
//! builds the same dataflow and feeds it its own share of the input. Records move between
//! workers only where the dataflow says so (an *exchange*), serialized with bincode when the
//! two workers are in different processes. Every job of this lesson is a batch, fed in
//! rounds: round `r`'s records carry timestamp `r`. A probe's *frontier* says which rounds
//! every worker has finished (progress), and an operator that aggregates emits when its
//! input's frontier is empty: every worker has sent everything.
//!
//! - [`Layout`]: timely's own flags (`-w`, `-n`, `-p`, `-h`), parsed with clap beside the
//!   program's, and turned into a [`timely::Config`].
//! - [`share`]: a worker's share of a list (of files, of parameter pairs).
//! - [`key_hash`]: the hash an exchange routes by, the same in every process.
//! - [`aggregate_by_key`]: exchange by key, fold each key's values, emit at the frontier.
//! - [`to_first_worker`]: everything to worker 0, to collect the answer in one place.
//! - [`run`]: feeds a job its items (each worker its share, or all at worker 0) in rounds,
//!   reports progress from a probe, and returns what worker 0 collected.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use timely::ExchangeData;
use timely::communication::Hooks;
use timely::communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
use timely::communication::allocator::{AllocatorBuilder, ProcessBuilder};
use timely::dataflow::channels::pact::Exchange as ExchangePact;
use timely::dataflow::operators::vec::input::Handle as InputHandle;
use timely::dataflow::operators::{Capability, Exchange, Inspect, Operator};
use timely::dataflow::{ProbeHandle, StreamVec};
use timely::worker::Worker;

pub mod connect;
mod layout;
pub use layout::{Layout, LayoutError, MAX_PROCESSES, MAX_WORKERS};

use connect::{PeerLog, Watched};

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

// ANCHOR: aggregate_by_key
/// Sends each `(key, value)` to the worker that owns `key`, folds each key's values into an
/// `A` (starting from `A::default()`) with `fold`, and emits every `(key, A)` once its
/// input is finished: when the frontier is empty, every worker has sent everything, in
/// every round.
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
        // The right to send at the earliest time seen, kept until the end.
        let mut held: Option<Capability<u64>> = None;
        move |(input, frontier), output| {
            input.for_each_stamp(|time, batches| {
                let earlier = |h: &Capability<u64>| time.least().is_some_and(|t| t < h.time());
                if held.as_ref().is_none_or(earlier) {
                    held = time.retain_least(output.output_index());
                }
                for batch in batches {
                    for (key, value) in batch.drain(..) {
                        fold(groups.entry(key).or_default(), value);
                    }
                }
            });
            if frontier.is_empty()
                && let Some(time) = held.take()
            {
                let mut session = output.session(&time);
                for group in groups.drain() {
                    session.give(group);
                }
            }
        }
    })
}

// ANCHOR_END: aggregate_by_key

/// Sends every record to worker 0.
pub fn to_first_worker<'scope, D: ExchangeData>(
    stream: StreamVec<'scope, u64, D>,
) -> StreamVec<'scope, u64, D> {
    stream.exchange(|_| 0)
}

/// How a job's items enter the dataflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// Each worker feeds its own [`share`] of the items: files in a folder that every
    /// machine can read.
    Shared,
    /// Worker 0 feeds them all, as a driver program would: the dataflow must spread them.
    AtFirstWorker,
}

/// How many rounds may be in flight at once: a worker feeds round `r` once round
/// `r − IN_FLIGHT` has passed the probe everywhere. More hides the latency of progress
/// messages between processes; fewer holds less data in memory.
pub const IN_FLIGHT: u64 = 4;

/// How many rounds a worker feeds its items in (fewer when there are fewer items). The
/// probe counts finished rounds, which is the progress [`run`] reports; and a worker does
/// not feed a round while [`IN_FLIGHT`] earlier ones are unfinished, so that a job never
/// holds more than a few rounds of data in memory.
pub const ROUNDS: u64 = 100;

/// Told, on worker 0 only, how many of a job's rounds have passed its probe on every
/// worker: `(done, rounds)`.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// How long an idle worker sleeps before it looks again (it wakes earlier when a message
/// arrives). Without it, a waiting worker would spin and steal a core from a busy one.
const PARK: Duration = Duration::from_millis(1);

/// Runs a job on every worker of this process's `layout` and returns what worker 0 (of the
/// whole cluster: process 0's first thread) collected; other processes return `None`.
///
/// Every process must call it with the same `items` and build the same dataflow: `job`
/// gets the stream of its worker's items (see [`Feed`]) and a probe, which it attaches
/// where progress should be measured (`stream.probe_with(probe)`), and returns the stream
/// of answers, which [`run`] sends to worker 0 and collects. `progress`, when given, is
/// told how many rounds (of [`ROUNDS`]) have passed the probe.
pub fn run<I, T, F>(
    layout: &Layout,
    items: Vec<I>,
    feed: Feed,
    job: F,
    progress: Option<Progress>,
) -> Result<Option<Vec<T>>, RunError>
where
    I: Clone + Send + Sync + 'static,
    T: ExchangeData + Clone,
    F: for<'scope> Fn(StreamVec<'scope, u64, I>, &ProbeHandle<u64>) -> StreamVec<'scope, u64, T>
        + Send
        + Sync
        + 'static,
{
    let config = layout.config()?;
    // Read once, here: the launcher removes the hostfile once the cluster runs, and the
    // errors below name the peers' addresses.
    let addresses = match &config.communication {
        timely::CommunicationConfig::Cluster { addresses, .. } => addresses.clone(),
        _ => Vec::new(),
    };
    let rounds = (items.len() as u64).clamp(1, ROUNDS);
    let panics: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&panics);
    // Set when a worker of this process panics: the others stop instead of waiting forever
    // for records and progress that the dead worker will never send.
    let failed = Arc::new(AtomicBool::new(false));
    let failed_here = Arc::clone(&failed);
    let log = PeerLog::new(layout.processes);
    // When this process's probe last moved: with a silent peer, what tells waiting from
    // working.
    let moved = Arc::new(AtomicU64::new(log.mark()));
    let (builders, others) = communication(layout, config.communication, &log)?;
    fold_timely_panics();
    let (watch, mark) = (Arc::clone(&log), Arc::clone(&moved));
    let guards = timely::execute::execute_from(builders, others, config.worker, move |worker| {
        let work = std::panic::AssertUnwindSafe(|| {
            let run = Round {
                items: &items,
                feed,
                rounds,
                failed: &failed,
                moved: (&watch, &mark),
            };
            feed_and_collect(worker, run, &job, progress.as_ref())
        });
        std::panic::catch_unwind(work).unwrap_or_else(|panic| {
            failed.store(true, Ordering::Relaxed);
            // The panic's text, kept for the error `run` returns (timely's is "Any { .. }").
            let message = shared::panic::panic_message(panic.as_ref()).to_string();
            seen.lock().unwrap_or_else(|e| e.into_inner()).push(message);
            // Not unwound further: timely would step the broken dataflow again, and its
            // channels, poisoned when a peer went away, panic again in their destructors,
            // which aborts the process. Dropped here, a second panic is caught too.
            let dropped =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| abandon::<()>(worker)));
            drop(dropped);
            None
        })
    })
    .map_err(RunError::Start)?;
    // Joining also joins the network threads of a cluster, which panic ("Send thread
    // panic") when a peer process went away: one more sign of a failure, not its cause.
    let watched = (&*log, &*moved, &*failed_here);
    let outcomes = join_watching(guards, layout, &addresses, watched).map_err(|error| {
        // A worker of this process panicked: that is the cause, whatever the peers did next.
        match first_panic(&panics) {
            Some(message) => RunError::Worker(message),
            None => error,
        }
    })?;
    let mut failed = outcomes.is_err();
    let mut answer = None;
    for outcome in outcomes.unwrap_or_default() {
        match outcome {
            Ok(Some(Some(collected))) => answer = Some(collected),
            Ok(Some(None)) => {}
            Ok(None) | Err(_) => failed = true,
        }
    }
    if failed {
        if let Some(lost) = peer_lost(&log, layout, &addresses) {
            return Err(lost);
        }
        let message = first_panic(&panics).unwrap_or_else(|| "a worker panicked".into());
        return Err(RunError::Worker(message));
    }
    Ok(answer)
}

/// What timely's workers talk through: for a cluster, the connections [`connect`] opened
/// (each [`Watched`] by `log`); otherwise channels inside this process.
fn communication(
    layout: &Layout,
    config: timely::CommunicationConfig,
    log: &Arc<PeerLog>,
) -> Result<(Vec<AllocatorBuilder>, Box<dyn std::any::Any + Send>), RunError> {
    let timely::CommunicationConfig::Cluster {
        threads, addresses, ..
    } = config
    else {
        return config.try_build().map_err(RunError::Start);
    };
    let sockets = connect::connect(layout, &addresses)?;
    let sockets = (sockets.into_iter().enumerate())
        .map(|(peer, socket)| socket.map(|s| Watched::new(s, peer, log)))
        .collect();
    let hooks = Hooks::default();
    let local =
        ProcessBuilder::new_typed_vector(threads, hooks.refill.clone(), hooks.spill.clone());
    let (builders, guard) =
        initialize_networking_from_sockets(local, sockets, layout.process, threads, hooks)
            .map_err(|error| RunError::Start(error.to_string()))?;
    let builders = builders.into_iter().map(AllocatorBuilder::Tcp).collect();
    Ok((builders, Box::new(guard)))
}

/// How often a process waiting for its workers looks at its peers.
const LOOK: Duration = Duration::from_millis(200);

/// Joins the workers (and timely's network threads), but gives up when a peer has sent
/// nothing for `--silence` while this process's probe has not moved either: the peer is
/// stopped, or hangs, and timely would wait for it for ever.
fn join_watching<T: Send + 'static>(
    guards: timely::communication::WorkerGuards<T>,
    layout: &Layout,
    addresses: &[String],
    (log, moved, failed): (&PeerLog, &AtomicU64, &AtomicBool),
) -> Result<std::thread::Result<Vec<Result<T, String>>>, RunError> {
    let (joined, join) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(JOINER.into())
        .spawn(move || {
            let outcomes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| guards.join()));
            drop(joined.send(outcomes));
        })
        .map_err(|error| RunError::Start(error.to_string()))?;
    let silence = Duration::from_secs(layout.silence.max(1));
    let mut looked = std::time::Instant::now();
    loop {
        match join.recv_timeout(LOOK) {
            Ok(outcomes) => return Ok(outcomes),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Ok(Err(Box::new("the thread joining the workers stopped")));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
        // A look long after the last one: this process was stopped itself (Ctrl-Z, then
        // fg), and its peers' silence is its own. Their clocks start again.
        if looked.elapsed() > LOOK + silence / 2 {
            log.heard_all();
            moved.store(log.mark(), Ordering::Relaxed);
        }
        looked = std::time::Instant::now();
        // A worker of this process panicked: in a cluster the others may wait for ever for
        // its peers, which wait for it. The caller reports the panic.
        if failed.load(Ordering::Relaxed) && layout.processes > 1 {
            return Err(RunError::Worker("a worker panicked".into()));
        }
        // A connection that ended: its threads wait for ever (see `connect::Watched`), and
        // so would the join.
        if let Some(lost) = peer_lost(log, layout, addresses) {
            return Err(lost);
        }
        let waiting = log.since(moved.load(Ordering::Relaxed)) >= silence;
        if let Some(peer) = log.silent(layout.process, silence).filter(|_| waiting) {
            return Err(RunError::Silent {
                process: layout.process,
                peer,
                address: address_of(addresses, peer),
                waited: layout.silence,
            });
        }
    }
}

/// The name of the thread [`join_watching`] joins on: its panics echo the workers'.
const JOINER: &str = "timely-join";

/// Keeps timely's own panics off the terminal: when a peer goes away, timely's network
/// threads panic ("timely communication error"), then every worker ("MergeQueue
/// poisoned") and the join ("Send thread panic"). Each is an echo of the loss, which
/// [`run`] reports in one line with the peer's name. A panic in a job's own code (an
/// exercise's) is still printed, with its place. `PARALLEL_RUST_TIMELY_PANICS=1` prints
/// them all, to debug the engine.
fn fold_timely_panics() {
    static ONCE: Once = Once::new();
    if std::env::var_os("PARALLEL_RUST_TIMELY_PANICS").is_some() {
        return;
    }
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("");
            let message = shared::panic::panic_message(info.payload());
            let network = name.starts_with("timely:send-") || name.starts_with("timely:recv-");
            if !(network || name == JOINER || is_echo(message)) {
                previous(info);
            }
        }));
    });
}

/// Returns `job` as it is: wrapping a closure in this call tells Rust that it works for
/// every scope's lifetime, which [`run`] needs and which Rust does not infer for a closure
/// stored in a variable.
pub fn job<I, T, F>(job: F) -> F
where
    F: for<'scope> Fn(StreamVec<'scope, u64, I>, &ProbeHandle<u64>) -> StreamVec<'scope, u64, T>,
{
    job
}

/// The error for the first peer whose connection ended, if one did.
fn peer_lost(log: &PeerLog, layout: &Layout, addresses: &[String]) -> Option<RunError> {
    let (peer, how) = log.first_ended()?;
    Some(RunError::PeerLost {
        process: layout.process,
        peer,
        address: address_of(addresses, peer),
        how,
    })
}

/// Process `peer`'s line of the hostfile, for messages.
fn address_of(addresses: &[String], peer: usize) -> String {
    addresses.get(peer).cloned().unwrap_or_else(|| "?".into())
}

/// The first panic of this process's workers, the cause (the others are timely's channels
/// noticing it), if one panicked.
fn first_panic(panics: &Mutex<Vec<String>>) -> Option<String> {
    let panics = panics.lock().unwrap_or_else(|e| e.into_inner());
    panics
        .iter()
        .find(|m| !is_echo(m))
        .or(panics.first())
        .cloned()
}

/// True for the panics that follow another worker's panic in the same process.
fn is_echo(message: &str) -> bool {
    [
        // Not "poisoned" alone: an exercise's own panic may say it.
        "MergeQueue",
        "timely communication",
        "Send thread panic",
        "Recv thread panic",
    ]
    .iter()
    .any(|echo| message.contains(echo))
}

/// Drops this worker's dataflows, which another worker's panic has made impossible to
/// finish (timely would otherwise step them forever once the worker's closure returns).
fn abandon<T>(worker: &mut Worker) -> Option<T> {
    for dataflow in worker.installed_dataflows() {
        worker.drop_dataflow(dataflow);
    }
    None
}

/// What every worker of a process feeds from, and the flag that stops them all.
struct Round<'a, I> {
    items: &'a [I],
    feed: Feed,
    rounds: u64,
    failed: &'a AtomicBool,
    /// Where to note that this worker's probe moved: [`PeerLog::mark`]'s clock.
    moved: (&'a PeerLog, &'a AtomicU64),
}

/// One worker's part of [`run`]: build the dataflow, feed the items round by round while
/// stepping it, step it to the end, and return what reached worker 0 (`Some(None)` on
/// other workers), or `None` when it stopped because another worker panicked.
fn feed_and_collect<I, T, F>(
    worker: &mut Worker,
    run: Round<'_, I>,
    job: &F,
    progress: Option<&Progress>,
) -> Option<Option<Vec<T>>>
where
    I: Clone + 'static,
    T: ExchangeData + Clone,
    F: for<'scope> Fn(StreamVec<'scope, u64, I>, &ProbeHandle<u64>) -> StreamVec<'scope, u64, T>,
{
    let Round {
        items,
        feed,
        rounds,
        failed,
        moved,
    } = run;
    let (index, peers) = (worker.index(), worker.peers());
    let mine: Vec<I> = match feed {
        Feed::Shared => share(items, index, peers),
        Feed::AtFirstWorker if index == 0 => items.to_vec(),
        Feed::AtFirstWorker => Vec::new(),
    };
    // Closed by hand at the end, never dropped while a panic unwinds: its destructor
    // flushes into channels that a lost peer has poisoned, and a panic in a destructor
    // during unwinding aborts the process.
    let mut input = std::mem::ManuallyDrop::new(InputHandle::<u64, I>::new());
    let probe = ProbeHandle::new();
    let collected = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&collected);
    worker.dataflow::<u64, _, _>(|scope| {
        let answers = job(input.to_stream(scope), &probe);
        to_first_worker(answers).inspect(move |answer: &T| sink.borrow_mut().push(answer.clone()));
    });
    // Rounds that have passed the probe on every worker: those below its frontier.
    let (mut told, mut last) = (None, None);
    let mut report = |probe: &ProbeHandle<u64>| {
        let done = probe.with_frontier(|f| f.first().map_or(rounds, |&t| t.min(rounds)));
        if last != Some(done) {
            last = Some(done);
            moved.1.store(moved.0.mark(), Ordering::Relaxed);
        }
        let Some(progress) = progress.filter(|_| index == 0) else {
            return;
        };
        if told != Some(done) {
            told = Some(done);
            progress(done, rounds);
        }
    };
    // ANCHOR: rounds
    report(&probe); // 0 rounds done: the workers are connected and the dataflow built
    let len = mine.len() as u64;
    for round in 0..rounds {
        let (from, to) = (round * len / rounds, (round + 1) * len / rounds);
        for item in &mine[from as usize..to as usize] {
            input.send(item.clone());
        }
        input.advance_to(round + 1);
        while probe.less_than(&round.saturating_sub(IN_FLIGHT - 1)) {
            worker.step_or_park(Some(PARK));
            report(&probe);
            if failed.load(Ordering::Relaxed) {
                return abandon(worker);
            }
        }
    }
    std::mem::ManuallyDrop::into_inner(input).close();
    while worker.step_or_park(Some(PARK)) {
        report(&probe);
        if failed.load(Ordering::Relaxed) {
            return abandon(worker);
        }
    }
    report(&probe);
    // ANCHOR_END: rounds
    Some((index == 0).then(|| collected.take()))
}

/// Why a job did not run to the end.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error("timely could not start: {0}")]
    Start(String),
    #[error(
        "process {process}: the cluster did not start within {waited} s (--start-timeout): \
         {peers}. Start every process with the same hostfile and -n, and let their ports \
         through the firewall"
    )]
    NotStarted {
        process: usize,
        waited: u64,
        peers: String,
    },
    #[error("a worker stopped: {0}")]
    Worker(String),
    #[error("process {process}: the cluster's secret: {error}")]
    Secret {
        process: usize,
        error: shared::secret::SecretError,
    },
    #[error(
        "process {process}: cannot listen on {address}, its line of the hostfile: {error}. \
         Is the address this machine's, and the port free?"
    )]
    Listen {
        process: usize,
        address: String,
        error: String,
    },
    #[error(
        "process {process}: process {peer} at {address} has sent nothing for {waited} s \
         (--silence) while this process waited for it: is it stopped (Ctrl-Z, SIGSTOP) or \
         hung, or did one of its workers fail (its output says why)? A step longer than \
         --silence looks the same: raise it for slow jobs. The job cannot finish without it; \
         stop it and run the job again"
    )]
    Silent {
        process: usize,
        peer: usize,
        address: String,
        waited: u64,
    },
    #[error(
        "process {process}: the connection to process {peer} at {address} ended during the \
         job ({how}): that process crashed or was killed; its own output says why. Run the \
         job again"
    )]
    PeerLost {
        process: usize,
        peer: usize,
        address: String,
        how: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_timelys_own_panics_are_echoes_of_a_loss() {
        for echo in [
            "MergeQueue poisoned.",
            "MergeQueue mutex poisoned.",
            "timely communication error: reading data: connection reset",
            "Send thread panic",
            "Recv thread panic",
        ] {
            assert!(is_echo(echo), "{echo}");
        }
        // An exercise's own panic is printed, whatever its words.
        assert!(!is_echo("the cache is poisoned by a bad bar"));
        assert!(!is_echo(
            "index out of bounds: the len is 3 but the index is 7"
        ));
    }
}
