//! Running an answer with a time bound, and turning whatever it does wrong into one failure
//! message that names the exercise and the book section.

use std::sync::atomic::Ordering;
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use super::{DEADLINE, lock};
use crate::panic::{is_todo, panic_message};

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
