//! Lesson 6's group-by in one process, on a generated dataset of 5 symbols × 3 months: on 1
//! and 2 workers, against reading and parsing the same files (the limit), and the exchange
//! alone (100,000 records aggregated by key). `cargo bench -p lesson-06-cluster`. The
//! multi-process layouts are timed by `solution-06` itself (book section 6.4).

use chrono::NaiveDate;
use divan::Bencher;
use lesson_06_cluster::answers::Answers;
use lesson_06_cluster::engine::{Feed, Layout, aggregate_by_key, job, run};
use lesson_06_cluster::job::group_by;
use timely::dataflow::operators::vec::Map;

fn main() {
    divan::main();
}

/// The generated files, made once per benchmark run.
fn files() -> (tempfile::TempDir, Vec<std::path::PathBuf>) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let date = |m, d| NaiveDate::from_ymd_opt(2016, m, d).expect("a date");
    let spec = data::Spec {
        seed: 6,
        symbols: ["AIG", "JPM", "AAPL", "MSFT", "IBM"]
            .map(String::from)
            .to_vec(),
        start: date(1, 4),
        end: date(3, 31),
        json_days: 1,
    };
    let dataset = data::make_spec(dir.path(), &spec).expect("a small dataset");
    let files = dataset.all_minute_files();
    (dir, files)
}

#[divan::bench(args = [1, 2], sample_count = 10)]
fn group_by_in_one_process(bencher: Bencher, workers: usize) {
    let (_dir, files) = files();
    bencher.bench(|| {
        group_by(
            Answers::SOLUTION,
            &Layout::threads(workers),
            files.clone(),
            None,
        )
        .expect("the job runs")
        .expect("process 0")
        .expect("no bad file")
    });
}

#[divan::bench(sample_count = 10)]
fn limit_read_and_parse_on_two_threads(bencher: Bencher) {
    let (_dir, files) = files();
    bencher.bench(|| market::files::on_threads(2, || market::files::read_and_parse_bars(&files)));
}

#[divan::bench(args = [1, 2], sample_count = 10)]
fn exchange_100k_records_by_key(bencher: Bencher, workers: usize) {
    let items: Vec<u64> = (0..100_000).collect();
    bencher.bench(|| {
        let sum = job(|numbers, _| {
            aggregate_by_key(
                numbers.map(|n: u64| (n % 1000, n)),
                "Sum",
                |sum: &mut u64, n| *sum += n,
            )
        });
        run(
            &Layout::threads(workers),
            items.clone(),
            Feed::Shared,
            sum,
            None,
        )
        .expect("the job runs")
    });
}
