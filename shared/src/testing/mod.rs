//! For the lessons' tests: run a learner's answer with a time bound, and turn whatever it
//! does wrong (a panic on some worker thread, a `todo!`, a deadlock) into one failure message
//! that names the exercise and the book section.
//!
//! Tests use this module (and `report` and `columnar` use [`panic_message`]). It is here,
//! not in each lesson, so that every lesson's tests speak the same way.

mod flags;
mod lockstep;
mod out_of_order;
mod process;
mod rendezvous;
mod within;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub use crate::panic::{is_todo, panic_message};
#[cfg(feature = "fuzz")]
pub use flags::flag_and_value;
pub use flags::{Flag, check_flag, edges};
pub use lockstep::{Lockstep, Player, step};
pub use out_of_order::{OutOfOrder, first_difference};
pub use process::{run_bounded, run_program, wait_bounded};
pub use rendezvous::Rendezvous;
pub use within::{BUSY_PATIENCE, expect_panic_passed_on, within, within_for, within_on};

/// How long a test waits for an exercise before calling it a deadlock. Tests run on tiny
/// data, so a correct answer takes milliseconds even in a debug build on a busy machine.
pub const DEADLINE: Duration = Duration::from_secs(10);

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

#[cfg(test)]
mod tests;
