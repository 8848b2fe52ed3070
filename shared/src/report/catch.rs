//! Running an exercise that may not be done yet, quietly.

use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The line a program prints when it runs the reference's answer in place of exercise
/// `exercise`, whose probe panicked with `message` (a `todo!`, or a real panic).
pub fn reference_note(exercise: &str, message: &str) -> String {
    let why = if crate::panic::is_todo(message) {
        "is not done yet".to_string()
    } else {
        format!("panicked ({message})")
    };
    format!(
        "note: exercise {exercise} {why}: this run uses the reference's answer in its place \
         (see book section {exercise})."
    )
}

/// Runs `work`, returning a panic's message instead of unwinding. While it runs, the panic
/// hook stays quiet about `todo!`s (an exercise not done yet is not news) and reports any
/// other panic as usual.
pub fn catch_quietly<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    /// How many `catch_quietly` calls are running. The filtering hook is installed once, in
    /// front of whatever hook was there, and never removed: swapping hooks per call would
    /// race with other threads doing the same.
    static QUIET: AtomicUsize = AtomicUsize::new(0);
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = crate::panic::panic_message(info.payload());
            let quiet = QUIET.load(Ordering::SeqCst) > 0;
            if quiet && crate::panic::is_todo(message) {
                let mut seen = TODO_SEEN.lock().unwrap_or_else(|p| p.into_inner());
                seen.get_or_insert_with(|| message.to_string());
            } else if !(quiet && message == SCOPE_PANICKED && todo_seen().is_some()) {
                previous(info);
            }
        }));
    });
    QUIET.fetch_add(1, Ordering::SeqCst);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    let todo = TODO_SEEN.lock().unwrap_or_else(|p| p.into_inner()).take();
    QUIET.fetch_sub(1, Ordering::SeqCst);
    result.map_err(|payload| {
        let message = crate::panic::panic_message(payload.as_ref());
        // A `todo!` on a scoped thread reaches the caller as std's "a scoped thread
        // panicked": the `todo!` is what happened.
        match todo {
            Some(todo) if message == SCOPE_PANICKED => todo,
            _ => message.to_string(),
        }
    })
}

/// What std's `thread::scope` panics with when one of its threads panicked.
const SCOPE_PANICKED: &str = "a scoped thread panicked";

/// The first `todo!` met during the `catch_quietly` in progress.
static TODO_SEEN: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

fn todo_seen() -> Option<String> {
    TODO_SEEN.lock().unwrap_or_else(|p| p.into_inner()).clone()
}
