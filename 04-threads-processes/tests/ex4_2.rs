//! Exercise 4.2: count, min and max with atomics. `cargo test -p
//! lesson-04-threads-processes --test ex4_2`.
//!
//! Wrong answers each of them must fail on, every run (issue 24's mutants, in
//! `04-threads-processes/mutants/4.2-*.rs`, checked by `cargo course verify --mutants
//! --exercise 4.2`):
//! - the count as a `load` then a `store`: `ex4_2_loses_no_update_when_two_threads_take_turns`
//!   (which forces the interleaving with a [`Lockstep`]);
//! - min and max as a check, then a `store`: the same test;
//! - min and max as one `compare_exchange`, not a loop: the same test.

mod common;

use std::sync::Barrier;

use lesson_04_threads_processes::aggregate::{
    AtomicExtremes, Extremes, Record, SymbolStats, extremes_of, sequential,
};
use lesson_04_threads_processes::answer::add_atomic;
use shared::testing::{Lockstep, within};

fn table(symbols: usize) -> Vec<AtomicExtremes> {
    (0..symbols).map(|_| AtomicExtremes::default()).collect()
}

#[test]
fn ex4_2_counts_and_finds_min_and_max_like_the_sequential_stats() {
    let (records, symbols) = common::records();
    within("4.2", move || {
        let atomics = table(symbols);
        for record in &records {
            add_atomic(&atomics, record);
        }
        let got: Vec<Extremes> = atomics.iter().map(AtomicExtremes::load).collect();
        let expected = extremes_of(&sequential::<SymbolStats>(&records), symbols);
        for (symbol, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(
                g, e,
                "exercise 4.2: symbol {symbol}: got {g:?}, expected {e:?} (min and max hold `close.to_bits()`); \
                 see book section 4.2"
            );
        }
    });
}

#[test]
fn ex4_2_loses_no_update_when_threads_race() {
    within("4.2", || {
        let (threads, per_thread) = (4u32, 100_000u32);
        let atomics = table(2);
        let start = Barrier::new(threads as usize);
        std::thread::scope(|s| {
            for t in 0..threads {
                let (atomics, start) = (&atomics, &start);
                s.spawn(move || {
                    start.wait(); // all at once, to race
                    for i in 0..per_thread {
                        // Thread t's closes: t+1, t+1+threads, …, interleaved with the others'.
                        let close = f64::from(t + 1 + i * threads);
                        add_atomic(atomics, &Record { symbol: 1, close });
                    }
                });
            }
        });
        let total = u64::from(threads * per_thread);
        let expected = Extremes {
            count: total,
            min: 1.0,
            max: total as f64,
        };
        let got = atomics[1].load();
        assert_eq!(
            got, expected,
            "exercise 4.2: {threads} threads added {total} closes (1 to {total}) to one symbol at the same time; \
             got {got:?}. A load followed by a store loses the updates other threads made in between: make \
             each update one indivisible read-modify-write; see book section 4.2"
        );
        let untouched = atomics[0].load();
        assert_eq!(
            untouched.count, 0,
            "exercise 4.2: symbol 0 got no record but has count {}; add to `table[record.symbol]`; see book section 4.2",
            untouched.count
        );
    });
}

// ANCHOR: in_lockstep
/// Thread 0 adds `closes.0`, thread 1 `closes.1`, to symbol 0, taking turns one atomic
/// operation each: 0, 1, 0, 1, …
fn in_lockstep(closes: (f64, f64)) -> (Extremes, bool) {
    let atomics = table(1);
    let lockstep = Lockstep::new(2);
    std::thread::scope(|s| {
        for (index, close) in [(0, closes.0), (1, closes.1)] {
            let (atomics, lockstep) = (&atomics, &lockstep);
            s.spawn(move || {
                let _player = lockstep.join(index);
                add_atomic(atomics, &Record { symbol: 0, close });
            });
        }
    });
    (atomics[0].load(), lockstep.gave_up())
}
// ANCHOR_END: in_lockstep

#[test]
fn ex4_2_loses_no_update_when_two_threads_take_turns() {
    within("4.2", || {
        // Both orders: whichever thread stores last overwrites the other's value.
        for closes in [(3.0, 5.0), (5.0, 3.0)] {
            let (got, gave_up) = in_lockstep(closes);
            let expected = Extremes {
                count: 2,
                min: 3.0,
                max: 5.0,
            };
            assert_eq!(
                got,
                expected,
                "exercise 4.2: two threads took turns, one atomic operation each (an \
                 interleaving a real machine produces now and then): thread 0 added a close of \
                 {}, thread 1 a close of {}, and the table holds {got:?}. A `load`, then a \
                 `store` (or a check, then a store) lets the other thread's update in between, \
                 and the store overwrites it: make each update one indivisible \
                 read-modify-write, or a `compare_exchange` loop that tries again; see book \
                 section 4.2{}",
                closes.0,
                closes.1,
                if gave_up {
                    " (a thread also waited 5 s for its turn: does the answer wait on another thread?)"
                } else {
                    ""
                }
            );
        }
    });
}
