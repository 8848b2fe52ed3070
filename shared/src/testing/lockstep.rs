//! "Can an update be lost?", by forcing the interleaving.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};

use super::{PATIENCE, lock};

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
