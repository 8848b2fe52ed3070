//! The whole-dataset job of exercise 3.6 and its limits: `cargo bench -p lesson-03-datasets`.
//!
//! Uses the reference answers (`solution`) on the `small` preset's minute files (8 symbols,
//! half a year), generated once into a temporary folder and read once before timing, so
//! every run reads from the page cache. The counter is bytes per second.

use std::path::PathBuf;
use std::sync::LazyLock;

use divan::counter::BytesCount;
use lesson_03_datasets::frame::{
    on_threads, read_and_parse_bars, read_and_parse_closes, read_only,
};
use lesson_03_datasets::solution::yearly_stats;

struct Setup {
    _dir: tempfile::TempDir,
    files: Vec<PathBuf>,
    bytes: u64,
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temporary folder");
    let dataset = data::make(dir.path(), data::Size::Small).expect("small dataset");
    let files = dataset.all_minute_files();
    let bytes = read_only(&files); // also warms the page cache
    Setup {
        _dir: dir,
        files,
        bytes,
    }
});

fn main() {
    divan::main();
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn bench(bencher: divan::Bencher, threads: usize, run: fn(&[PathBuf]) -> u64) {
    let s = &*SETUP;
    bencher
        .counter(BytesCount::new(s.bytes))
        .bench(|| on_threads(threads, || run(&s.files)).expect("a rayon pool"));
}

#[divan::bench(sample_count = 10)]
fn yearly_stats_1_thread(bencher: divan::Bencher) {
    bench(bencher, 1, |files| {
        yearly_stats(files, &|_| {}).stats.len() as u64
    });
}

#[divan::bench(sample_count = 10)]
fn yearly_stats_all_cores(bencher: divan::Bencher) {
    bench(bencher, cores(), |files| {
        yearly_stats(files, &|_| {}).stats.len() as u64
    });
}

#[divan::bench(sample_count = 10)]
fn limit_read_parse_closes(bencher: divan::Bencher) {
    bench(bencher, cores(), read_and_parse_closes);
}

#[divan::bench(sample_count = 10)]
fn limit_read_parse_bars(bencher: divan::Bencher) {
    bench(bencher, cores(), |files| read_and_parse_bars(files) as u64);
}

#[divan::bench(sample_count = 10)]
fn limit_read_only(bencher: divan::Bencher) {
    bench(bencher, cores(), read_only);
}
