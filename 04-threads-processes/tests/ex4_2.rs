//! Exercise 4.2: count, min and max with atomics. `cargo test -p
//! lesson-04-threads-processes --test ex4_2`.

mod common;

use std::sync::Barrier;

use lesson_04_threads_processes::aggregate::{
    AtomicExtremes, Extremes, Record, SymbolStats, extremes_of, sequential,
};
use lesson_04_threads_processes::answer::add_atomic;
use shared::testing::within;

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
             got {got:?}. A load followed by a store loses the updates other threads made in between: use \
             `fetch_add`, `fetch_min`, `fetch_max`; see book section 4.2"
        );
        let untouched = atomics[0].load();
        assert_eq!(
            untouched.count, 0,
            "exercise 4.2: symbol 0 got no record but has count {}; add to `table[record.symbol]`; see book section 4.2",
            untouched.count
        );
    });
}
