//! Lesson 1 exercises: THE file you edit. Exercise N.M is explained in book section N.M.
//! Replace its `todo!` with your code, then check that exercise alone:
//!
//! ```text
//! cargo test -p lesson-01-map --test ex1_1     # exercise 1.1; likewise ex1_2, ex1_3
//! cargo course                                 # where you stand on every exercise
//! ```

use std::path::Path;

use shared::Columns;

use crate::convert::ConvertError;

// ANCHOR: par_map_rayon
/// Exercise 1.1: apply `work` to every item in parallel with rayon, and return the results
/// in the same order as `items`.
///
/// Start from the sequential map, `items.iter().map(|item| work(item)).collect()`, and make
/// it parallel. Use rayon's global thread pool.
pub fn par_map_rayon<T, R, F>(items: &[T], work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let _ = (items, work);
    todo!("exercise 1.1: a parallel map with rayon — see book section 1.1")
}
// ANCHOR_END: par_map_rayon

// ANCHOR: par_map_by_hand
/// Exercise 1.2: the same map without rayon: start `threads` scoped threads
/// (`std::thread::scope`); each repeatedly takes the index of the next unprocessed item from
/// a shared counter (`AtomicUsize::fetch_add`) until none are left. Return the results in the
/// same order as `items`, each item processed exactly once. Treat `threads == 0` as 1.
pub fn par_map_by_hand<T, R, F>(items: &[T], threads: usize, work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let _ = (items, threads, work);
    todo!(
        "exercise 1.2: a parallel map by hand with scoped threads and an atomic counter — see book section 1.2"
    )
}
// ANCHOR_END: par_map_by_hand

// ANCHOR: parse_typed
/// Exercise 1.3: parse a JSON Lines file of bars straight into columns, with a
/// `#[derive(Deserialize)]` record instead of `serde_json::Value`.
///
/// Same contract as [`crate::convert::parse_value`], and the same columns: skip blank lines
/// (`shared::read::json_lines` does), check each bar with `Bar::validate`, report a bad line
/// with [`crate::convert::json_error`] or [`crate::convert::line_error`], and an input
/// without bars with [`crate::convert::empty_error`]. Refuse exactly the lines
/// `parse_value` refuses (see the hints about arrays and unknown keys). Unlike `parse_value`, allocate
/// nothing per line: no `Value` tree, no `String` keys.
pub fn parse_typed(path: &Path, bytes: &[u8]) -> Result<Columns, ConvertError> {
    let _ = (path, bytes);
    todo!("exercise 1.3: typed deserialization with #[derive(Deserialize)] — see book section 1.3")
}
// ANCHOR_END: parse_typed
