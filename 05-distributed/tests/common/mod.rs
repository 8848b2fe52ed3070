//! What the test files share: starting a cluster (with `Answers::tested_for(m)`, yours for
//! exercise 5.m and the reference's for the others, so that each exercise's tests depend on
//! that exercise alone), a raw connection for misbehaving on purpose, and a small dataset.
#![allow(dead_code)] // each test file uses part of it

pub mod process;

use chrono::NaiveDate;
use lesson_05_distributed::answers::Answers;
use lesson_05_distributed::cluster::LocalCluster;
use lesson_05_distributed::protocol;
use shared::progress::ProgressBar;

/// A hidden progress bar for `gather`.
pub fn bar(len: usize) -> ProgressBar {
    let bar = ProgressBar::hidden();
    bar.set_length(len as u64);
    bar
}

/// Opens a raw connection to `cluster`'s scheduler and says `hello` (with the cluster's
/// secret), for tests that play a peer by hand.
pub async fn raw(
    cluster: &LocalCluster,
    hello: &protocol::Hello,
) -> (protocol::Reader, protocol::Writer, protocol::Accepted) {
    protocol::connect(cluster.addr(), hello, cluster.secret())
        .await
        .expect("the scheduler accepts a well-formed hello")
}

/// A dataset of 3 symbols over three weeks spanning two years: about 1 MB, made in well
/// under a second. Keep the `TempDir`: the files go when it is dropped.
pub fn dataset() -> (tempfile::TempDir, data::Dataset) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    let spec = data::Spec {
        seed: 5,
        symbols: vec!["AIG".into(), "JPM".into(), "AAPL".into()],
        start: date(2015, 12, 21),
        end: date(2016, 1, 8),
        json_days: 1,
    };
    let dataset = data::make_spec(dir.path(), &spec).expect("a small dataset");
    (dir, dataset)
}

/// Starts a [`LocalCluster`] of `workers` workers with `answers`; a worker that cannot
/// start (an execute loop that panics at once) fails the test with its message.
pub fn start(
    answers: Answers,
    workers: usize,
    config: lesson_05_distributed::scheduler::Config,
) -> lesson_05_distributed::cluster::LocalCluster {
    lesson_05_distributed::cluster::LocalCluster::start(answers, workers, config)
        .unwrap_or_else(|err| panic!("{err}"))
}

/// Fails the test with what stopped `cluster` (a worker's or the scheduler's panic), if
/// something did, and with `message` otherwise.
pub fn fail(cluster: &lesson_05_distributed::cluster::LocalCluster, message: &str) -> ! {
    if let Some(panic) = cluster
        .scheduler_failure()
        .or_else(|| cluster.worker_error())
    {
        panic!("{panic}");
    }
    panic!("{message}")
}
