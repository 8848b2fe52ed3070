//! What a panic said: the leaf that programs, readers and tests share, so that none of them
//! depends on the test helpers of [`crate::testing`] for it.

use std::any::Any;

/// The text of a panic payload: what `panic!`, `assert!` or `todo!` was given.
pub fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(a panic without a message)")
}

/// True for the panic of an untouched `todo!()`.
pub fn is_todo(message: &str) -> bool {
    message.starts_with("not yet implemented")
}
