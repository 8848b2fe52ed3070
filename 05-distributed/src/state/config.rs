//! How the scheduler behaves, and its fixed bounds.

use std::time::Duration;

/// How the scheduler behaves.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// How often workers send a heartbeat.
    pub heartbeat: Duration,
    /// A worker silent this long is lost (its connection is closed and its tasks run
    /// elsewhere); a connection that has not said hello by then is closed.
    pub timeout: Duration,
    /// Tasks in flight per worker thread: enough to hide a network round trip behind work
    /// already queued on the worker. Lower it for long tasks, so that the last ones are not
    /// all queued behind one worker (dask calls this worker saturation).
    pub depth: u32,
    /// The most unfinished tasks the scheduler holds, from all clients together; a task
    /// submitted beyond it fails at once with [`TaskError::Overloaded`]. Every frame is
    /// bounded, and so is the sum of them.
    pub max_tasks: usize,
    /// Print a line on stderr when a worker joins or leaves (`scheduler-05` does).
    pub log: bool,
    /// The most bytes waiting for one peer (one message may be larger, alone): a peer that
    /// does not read is disconnected past it, with a logged reason, rather than grow the
    /// scheduler's memory.
    pub outbox_bytes: usize,
    /// Work stealing: when no task waits and a worker is idle, take queued (not started)
    /// tasks back from the busiest worker for it (see [`crate::state::State::steal`]).
    pub steal: bool,
}

/// The most task threads a worker may announce: a bound on its window.
pub const MAX_THREADS: u32 = 1024;

/// The most connections the scheduler serves at once.
pub const MAX_CONNECTIONS: usize = 1024;

impl Default for Config {
    fn default() -> Config {
        Config {
            heartbeat: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
            depth: 64,
            max_tasks: 1_000_000,
            log: false,
            outbox_bytes: 16 << 20,
            steal: true,
        }
    }
}
