//! Your answers to lesson 6. Replace each `todo!()` with your code; the book's section 6.M
//! explains exercise 6.M, and `cargo test -p lesson-06-cluster --test ex6_M` checks it.
//! Run the program with `cargo run --release -p lesson-06-cluster --bin exercise-06` to
//! see your answers on a cluster of processes.
//!
//! The operators you need: `map` and `flat_map` (`timely::dataflow::operators::vec::Map`),
//! `exchange` (`timely::dataflow::operators::Exchange`), `stream.clone()` to read a stream
//! twice, `stream.scope().index()` for this worker's number, and the helpers of
//! [`engine`](crate::engine): `aggregate_by_key` and `key_hash`. The given code in
//! [`job`](crate::job) collects your streams at worker 0.

use market::strategy::{Scored, Window};
use shared::Bar;
use timely::dataflow::StreamVec;

use crate::records::{BadInput, Day, GroupBy, Problem, Read, Score};

// ANCHOR: daily_bars
/// Exercise 6.1: the distributed group-by. `files` holds, on each worker, the files that
/// worker read (its share of the whole minute tree): each as its symbol and its bars, in
/// time order. Return each symbol once, in the whole cluster, with its [`Day`]s in date
/// order: one per date its bars cover, with the open of the date's first bar, the highest
/// high, the lowest low, the close of its last bar, and the sum of the volumes.
///
/// A symbol's files are spread over every worker: its days must meet on one worker (an
/// exchange by symbol) before they can be put together.
pub fn daily_bars<'scope>(
    files: StreamVec<'scope, u64, (String, Vec<Bar>)>,
) -> StreamVec<'scope, u64, (String, Vec<Day>)> {
    let _ = files;
    todo!("exercise 6.1: the daily bars of every symbol, gathered by symbol — see book section 6.1")
}
// ANCHOR_END: daily_bars

// ANCHOR: scores
/// Exercise 6.2: the parameter search spread over the cluster. Every candidate window
/// enters at worker 0, numbered: `(index, window)`. Spread them over all the workers, and
/// score each window on one worker: its [`Scored`] has the window, `score(window, year)`
/// for every year `0..years` in year order, and their mean (summed in year order, divided
/// by `years`: the same bits as lesson 3's answer). Return `(index, scored)` for each.
pub fn scores<'scope>(
    windows: StreamVec<'scope, u64, (usize, Window)>,
    years: usize,
    score: Score,
) -> StreamVec<'scope, u64, (usize, Scored)> {
    let _ = (windows, years, score);
    todo!("exercise 6.2: score the windows on every worker — see book section 6.2")
}
// ANCHOR_END: scores

// ANCHOR: split
/// Exercise 6.3, in the dataflow: each file as its worker read it. Send the files that
/// were read on as `(symbol, bars)` (the symbol is the file's folder:
/// [`symbol_of`](market::files::symbol_of)), and every file that was not as a
/// [`Problem`] naming this worker, the file, the line and the error. A file outside a
/// symbol's folder is a problem too.
#[allow(clippy::type_complexity)]
pub fn split<'scope>(
    read: StreamVec<'scope, u64, Read>,
) -> (
    StreamVec<'scope, u64, (String, Vec<Bar>)>,
    StreamVec<'scope, u64, Problem>,
) {
    let _ = read;
    todo!("exercise 6.3: carry each bad file to worker 0 as a problem — see book section 6.3")
}
// ANCHOR_END: split

// ANCHOR: settle
/// Exercise 6.3, at worker 0: every symbol's days (sorted by symbol) and every problem
/// (sorted by file), as they reached worker 0. With no problems, the answer is the
/// symbols. With problems, choose: fail (`Err(BadInput(problems))`), or answer without
/// those files and report them in `skipped`.
pub fn settle(days: Vec<(String, Vec<Day>)>, problems: Vec<Problem>) -> Result<GroupBy, BadInput> {
    let _ = (days, problems);
    todo!("exercise 6.3: fail, or skip and report — see book section 6.3")
}
// ANCHOR_END: settle
