//! Exercise 4.1: per-thread partial aggregates, merged. `cargo test -p
//! lesson-04-threads-processes --test ex4_1`.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `04-threads-processes/mutants/4.1-*.rs`, checked by `cargo course verify --mutants --exercise 4.1`):
//! - one aggregate behind a `Mutex`: `ex4_1_gives_each_thread_its_own_partial`;
//! - chunks of `len / threads` (zero for more threads than records):
//!   `ex4_1_handles_no_records_and_more_threads_than_records`;
//! - `threads` slices of `len / threads`, the remainder left out (it passed every test while the
//!   test data divided evenly): `ex4_1_equals_the_sequential_aggregate_on_1_to_4_threads`;
//! - slices of `(len / threads).max(1)`, so more threads than asked:
//!   `ex4_1_gives_each_thread_its_own_partial`.

mod common;

use common::{Traced, records, tagged};
use lesson_04_threads_processes::aggregate::{SymbolStats, sequential};
use lesson_04_threads_processes::answer::partials;
use shared::testing::within;

#[test]
fn ex4_1_equals_the_sequential_aggregate_on_1_to_4_threads() {
    let (mut records, _) = records();
    // 12k − 1 records: no thread count here divides them, so slices of `len / threads`
    // records would leave some out.
    records.truncate(records.len() - records.len() % 12 - 1);
    within("4.1", move || {
        let expected: SymbolStats = sequential(&records);
        for threads in [1, 2, 3, 4] {
            let got: SymbolStats = partials(&records, threads);
            let mut symbols: Vec<_> = expected.0.keys().collect();
            symbols.sort();
            let counted: u64 = got.0.values().map(|s| s.count).sum();
            assert_eq!(
                counted,
                records.len() as u64,
                "exercise 4.1: on {threads} threads, {counted} of {} records were added: every record \
                 belongs to exactly one thread's slice (the last slice may be shorter); see book section 4.1",
                records.len()
            );
            assert_eq!(
                got.0.len(),
                expected.0.len(),
                "exercise 4.1: on {threads} threads, stats for {} symbols, expected {}; see book section 4.1",
                got.0.len(),
                expected.0.len()
            );
            for symbol in symbols {
                let (e, g) = (
                    expected.0[symbol],
                    got.0.get(symbol).copied().unwrap_or_default(),
                );
                let close = (g.sum - e.sum).abs() <= 1e-9 * e.sum.abs();
                assert!(
                    g.count == e.count && g.min == e.min && g.max == e.max && close,
                    "exercise 4.1: on {threads} threads, symbol {symbol} has {g:?}, expected {e:?} \
                     (sums may differ in their last bits only); see book section 4.1"
                );
            }
        }
    });
}

#[test]
fn ex4_1_handles_no_records_and_more_threads_than_records() {
    within("4.1", || {
        let none: SymbolStats = partials(&[], 4);
        assert!(
            none.0.is_empty(),
            "exercise 4.1: no records must give an empty aggregate, got {none:?}; see book section 4.1"
        );
        let three = tagged(3);
        let got: Traced = partials(&three, 8);
        let mut values = got.values.clone();
        values.sort_unstable();
        assert_eq!(
            values,
            vec![0, 1, 2],
            "exercise 4.1: 3 records on 8 threads must each be added once; see book section 4.1"
        );
    });
}

#[test]
fn ex4_1_gives_each_thread_its_own_partial() {
    within("4.1", || {
        // 1001 and 7 records: slices of `len / threads` would make one more than `threads`.
        for (threads, n) in [(2, 1000), (4, 1000), (4, 1001), (3, 7)] {
            let records = tagged(n);
            let got: Traced = partials(&records, threads);
            if let Err(e) = common::exactly_once(&got.values, n) {
                panic!("exercise 4.1: on {threads} threads, {e}; see book section 4.1");
            }
            let parts = got.parts();
            for part in &parts {
                assert!(
                    part.threads.len() == 1,
                    "exercise 4.1: one aggregate was added to from {} threads: that is a shared aggregate. \
                     Give each thread its own `A::default()` and merge them at the end; see book section 4.1",
                    part.threads.len()
                );
            }
            let threads_used: std::collections::HashSet<_> = parts
                .iter()
                .flat_map(|p| p.threads.iter().copied())
                .collect();
            assert_eq!(
                (parts.len(), threads_used.len()),
                (threads, threads),
                "exercise 4.1: with {threads} threads and {n} records, expected {threads} partials filled by \
                 {threads} different threads, got {} partials on {} threads (one slice per thread: round the slice length \
                 up, not down); see book section 4.1",
                parts.len(),
                threads_used.len()
            );
            let meeting = records[0].meeting;
            assert!(
                !meeting.rendezvous.gave_up(),
                "exercise 4.1: the threads did not run at the same time (each partial's first record waited \
                 for another thread in vain): spawn every thread before joining any; see book section 4.1"
            );
        }
    });
}
