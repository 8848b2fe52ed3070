//! For the lessons' tests: run a learner's answer with a time bound, and turn whatever it
//! does wrong (a panic on some worker thread, a `todo!`, a deadlock) into one failure message
//! that names the exercise and the book section.
//!
//! Tests use this module (and `report` and `columnar` use [`panic_message`]). It is here,
//! not in each lesson, so that every lesson's tests speak the same way.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, mpsc};
use std::thread::ThreadId;
use std::time::Duration;

/// How long a test waits for an exercise before calling it a deadlock. Tests run on tiny
/// data, so a correct answer takes milliseconds even in a debug build on a busy machine.
pub const DEADLINE: Duration = Duration::from_secs(10);

pub use crate::panic::{is_todo, panic_message};

/// Runs `work` (a call into exercise `id`, e.g. `"1.2"`) on a fresh thread and returns its
/// result, or fails the test with a message that a learner can act on:
///
/// - `work` did not finish within [`DEADLINE`], nor in as long again (six times as long on
///   a busy machine, see [`within_on`]): "exercise 1.2 did not finish in 20s — a
///   deadlock? … see book section 1.2". Work that finishes late returns its result. The stuck thread is left behind; the test process
///   ends it when the run is over.
/// - `work` panicked, on this thread or on a worker thread whose panic the answer passed on:
///   the panic's own message, prefixed with the exercise. (A panic that was resumed with
///   `resume_unwind` prints nothing by itself, which is why a bare test showed no message.)
///
/// ```
/// let sum = shared::testing::within("1.1", || (1..=10).sum::<u32>());
/// assert_eq!(sum, 55);
/// ```
pub fn within<R, F>(id: &str, work: F) -> R
where
    R: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
{
    within_for(id, DEADLINE, work)
}

/// How many deadlines in all a test waits before it calls an answer stuck: a second one
/// anywhere (the load average lags behind a machine that just got busy), and up to this
/// many on a busy machine (load above the cores), where a correct answer can be late
/// without being deadlocked.
pub const BUSY_PATIENCE: u32 = 6;

/// [`within`] with another deadline.
pub fn within_for<R, F>(id: &str, deadline: Duration, work: F) -> R
where
    R: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
{
    within_on(id, deadline, crate::machine::busy, work)
}

/// [`within_for`], with `busy` telling whether the machine is busy (see
/// [`machine::busy`](crate::machine::busy)). When the deadline passes on a busy machine,
/// the test waits on, up to [`BUSY_PATIENCE`] deadlines in all: work that finishes late
/// returns its result, so the test's own assertions judge it, not the clock.
pub fn within_on<R, F>(
    id: &str,
    deadline: Duration,
    busy: impl Fn() -> Option<String>,
    work: F,
) -> R
where
    R: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
{
    let watch = Watch::start();
    let serial = watch.serial;
    let (done, result) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name(format!("exercise {id}"))
        .spawn(move || {
            WITHIN.with(|w| w.set(Some(serial)));
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            // The receiver is gone only if the test already failed on the deadline.
            let _ = done.send(outcome);
        });
    if let Err(e) = spawned {
        panic!("exercise {id}: could not start a thread to run it: {e}");
    }
    let mut outcome = result.recv_timeout(deadline);
    let mut waited = deadline;
    let mut load = None;
    if outcome.is_err() {
        load = busy();
        let more = match &load {
            Some(_) => deadline * (BUSY_PATIENCE - 1),
            None => deadline,
        };
        let why = load
            .as_ref()
            .map_or(String::new(), |load| format!(" ({load})"));
        eprintln!(
            "exercise {id}: not finished after {deadline:?}{why}: waiting up to {more:?} \
             more before calling it stuck"
        );
        outcome = result.recv_timeout(more);
        waited += more;
    }
    match outcome {
        Ok(Ok(value)) => {
            watch.finish(id, None);
            value
        }
        Ok(Err(payload)) => {
            let mut message = panic_message(payload.as_ref()).to_string();
            let (mut place, others) = watch.finish(id, Some(&message));
            // std's scope replaces a thread's panic with its own words: the first panic
            // recorded on the answer's threads is the cause.
            if message == "a scoped thread panicked"
                && let Some(cause) = others.first()
            {
                place = format!(" (at {}, on {})", cause.location, cause.thread);
                message = cause.message.clone();
            }
            if is_check(id, &message) {
                // A check of the test itself failed: its message already says everything.
                panic!("{message}");
            }
            if is_todo(&message) {
                panic!("exercise {id} is not done yet: {message}{place}");
            }
            panic!("exercise {id} panicked: {message}{place} (see book section {id})");
        }
        Err(_) => {
            let (_, recorded) = watch.finish(id, None);
            let cause = recorded.first().map_or(String::new(), |p| {
                format!(
                    ". Meanwhile {} panicked at {}: {} (a thread that died may be what the \
                     others wait for)",
                    p.thread, p.location, p.message
                )
            });
            deadline_failure(id, waited, load, &cause)
        }
    }
}

/// The failure of work that did not finish in `waited`.
fn deadline_failure(id: &str, waited: Duration, load: Option<String>, cause: &str) -> ! {
    match load {
        None => panic!(
            "exercise {id} did not finish in {waited:?} — a deadlock? A thread may wait \
                 for something that never comes; see book section {id}{cause}"
        ),
        Some(load) => panic!(
            "exercise {id} did not finish in {waited:?}, on a busy machine ({load}): a \
                 deadlock, or a machine too busy to tell. Run the test again when `uptime` \
                 shows less load; see book section {id}{cause}"
        ),
    }
}

/// A panic recorded by the hook that [`Watch`] installs, instead of printed.
struct Recorded {
    seq: u64,
    /// The [`within`] whose own thread panicked, if it was one.
    within: Option<u64>,
    thread: String,
    message: String,
    location: String,
}

/// Panics recorded while some [`within`] runs, oldest first (at most [`KEPT`]).
static RECORDED: Mutex<Vec<Recorded>> = Mutex::new(Vec::new());
const KEPT: usize = 64;
/// How many [`within`]s are running, in all the tests of this process.
static WATCHING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static NEXT_SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static HOOK: std::sync::Once = std::sync::Once::new();
static NEXT_WITHIN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

thread_local! {
    /// On the thread that [`within`] runs an answer on: that run's serial number.
    static WITHIN: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// A panic message from a check of the test itself: it starts with "exercise N.M", maybe
/// after an `assert_eq!`'s preamble.
fn is_check(id: &str, message: &str) -> bool {
    let check = message
        .strip_prefix("assertion `left == right` failed: ")
        .or_else(|| message.strip_prefix("assertion `left != right` failed: "))
        .unwrap_or(message);
    check.starts_with(&format!("exercise {id}"))
}

/// Every failure printed once: while a [`within`] runs, a panic on a thread that is not a
/// test's own (the exercise's thread, a pool's worker, an unnamed thread) is recorded
/// rather than printed, and `within`'s report says where it happened. Without this, the
/// worker's panic and the report said the same thing twice. A test thread's own panics (an
/// assertion) print as usual: they are the report.
struct Watch {
    from: u64,
    serial: u64,
}

impl Watch {
    fn start() -> Watch {
        HOOK.call_once(|| {
            let default = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let thread = std::thread::current();
                let name = thread.name();
                // Quiet only what can be given to its run: the run's own thread, or any
                // thread of the answer while a single run is in progress. With several
                // runs at once (libtest runs a file's tests in parallel), a worker's panic
                // could be any of theirs: it prints as usual.
                let within = WITHIN.with(|w| w.get());
                let single = WATCHING.load(Ordering::SeqCst) == 1;
                let answer_thread =
                    name.is_none_or(|n| n.starts_with("exercise ") || n.starts_with("tokio-"));
                if within.is_none() && !(single && answer_thread) {
                    return default(info);
                }
                let recorded = Recorded {
                    seq: NEXT_SEQ.fetch_add(1, Ordering::SeqCst),
                    within,
                    thread: name
                        .map_or("a thread of the answer".into(), |n| format!("thread '{n}'")),
                    message: panic_message(info.payload()).to_string(),
                    location: info
                        .location()
                        .map_or("an unknown place".into(), |l| l.to_string()),
                };
                let mut all = lock(&RECORDED);
                if all.len() >= KEPT {
                    all.remove(0);
                }
                all.push(recorded);
            }));
        });
        WATCHING.fetch_add(1, Ordering::SeqCst);
        Watch {
            from: NEXT_SEQ.load(Ordering::SeqCst),
            serial: NEXT_WITHIN.fetch_add(1, Ordering::SeqCst),
        }
    }

    /// Takes the panics recorded since the start, on this run's own thread or on threads
    /// of no run (the answer's workers; another test's run keeps its own). Returns where the
    /// one with `message` happened (" (at FILE:LINE:COL, on THREAD)"), and the others, which
    /// it also prints (in the test's captured output, shown if it fails) unless they are the
    /// cause of a failure, which the caller reports.
    fn finish(self, id: &str, message: Option<&str>) -> (String, Vec<Recorded>) {
        let mut mine = Vec::new();
        {
            let mut all = lock(&RECORDED);
            let mut i = 0;
            while i < all.len() {
                let ours = all[i].within.is_none_or(|w| w == self.serial);
                if all[i].seq >= self.from && ours {
                    mine.push(all.remove(i));
                } else {
                    i += 1;
                }
            }
        }
        let mut place = String::new();
        let mut others = Vec::new();
        for panic in mine {
            if place.is_empty() && Some(panic.message.as_str()) == message {
                place = format!(" (at {}, on {})", panic.location, panic.thread);
            } else if Some(panic.message.as_str()) != message {
                others.push(panic);
            }
        }
        let reported_by_caller = message == Some("a scoped thread panicked");
        for (n, panic) in others.iter().enumerate() {
            if reported_by_caller && n == 0 {
                continue;
            }
            eprintln!(
                "while exercise {id} ran, {} panicked at {}: {} (in this test, or in one \
                 running beside it)",
                panic.thread, panic.location, panic.message
            );
        }
        (place, others)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        WATCHING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Checks that `call` (a call into exercise `id`) panics because the work it was given
/// panicked with `expected`, and that the work's own message comes through: a learner's
/// pool must pass a worker's panic on (`resume_unwind`), not swallow it or replace it.
/// `what` names what panicked ("item 7", "task 3") in the failure message. An untouched
/// `todo!` is passed on as is, so the test says "not done yet", not "wrong message".
///
/// ```
/// shared::testing::expect_panic_passed_on("1.2", "item 7 is bad", "item 7", || {
///     let items: Vec<u32> = (0..10).collect();
///     std::thread::scope(|s| {
///         let handle = s.spawn(|| items.iter().map(|&i| { assert!(i != 7, "item 7 is bad"); i }).sum::<u32>());
///         handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
///     })
/// });
/// ```
pub fn expect_panic_passed_on<R>(id: &str, expected: &str, what: &str, call: impl FnOnce() -> R) {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(call));
    let Err(panic) = result else {
        panic!("exercise {id}: {what} panicked, so the call must panic too; see book section {id}")
    };
    let message = panic_message(panic.as_ref());
    if is_todo(message) {
        std::panic::resume_unwind(panic);
    }
    assert!(
        message.contains(expected),
        "exercise {id}: expected the panic of {what} to come through with its own message \
         ({expected:?}), got {message:?}: pass the panic's payload on as it is (a thread's \
         `join` error goes to `std::panic::resume_unwind`; a handle that raises it again needs \
         no more); see book section {id}"
    );
}

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

/// How long a structure check waits for the event it expects before giving up on it (once;
/// after that, it stops waiting). Only a wrong answer ever waits this long.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// Locks a mutex whose data stays valid even if a holder panicked (a learner's panic must
/// not turn into a second, confusing one here).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

// ANCHOR: rendezvous
/// "Is it parallel?", answered by structure rather than by the clock: every call to
/// [`arrive`](Self::arrive) records its thread and waits until a second thread has arrived
/// too. A map that runs items on several threads at once meets at once; one that runs them
/// one after the other waits [`PATIENCE`] once, gives up, and ends with one thread recorded.
#[derive(Default)]
pub struct Rendezvous {
    threads: Mutex<HashSet<ThreadId>>,
    arrived: Condvar,
    gave_up: AtomicBool,
}

impl Rendezvous {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the calling thread, then waits for a second one (or gives up).
    pub fn arrive(&self) {
        let mut threads = lock(&self.threads);
        threads.insert(std::thread::current().id());
        self.arrived.notify_all();
        if self.gave_up.load(Ordering::SeqCst) {
            return;
        }
        let (_threads, wait) = self
            .arrived
            .wait_timeout_while(threads, PATIENCE, |t| t.len() < 2)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if wait.timed_out() {
            self.gave_up.store(true, Ordering::SeqCst);
        }
    }

    // ANCHOR_END: rendezvous
    /// How many distinct threads have arrived.
    pub fn thread_count(&self) -> usize {
        lock(&self.threads).len()
    }

    /// True if a call waited [`PATIENCE`] for a second thread in vain: the first calls ran
    /// alone. (A pool that runs calls one at a time, each on whichever thread is free, can
    /// still record several threads: check this, not [`thread_count`](Self::thread_count),
    /// when the question is "did calls run at the same time?".)
    pub fn gave_up(&self) -> bool {
        self.gave_up.load(Ordering::SeqCst)
    }
}

/// "Can an update be lost?", answered by forcing the interleaving that loses it rather than
/// by hoping for it: the threads that [`join`](Self::join) a lockstep take turns, one step
/// each, player 0, then 1, …, then 0 again, until each has finished. A step is any call
/// wrapped in [`step`]; lesson 4's atomics wrap each of their operations in one. So with
/// two players, an update written as a `load` then a `store` always runs as: 0 loads, 1
/// loads, 0 stores, 1 stores, and one of the two updates is lost, every run; a `fetch_add`
/// is one step, and loses nothing.
///
/// A player whose turn it is but who never steps (it waits on something else) holds the
/// others up for at most [`PATIENCE`], once: then the lockstep gives up, every step runs at
/// once, and [`gave_up`](Self::gave_up) says so.
pub struct Lockstep {
    turns: Mutex<Turns>,
    changed: Condvar,
    gave_up: AtomicBool,
}

struct Turns {
    /// Whose turn it is.
    turn: usize,
    /// Which players are done (dropped their [`Player`]).
    finished: Vec<bool>,
    steps: usize,
}

impl Turns {
    /// The next player after `from` (cyclically, `from` itself last) who has not finished.
    fn next_after(&self, from: usize) -> usize {
        let n = self.finished.len();
        (1..=n)
            .map(|k| (from + k) % n)
            .find(|&p| !self.finished[p])
            .unwrap_or(from)
    }
}

/// A thread's place in a [`Lockstep`]; dropping it takes the thread out of the turns.
pub struct Player {
    lockstep: std::sync::Arc<Lockstep>,
    index: usize,
}

thread_local! {
    static PLAYING: std::cell::RefCell<Option<(std::sync::Arc<Lockstep>, usize)>> =
        const { std::cell::RefCell::new(None) };
}

/// How many [`Player`]s exist in the process: while none does, [`step`] costs one relaxed
/// load.
static PLAYERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Lockstep {
    /// A lockstep of `players` threads, numbered `0..players`.
    pub fn new(players: usize) -> std::sync::Arc<Lockstep> {
        std::sync::Arc::new(Lockstep {
            turns: Mutex::new(Turns {
                turn: 0,
                finished: vec![false; players.max(1)],
                steps: 0,
            }),
            changed: Condvar::new(),
            gave_up: AtomicBool::new(false),
        })
    }

    /// Makes the calling thread player `index` until the returned [`Player`] is dropped.
    pub fn join(self: &std::sync::Arc<Self>, index: usize) -> Player {
        assert!(
            PLAYING.with(|p| p.borrow().is_none()),
            "a thread can be one player of one lockstep at a time"
        );
        PLAYERS.fetch_add(1, Ordering::SeqCst);
        PLAYING.with(|p| *p.borrow_mut() = Some((std::sync::Arc::clone(self), index)));
        Player {
            lockstep: std::sync::Arc::clone(self),
            index,
        }
    }

    /// True if a player waited [`PATIENCE`] for its turn in vain.
    pub fn gave_up(&self) -> bool {
        self.gave_up.load(Ordering::SeqCst)
    }

    /// How many steps the players took, in all.
    pub fn steps(&self) -> usize {
        lock(&self.turns).steps
    }

    fn take_turn<R>(&self, index: usize, op: impl FnOnce() -> R) -> R {
        let turns = lock(&self.turns);
        let (mut turns, wait) = self
            .changed
            .wait_timeout_while(turns, PATIENCE, |t| {
                t.turn != index && !self.gave_up.load(Ordering::SeqCst)
            })
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if wait.timed_out() {
            self.gave_up.store(true, Ordering::SeqCst);
        }
        // The step runs while this player holds the turn (and the lock), so that no other
        // step comes between it and the passing of the turn.
        let result = op();
        turns.steps += 1;
        if turns.turn == index {
            turns.turn = turns.next_after(index);
        }
        drop(turns);
        self.changed.notify_all();
        result
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        PLAYING.with(|p| *p.borrow_mut() = None);
        PLAYERS.fetch_sub(1, Ordering::SeqCst);
        let mut turns = lock(&self.lockstep.turns);
        if let Some(done) = turns.finished.get_mut(self.index) {
            *done = true;
        }
        if turns.turn == self.index {
            turns.turn = turns.next_after(self.index);
        }
        drop(turns);
        self.lockstep.changed.notify_all();
    }
}

// ANCHOR: step
/// Runs `op` as one step of a [`Lockstep`] if the calling thread has joined one (waiting for
/// its turn first), or at once if it has not: how given code lets a test interleave the
/// operations a learner's answer makes. `op` must not call `step` itself.
pub fn step<R>(op: impl FnOnce() -> R) -> R {
    if PLAYERS.load(Ordering::Relaxed) == 0 {
        return op();
    }
    match PLAYING.with(|p| p.borrow().clone()) {
        Some((lockstep, index)) => lockstep.take_turn(index, op),
        None => op(),
    }
}
// ANCHOR_END: step

/// Work whose items finish out of input order, so that a map that returns results in the
/// order they finish, or thread by thread, cannot pass an order test by luck. Item `i`
/// waits until its partner is done; two layouts:
///
/// - [`pairs`](Self::pairs): item `2k` waits for item `2k + 1`. For maps that hand out one
///   item at a time (a shared counter). No thread can process `2k` and then `2k + 1` (it
///   would wait for itself), so every pair of neighbours is split between two threads:
///   results gathered as they finish put `2k + 1` before `2k`, and results gathered thread
///   by thread, then concatenated, would need a thread boundary between every pair; with
///   more than twice as many items as threads there are not enough boundaries. Only a map
///   that puts each result at its item's index passes.
/// - [`first_after_last`](Self::first_after_last): item 0 waits for the last item. For maps
///   that split the items into contiguous chunks (rayon): the first and the last item are
///   in different chunks, so the last one finishes first.
///
/// A map that runs the waiting item and its partner one after the other on one thread would
/// wait forever; instead each wait gives up after [`PATIENCE`], once for the whole run, and
/// [`gave_up`](Self::gave_up) says so.
pub struct OutOfOrder {
    done: Mutex<Progress>,
    changed: Condvar,
    gave_up: AtomicBool,
    partner: fn(usize, usize) -> Option<usize>,
}

/// Which items are done, and in what order they finished.
struct Progress {
    done: Vec<bool>,
    finished: Vec<usize>,
}

impl OutOfOrder {
    /// Work for items `0..len` where item `2k` waits for item `2k + 1`.
    pub fn pairs(len: usize) -> Self {
        Self::with_partners(len, |i, len| (i % 2 == 0 && i + 1 < len).then_some(i + 1))
    }

    /// Work for items `0..len` where item 0 waits for item `len - 1`.
    pub fn first_after_last(len: usize) -> Self {
        Self::with_partners(len, |i, len| (i == 0 && len > 1).then_some(len - 1))
    }

    fn with_partners(len: usize, partner: fn(usize, usize) -> Option<usize>) -> Self {
        OutOfOrder {
            done: Mutex::new(Progress {
                done: vec![false; len],
                finished: Vec::with_capacity(len),
            }),
            changed: Condvar::new(),
            gave_up: AtomicBool::new(false),
            partner,
        }
    }

    /// Processes item `i` (waiting for its partner first, if it has one) and returns `i × 10`.
    pub fn process(&self, i: usize) -> usize {
        let mut done = lock(&self.done);
        let partner = (self.partner)(i, done.done.len());
        if let Some(partner) = partner.filter(|_| !self.gave_up.load(Ordering::SeqCst)) {
            let (guard, wait) = self
                .changed
                .wait_timeout_while(done, PATIENCE, |p| !p.done[partner])
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            done = guard;
            if wait.timed_out() {
                self.gave_up.store(true, Ordering::SeqCst);
                self.changed.notify_all();
            }
        }
        if let Some(slot) = done.done.get_mut(i) {
            *slot = true;
        }
        done.finished.push(i);
        self.changed.notify_all();
        i * 10
    }

    /// The items in the order they finished, as recorded under the same lock that marks them
    /// done (so the order is exact, unlike one recorded by the caller afterwards).
    pub fn finish_order(&self) -> Vec<usize> {
        lock(&self.done).finished.clone()
    }

    /// True if some item had to give up waiting for its partner: the map ran it and its
    /// partner one after the other on the same thread.
    pub fn gave_up(&self) -> bool {
        self.gave_up.load(Ordering::SeqCst)
    }
}

/// The first index where `got` and `expected` differ, as a sentence for a failing test:
/// "at index 2: expected 20, got 30 (100 results)". `None` when they are equal.
pub fn first_difference<T: PartialEq + std::fmt::Debug>(
    got: &[T],
    expected: &[T],
) -> Option<String> {
    if got.len() != expected.len() {
        return Some(format!(
            "expected {} results, got {}",
            expected.len(),
            got.len()
        ));
    }
    let i = got.iter().zip(expected).position(|(g, e)| g != e)?;
    Some(format!(
        "at index {i}: expected {:?}, got {:?} ({} results)",
        expected[i],
        got[i],
        got.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests that look at what `within` reports of a worker's panic run one at a time:
    /// a worker's panic is given to a run only while that run is the only one.
    fn one_at_a_time() -> MutexGuard<'static, ()> {
        static ONE: Mutex<()> = Mutex::new(());
        lock(&ONE)
    }

    #[test]
    fn a_lockstep_makes_a_load_then_a_store_lose_an_update_every_time() {
        use std::sync::atomic::AtomicU64;
        let counter = AtomicU64::new(0);
        let lockstep = Lockstep::new(2);
        std::thread::scope(|s| {
            for index in 0..2 {
                let (counter, lockstep) = (&counter, &lockstep);
                s.spawn(move || {
                    let _player = lockstep.join(index);
                    let seen = step(|| counter.load(Ordering::Relaxed));
                    step(|| counter.store(seen + 1, Ordering::Relaxed));
                });
            }
        });
        assert_eq!(
            counter.load(Ordering::Relaxed),
            1,
            "0 loads, 1 loads, 0 stores, 1 stores"
        );
        assert_eq!(lockstep.steps(), 4);
        assert!(!lockstep.gave_up());
    }

    #[test]
    fn a_lockstep_lets_a_read_modify_write_lose_nothing() {
        use std::sync::atomic::AtomicU64;
        let counter = AtomicU64::new(0);
        let lockstep = Lockstep::new(3);
        std::thread::scope(|s| {
            for index in 0..3 {
                let (counter, lockstep) = (&counter, &lockstep);
                s.spawn(move || {
                    let _player = lockstep.join(index);
                    for _ in 0..=index {
                        step(|| counter.fetch_add(1, Ordering::Relaxed));
                    }
                });
            }
        });
        assert_eq!(
            counter.load(Ordering::Relaxed),
            6,
            "players that finish leave the turns"
        );
        assert!(!lockstep.gave_up());
        assert_eq!(
            step(|| 7),
            7,
            "a thread outside every lockstep steps at once"
        );
    }

    /// Work that finishes only once the deadline has passed (the `busy` probe, called at
    /// the deadline, lets it go) returns its result, busy machine or not: the test's own
    /// checks judge it, not the clock.
    #[test]
    fn late_work_is_judged_by_its_result_not_the_clock() {
        let _one = one_at_a_time();
        let late = |busy: Option<&'static str>| {
            let (go, wait) = mpsc::channel::<()>();
            let probe = move || {
                let _ = go.send(());
                busy.map(String::from)
            };
            within_on("9.9", Duration::from_millis(20), probe, move || {
                let _ = wait.recv();
                42
            })
        };
        assert_eq!(
            late(Some("the 1-minute load average is 9.0 on 2 cores")),
            42
        );
        assert_eq!(late(None), 42);
    }

    fn failure_of(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let payload = std::panic::catch_unwind(f).expect_err("should fail");
        panic_message(payload.as_ref()).to_string()
    }

    #[test]
    fn out_of_order_finishes_odd_items_first_across_threads() {
        let work = OutOfOrder::pairs(4);
        std::thread::scope(|s| {
            for i in [0, 2, 1, 3] {
                let work = &work;
                s.spawn(move || work.process(i));
            }
        });
        let order = work.finish_order();
        let at = |i| order.iter().position(|&x| x == i).unwrap();
        assert!(at(1) < at(0) && at(3) < at(2), "{order:?}");
        assert!(!work.gave_up());
    }

    #[test]
    fn first_difference_names_the_index() {
        assert_eq!(first_difference(&[1, 2, 3], &[1, 2, 3]), None);
        assert_eq!(
            first_difference(&[1, 5, 3], &[1, 2, 3]).unwrap(),
            "at index 1: expected 2, got 5 (3 results)"
        );
        assert_eq!(
            first_difference(&[1], &[1, 2]).unwrap(),
            "expected 2 results, got 1"
        );
    }

    #[test]
    fn passes_the_result_back() {
        let _one = one_at_a_time();
        assert_eq!(within("1.1", || 6 * 7), 42);
    }

    #[test]
    fn a_panic_in_a_scoped_thread_is_reported_with_its_own_words() {
        let _one = one_at_a_time();
        let message = failure_of(|| {
            within("1.2", || {
                std::thread::scope(|s| {
                    s.spawn(|| panic!("item 3 is bad"));
                });
            })
        });
        assert!(
            message.starts_with("exercise 1.2 panicked: item 3 is bad (at shared/src/testing.rs:"),
            "not std's \"a scoped thread panicked\": {message}"
        );
    }

    #[test]
    fn a_todo_reads_not_done_yet() {
        let _one = one_at_a_time();
        let message = failure_of(|| within("1.3", || todo!("exercise 1.3: parse")));
        assert!(
            message.starts_with("exercise 1.3 is not done yet: not yet implemented: exercise 1.3"),
            "{message}"
        );
    }

    #[test]
    fn a_panic_on_a_worker_thread_keeps_its_message() {
        let _one = one_at_a_time();
        let message = failure_of(|| {
            within("1.2", || {
                let worker = std::thread::spawn(|| panic!("item 7 is bad"));
                let Err(payload) = worker.join();
                std::panic::resume_unwind(payload);
            })
        });
        // Printed once, here, with where it happened (the worker printed nothing).
        assert!(
            message.starts_with("exercise 1.2 panicked: item 7 is bad (at shared/src/testing.rs:")
                && message.ends_with(", on a thread of the answer) (see book section 1.2)"),
            "{message}"
        );
    }

    #[test]
    fn a_deadlock_names_the_panic_that_may_have_caused_it() {
        let _one = one_at_a_time();
        // A worker dies, and the thread that waits for its result waits for ever.
        let message = failure_of(move || {
            within_on(
                "1.2",
                Duration::from_millis(50),
                || None,
                move || {
                    let (results, wait) = mpsc::channel::<u32>();
                    let _worker = std::thread::spawn(move || {
                        let _results = results;
                        panic!("item 4 is bad");
                    });
                    let (_keep, never) = mpsc::channel::<()>();
                    let _ = wait.recv();
                    never.recv().ok()
                },
            );
        });
        assert!(
            message.starts_with("exercise 1.2 did not finish in 100ms — a deadlock?")
                && message.contains(
                    "Meanwhile a thread of the answer panicked at shared/src/testing.rs:"
                )
                && message.contains(": item 4 is bad"),
            "{message}"
        );
    }

    #[test]
    fn a_deadlock_fails_with_the_section() {
        let _one = one_at_a_time();
        // The machine's load is given, not read: the test must not depend on it.
        let (_keep, never) = mpsc::channel::<()>();
        let message = failure_of(move || {
            within_on(
                "1.2",
                Duration::from_millis(50),
                || None,
                move || never.recv().ok(),
            );
        });
        assert!(
            message.starts_with("exercise 1.2 did not finish in 100ms — a deadlock?")
                && message.ends_with("see book section 1.2"),
            "{message}"
        );
        let (_keep, never) = mpsc::channel::<()>();
        let busy = || Some("the 1-minute load average is 9.0 on 2 cores".to_string());
        let message = failure_of(move || {
            within_on("1.2", Duration::from_millis(10), busy, move || {
                never.recv().ok()
            });
        });
        assert!(
            message.starts_with(
                "exercise 1.2 did not finish in 60ms, on a busy machine (the 1-minute load \
                 average is 9.0 on 2 cores): a deadlock, or a machine too busy to tell"
            ),
            "{message}"
        );
    }
}
