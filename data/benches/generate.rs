//! Generation throughput for the `small` preset, beside a plain write of the same bytes.
//!
//! `cargo bench -p data`. Output goes to `$BENCH_DIR`, else `/dev/shm` when it exists (a RAM
//! disk: the course machines' ext4 disk is too erratic for writes to time), else a temporary
//! folder. Compare the `generate` and `plain_write` rows: their ratio is the cost of making
//! the data on top of writing it.

use std::path::{Path, PathBuf};

use data::{Options, Size, generate};
use divan::counter::BytesCount;
use rayon::prelude::*;

fn main() {
    divan::main();
}

fn bench_root() -> tempfile::TempDir {
    let base = std::env::var_os("BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            if Path::new("/dev/shm").is_dir() {
                "/dev/shm".into()
            } else {
                std::env::temp_dir()
            }
        });
    tempfile::Builder::new()
        .prefix("data-bench")
        .tempdir_in(base)
        .expect("bench folder is writable")
}

/// The small dataset's files, read back into memory.
fn small_files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let dataset = data::make(root, Size::Small).expect("small dataset generates");
    let paths = dataset.manifest().files.iter().map(|f| root.join(&f.path));
    paths
        .map(|p| (p.clone(), std::fs::read(&p).expect("just written")))
        .collect()
}

#[divan::bench(sample_count = 5)]
fn generate_small(bencher: divan::Bencher) {
    let dir = bench_root();
    let files = small_files(dir.path());
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let force = Options {
        force: true,
        ..Options::default()
    };
    bencher
        .counter(BytesCount::new(bytes))
        .bench(|| generate(&Size::Small.spec(), dir.path(), force).expect("generates"));
}

#[divan::bench(sample_count = 5)]
fn plain_write_small(bencher: divan::Bencher) {
    let dir = bench_root();
    let files = small_files(dir.path());
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        files.par_iter().for_each(|(path, content)| {
            shared::atomic::write_atomic(path, content).expect("writes")
        });
    });
}
