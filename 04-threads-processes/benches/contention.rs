//! Contention and false sharing: `cargo bench -p lesson-04-threads-processes`.
//!
//! The per-symbol aggregation of exercise 4.1 (reference answer) against the given
//! sequential and shared-`Mutex` versions, on 1 and 2 threads, over one million seeded
//! records of 29 symbols; and the packed and padded counters. The counter is items per
//! second (records, or counting steps).

use std::sync::LazyLock;

use divan::counter::ItemsCount;
use lesson_04_threads_processes::aggregate::{Record, SymbolStats, sequential, shared_mutex};
use lesson_04_threads_processes::sharing::{count_packed, count_padded};
use lesson_04_threads_processes::solution::partials;
use rand::{RngExt as _, SeedableRng as _};

static RECORDS: LazyLock<Vec<Record>> = LazyLock::new(|| {
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(4);
    (0..1_000_000)
        .map(|_| Record {
            symbol: rng.random_range(0..29),
            close: rng.random_range(10.0..100.0),
        })
        .collect()
});

fn main() {
    divan::main();
}

#[divan::bench]
fn aggregate_sequential(bencher: divan::Bencher) {
    bencher
        .counter(ItemsCount::new(RECORDS.len()))
        .bench(|| sequential::<SymbolStats>(&RECORDS));
}

#[divan::bench(args = [1, 2])]
fn aggregate_shared_mutex(bencher: divan::Bencher, threads: usize) {
    bencher
        .counter(ItemsCount::new(RECORDS.len()))
        .bench(|| shared_mutex::<SymbolStats>(&RECORDS, threads));
}

#[divan::bench(args = [1, 2])]
fn aggregate_partials(bencher: divan::Bencher, threads: usize) {
    bencher
        .counter(ItemsCount::new(RECORDS.len()))
        .bench(|| partials::<SymbolStats>(&RECORDS, threads));
}

const STEPS: u64 = 10_000_000;

#[divan::bench]
fn counters_packed(bencher: divan::Bencher) {
    bencher
        .counter(ItemsCount::new(2 * STEPS))
        .bench(|| count_packed(2, STEPS));
}

#[divan::bench]
fn counters_padded(bencher: divan::Bencher) {
    bencher
        .counter(ItemsCount::new(2 * STEPS))
        .bench(|| count_padded(2, STEPS));
}
