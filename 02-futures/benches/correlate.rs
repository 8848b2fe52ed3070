//! Every pairwise correlation, sequential and submitted: `cargo bench -p lesson-02-futures`.
//!
//! Uses the reference answers (`solution`) on the `small` preset's close series, generated
//! once into a temporary folder. The counter is pairs per second.

use std::sync::Arc;

use divan::counter::ItemsCount;
use futures::executor::ThreadPool;
use lesson_02_futures::correlate::{Closes, correlate, correlations_sequential, pairs};
use lesson_02_futures::solution::{correlations_submit, submit_as_completed};
use lesson_02_futures::submit::thread_pool;

struct Setup {
    _dir: tempfile::TempDir,
    series: Arc<Vec<Vec<f64>>>,
    pool: ThreadPool,
    pairs: usize,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temporary folder");
    let dataset = data::make(dir.path(), data::Size::Small).expect("small dataset");
    let closes =
        Closes::load(&shared::columnar::ensure(&dataset).expect("columnar files")).expect("series");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Setup {
        pairs: pairs(closes.series.len()).count(),
        series: Arc::new(closes.series),
        pool: thread_pool(cores, "bench").expect("a thread pool"),
        _dir: dir,
    }
}

fn main() {
    divan::main();
}

fn bench_pairs(bencher: divan::Bencher, run: impl Fn(&Setup) -> usize + Sync) {
    let s = setup();
    bencher.counter(ItemsCount::new(s.pairs)).bench(|| run(&s));
}

#[divan::bench(sample_count = 10)]
fn sequential(bencher: divan::Bencher) {
    bench_pairs(bencher, |s| correlations_sequential(&s.series).len());
}

#[divan::bench(sample_count = 10)]
fn submit_gather_in_order(bencher: divan::Bencher) {
    bench_pairs(bencher, |s| correlations_submit(&s.series, &s.pool).len());
}

#[divan::bench(sample_count = 10)]
fn submit_as_completed_(bencher: divan::Bencher) {
    bench_pairs(bencher, |s| {
        let tasks: Vec<_> = pairs(s.series.len())
            .map(|(a, b)| {
                let series = Arc::clone(&s.series);
                move || correlate(&series, a, b)
            })
            .collect();
        let mut done = 0;
        submit_as_completed(&s.pool, tasks, |_, _| done += 1);
        done
    });
}
