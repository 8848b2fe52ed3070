//! Lesson 1 reference solutions: the same functions as `exercise.rs`, filled in.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Deserialize;
use shared::read::{NOT_AN_OBJECT, is_object, json_lines};
use shared::{Bar, Columns, Timestamp};

use crate::convert::{ConvertError, empty_error, json_error, line_error};

// ANCHOR: par_map_rayon
/// Exercise 1.1: a parallel map with rayon.
pub fn par_map_rayon<T, R, F>(items: &[T], work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    // `iter` → `par_iter`: rayon splits the slice among its threads, and `collect` into a
    // Vec puts each result back at its item's index, so the order is kept. Each thread gets
    // a reference to `work`, and `&F` may be sent to other threads because `F: Sync`.
    items.par_iter().map(&work).collect()
}
// ANCHOR_END: par_map_rayon

// ANCHOR: par_map_by_hand
/// Exercise 1.2: the same map by hand, with scoped threads pulling indices from a counter.
pub fn par_map_by_hand<T, R, F>(items: &[T], threads: usize, work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let next = AtomicUsize::new(0);
    // Scoped threads may borrow `items`, `work` and `next`: the scope joins every thread
    // before it returns, so no borrow can outlive the data.
    let done: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.clamp(1, items.len().max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        // Relaxed is enough: the counter only hands out distinct indices;
                        // the results travel back through `join`, which synchronises.
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(index) else { break };
                        done.push((index, work(item)));
                    }
                    done
                })
            })
            .collect();
        // A panic in `work` is passed on as it is, not wrapped in a second one.
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    // Each thread finished its items in its own order; put each result at its item's index.
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (index, result) in done.into_iter().flatten() {
        slots[index] = Some(result);
    }
    slots
        .into_iter()
        .map(|slot| slot.expect("the counter hands out every index once"))
        .collect()
}
// ANCHOR_END: par_map_by_hand

// ANCHOR: parse_typed
/// One line of the file, as a type: serde generates a parser for exactly these fields.
/// `Timestamp`'s own `Deserialize` parses the text where it lies, allocating nothing (a
/// `&str` field would too, but could not hold a string written with JSON escapes).
/// (Crate-visible so that the `simd` variant of section 1.5 parses into the same record.)
/// `deny_unknown_fields`: the format has these six keys and no others, and `parse_value`
/// refuses any other key; without it serde would skip `"note": …` (even twice) unseen.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Record {
    timestamp: Timestamp,
    open: f64,
    high: f64,
    low: f64,
    close: f64,
    volume: u64,
}

impl Record {
    /// The bar this line describes, checked; `Err` holds what is wrong with it.
    pub(crate) fn to_bar(&self) -> Result<Bar, String> {
        let bar = Bar {
            timestamp: self.timestamp,
            open: self.open,
            high: self.high,
            low: self.low,
            close: self.close,
            volume: self.volume,
        };
        bar.validate()?;
        Ok(bar)
    }
}

/// Exercise 1.3: typed deserialization straight into columns.
pub fn parse_typed(path: &Path, bytes: &[u8]) -> Result<Columns, ConvertError> {
    // Each line is about 110 bytes: reserve once instead of growing six vectors.
    let mut columns = Columns::with_capacity(bytes.len() / 100);
    for (index, line) in json_lines(bytes) {
        // serde's derive would also accept the six fields as a JSON array: the format is
        // objects only, and `parse_value` refuses arrays, so this parser must too.
        if !is_object(line) {
            return Err(line_error(path, index, NOT_AN_OBJECT));
        }
        let record: Record =
            serde_json::from_slice(line).map_err(|e| json_error(path, index, &e, line))?;
        let bar = record
            .to_bar()
            .map_err(|message| line_error(path, index, message))?;
        columns.push(&bar);
    }
    if columns.is_empty() {
        return Err(empty_error(path));
    }
    Ok(columns)
}
// ANCHOR_END: parse_typed
