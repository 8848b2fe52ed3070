//! The lesson's variants side by side on generated data: `cargo bench -p lesson-01-map`.
//!
//! Uses the reference answers (`solution`). Input: the `small` preset's JSON Lines files
//! (8 files, ~26 MB), generated once into a temporary folder; output goes to `/dev/shm` when
//! it exists (the course machines' disk is too erratic for timing writes), else to a
//! temporary folder. Throughput is in bytes of JSON in.

use std::path::{Path, PathBuf};

use divan::counter::BytesCount;
use lesson_01_map::convert::{Parser, convert_all_sequential, convert_file, parse_value};
use lesson_01_map::solution::{par_map_by_hand, par_map_rayon, parse_typed};
use rayon::prelude::*;

struct Setup {
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    inputs: Vec<PathBuf>,
    files: Vec<(PathBuf, Vec<u8>)>,
    out: PathBuf,
    bytes: usize,
}

fn setup() -> Setup {
    let data = tempfile::tempdir().expect("temporary folder");
    let dataset = data::make(data.path(), data::Size::Small).expect("small dataset");
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let out = tempfile::Builder::new()
        .prefix("lesson-01-bench")
        .tempdir_in(base)
        .expect("output folder");
    let inputs = dataset.json_files();
    let files: Vec<_> = inputs
        .iter()
        .map(|p| (p.clone(), std::fs::read(p).expect("generated")))
        .collect();
    let bytes = files.iter().map(|(_, b)| b.len()).sum();
    Setup {
        out: out.path().into(),
        _dirs: (data, out),
        inputs,
        files,
        bytes,
    }
}

fn main() {
    divan::main();
}

fn bench_convert(bencher: divan::Bencher, run: impl Fn(&Setup) -> usize + Sync) {
    let s = setup();
    bencher.counter(BytesCount::new(s.bytes)).bench(|| run(&s));
}

fn ok(parse: Parser, s: &Setup) -> impl Fn(&PathBuf) -> bool + Sync + '_ {
    move |input| convert_file(input, &s.out, parse).is_ok()
}

#[divan::bench(sample_count = 5)]
fn sequential_value(bencher: divan::Bencher) {
    bench_convert(bencher, |s| {
        convert_all_sequential(&s.inputs, &s.out, parse_value).len()
    });
}

#[divan::bench(sample_count = 5)]
fn sequential_typed(bencher: divan::Bencher) {
    bench_convert(bencher, |s| {
        convert_all_sequential(&s.inputs, &s.out, parse_typed).len()
    });
}

#[divan::bench(sample_count = 5)]
fn rayon_typed(bencher: divan::Bencher) {
    bench_convert(bencher, |s| {
        par_map_rayon(&s.inputs, ok(parse_typed, s)).len()
    });
}

#[divan::bench(sample_count = 5)]
fn by_hand_typed(bencher: divan::Bencher) {
    bench_convert(bencher, |s| {
        par_map_by_hand(&s.inputs, rayon::current_num_threads(), ok(parse_typed, s)).len()
    });
}

#[divan::bench(sample_count = 5)]
fn parse_only_typed_all_cores(bencher: divan::Bencher) {
    bench_convert(bencher, |s| {
        s.files
            .par_iter()
            .map(|(p, b)| parse_typed(p, b).map_or(0, |c| c.len()))
            .sum()
    });
}
