//! The 2016 notebook's toy tasks, `slowadd` and `slowsub`: arithmetic that sleeps first, so
//! that running calls at the same time visibly pays. The delay is a parameter: the program
//! uses a fraction of a second, the tests a few milliseconds.

use std::sync::Arc;
use std::time::Duration;

/// What a test runs at the start of every call, to see where and when calls run.
pub type Observer = Arc<dyn Fn() + Send + Sync>;

/// Slow arithmetic. Cheap to clone (a task that owns one can be sent to a pool).
#[derive(Clone, Default)]
pub struct Slow {
    delay: Duration,
    /// For tests: runs first in every call, e.g. to record the thread, or to arrive at a
    /// `shared::testing::Rendezvous` that tells whether calls ran on several threads at once.
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

    /// Like [`new`](Self::new), and every call first runs `observer`.
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
        self.nap();
        a + b
    }

    /// `a - b`, slowly.
    pub fn sub(&self, a: i64, b: i64) -> i64 {
        self.nap();
        a - b
    }
    // ANCHOR_END: slowadd

    fn nap(&self) {
        if let Some(observe) = &self.observer {
            observe();
        }
        std::thread::sleep(self.delay);
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
