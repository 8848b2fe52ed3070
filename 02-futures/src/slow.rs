//! The 2016 notebook's toy tasks, `slowadd` and `slowsub`: arithmetic that sleeps first, so
//! that running calls at the same time visibly pays. The delay is a parameter: the program
//! uses a fraction of a second, the tests a few milliseconds.

use std::sync::Arc;
use std::time::Duration;

/// When an [`Observer`] runs: as a call starts, or as it is about to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Start,
    End,
}

/// What a test runs at the start and at the end of every call `(a, b)`, to see where and
/// when calls run (and to hold one back).
pub type Observer = Arc<dyn Fn(Moment, i64, i64) + Send + Sync>;

/// Slow arithmetic. Cheap to clone (a task that owns one can be sent to a pool).
#[derive(Clone, Default)]
pub struct Slow {
    delay: Duration,
    /// For tests: runs first and last in every call, e.g. to record the thread, or to wait
    /// until other calls have started, which tells whether calls run at the same time.
    observer: Option<Observer>,
}

impl Slow {
    /// Calls that each sleep `delay` before answering.
    pub fn new(delay: Duration) -> Self {
        Slow {
            delay,
            observer: None,
        }
    }

    /// Like [`new`](Self::new), and every call runs `observer` first and last.
    pub fn observed(delay: Duration, observer: Observer) -> Self {
        Slow {
            delay,
            observer: Some(observer),
        }
    }

    /// How long each call sleeps.
    pub fn delay(&self) -> Duration {
        self.delay
    }

    // ANCHOR: slowadd
    /// `a + b`, slowly.
    pub fn add(&self, a: i64, b: i64) -> i64 {
        self.nap(a, b);
        a + b
    }

    /// `a - b`, slowly.
    pub fn sub(&self, a: i64, b: i64) -> i64 {
        self.nap(a, b);
        a - b
    }
    // ANCHOR_END: slowadd

    fn nap(&self, a: i64, b: i64) {
        if let Some(observe) = &self.observer {
            observe(Moment::Start, a, b);
        }
        std::thread::sleep(self.delay);
        if let Some(observe) = &self.observer {
            observe(Moment::End, a, b);
        }
    }
}

// ANCHOR: double_loop_sequential
/// The 2016 notebook's double loop, sequentially: for every `i` and `j` in `0..n`, add when
/// `i < j`, subtract when `i > j`, and do nothing on the diagonal. Results in loop order.
pub fn double_loop_sequential(n: i64, slow: &Slow) -> Vec<i64> {
    let mut results = Vec::new();
    for i in 0..n {
        for j in 0..n {
            if i < j {
                results.push(slow.add(i, j));
            } else if i > j {
                results.push(slow.sub(i, j));
            }
        }
    }
    results
}
// ANCHOR_END: double_loop_sequential

/// How many calls the double loop makes for `n`: every `(i, j)` off the diagonal.
pub fn double_loop_calls(n: i64) -> usize {
    let n = n.max(0) as usize;
    n * n.saturating_sub(1)
}
