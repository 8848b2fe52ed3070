//! What the test files share (the tests run `Answers::tested_for(m)`: yours for exercise 6.m
//! and the reference's for the others): a tiny dataset, the single-machine answers to compare with, and clusters
//! of this test binary's processes on 127.0.0.1.
#![allow(dead_code)] // each test file uses part of it

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::NaiveDate;
use lesson_06_cluster::engine::{Layout, RunError};
use lesson_06_cluster::job::{Day, JobError};

/// The layouts every exercise is checked on: (processes, workers per process).
pub const LAYOUTS: [(usize, usize); 3] = [(1, 1), (1, 2), (2, 2)];

/// How long a cluster of this binary's processes may take on tiny data before the test
/// calls it a deadlock (a debug build, two processes, a busy machine: seconds at most).
pub const CLUSTER_DEADLINE: Duration = Duration::from_secs(60);

/// Environment variables that make a copy of this test binary one process of a cluster.
const PROCESS: &str = "LESSON_06_TEST_PROCESS";
const PROCESSES: &str = "LESSON_06_TEST_PROCESSES";
const WORKERS: &str = "LESSON_06_TEST_WORKERS";
const HOSTFILE: &str = "LESSON_06_TEST_HOSTFILE";
const DATA: &str = "LESSON_06_TEST_DATA";
const SECRET: &str = "LESSON_06_TEST_SECRET";

/// A tiny dataset: made in a temporary folder by the test, or, in a process the test
/// started, the test's folder.
pub struct Tiny {
    _dir: Option<tempfile::TempDir>,
    pub root: PathBuf,
}

impl Tiny {
    /// Every minute file, sorted (by symbol, then date).
    pub fn files(&self) -> Vec<PathBuf> {
        let dataset = shared::dataset::Dataset::open(&self.root).expect("the tiny dataset opens");
        dataset.all_minute_files()
    }
}

/// Three symbols over 13 trading days (39 files), or the dataset of the test that started
/// this process.
pub fn tiny_data() -> Tiny {
    if let Some(root) = std::env::var_os(DATA) {
        return Tiny {
            _dir: None,
            root: root.into(),
        };
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let spec = data::Spec {
        seed: 6,
        symbols: vec!["AIG".into(), "JPM".into(), "AAPL".into()],
        start: date(2015, 12, 21),
        end: date(2016, 1, 8),
        json_days: 1,
    };
    data::make_spec(dir.path(), &spec).expect("a small dataset");
    Tiny {
        root: dir.path().to_path_buf(),
        _dir: Some(dir),
    }
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// The single-machine answer of 6.1, computed the plainest way: every file read in turn.
pub fn expected_days(files: &[PathBuf]) -> BTreeMap<String, Vec<Day>> {
    let mut symbols: BTreeMap<String, Vec<Day>> = BTreeMap::new();
    for path in files {
        let symbol = market::files::symbol_of(path).expect("a symbol folder");
        let bars = shared::read::read_csv(path).expect("the tiny files read");
        let days = symbols.entry(symbol.to_string()).or_default();
        for bar in bars {
            let date = bar.timestamp.date();
            match days.iter_mut().find(|d| d.date == date) {
                Some(day) => {
                    day.high = day.high.max(bar.high);
                    day.low = day.low.min(bar.low);
                    day.close = bar.close;
                    day.volume += bar.volume;
                }
                None => days.push(Day {
                    date,
                    open: bar.open,
                    high: bar.high,
                    low: bar.low,
                    close: bar.close,
                    volume: bar.volume,
                }),
            }
        }
    }
    for days in symbols.values_mut() {
        days.sort_by_key(|d| d.date);
    }
    symbols
}

/// The first difference between two group-by answers, for a failure message.
pub fn days_difference(
    got: &BTreeMap<String, Vec<Day>>,
    expected: &BTreeMap<String, Vec<Day>>,
) -> Option<String> {
    let symbols = |m: &BTreeMap<String, Vec<Day>>| m.keys().cloned().collect::<Vec<_>>();
    if symbols(got) != symbols(expected) {
        return Some(format!(
            "the symbols are {:?}, expected {:?}",
            symbols(got),
            symbols(expected)
        ));
    }
    for (symbol, want) in expected {
        let have = &got[symbol];
        if let Some(d) = shared::testing::first_difference(have, want) {
            return Some(format!("{symbol}'s days: {d}"));
        }
    }
    None
}

/// Where this process stands: `Some(layout)` when a test started it as process 1 or more
/// of a cluster.
fn started_as_process() -> Option<Layout> {
    let var = |name| std::env::var(name).ok();
    let number = |name| var(name)?.parse::<usize>().ok();
    Some(Layout {
        workers: number(WORKERS)?,
        processes: number(PROCESSES)?,
        process: number(PROCESS)?,
        hostfile: Some(var(HOSTFILE)?.into()),
        start_timeout: 60,
        silence: 120,
        secret_file: Some(var(SECRET)?.into()),
    })
}

/// Copies of this test binary, killed and reaped when dropped: none outlives its test.
struct Processes(Vec<(usize, Child)>);

impl Drop for Processes {
    fn drop(&mut self) {
        for (_, child) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs `job` on `processes` × `workers` and returns process 0's answer, or `None` in a
/// process that a test started (then it was process 1 or more, and the job ran there).
///
/// Process 0 is this test, in this process, bounded by [`CLUSTER_DEADLINE`]; processes 1
/// and up are copies of this test binary that run only the test `test` (which must call
/// this function the same way), with the dataset `data`, on 127.0.0.1.
pub fn cluster<R: Send + 'static>(
    id: &str,
    test: &str,
    data: &Tiny,
    (processes, workers): (usize, usize),
    job: impl Fn(&Layout) -> Option<R> + Send + 'static,
) -> Option<R> {
    if let Some(layout) = started_as_process() {
        let answer = job(&layout);
        assert!(answer.is_none(), "only process 0 collects the answer");
        return None;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let hostfile = dir.path().join("hosts.txt");
    let secret = dir.path().join("cluster.secret");
    let ports: Vec<std::net::TcpListener> = (0..processes)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("a free port"))
        .collect();
    let hosts: Vec<String> = ports
        .iter()
        .map(|p| p.local_addr().expect("an address").to_string())
        .collect();
    std::fs::write(&hostfile, hosts.join("\n")).expect("the hostfile");
    drop(ports);
    let me = std::env::current_exe().expect("this test binary");
    let mut others = Processes(Vec::new());
    for p in 1..processes {
        let child = Command::new(&me)
            .args([test, "--exact", "--nocapture", "--test-threads=1"])
            .env(PROCESS, p.to_string())
            .env(PROCESSES, processes.to_string())
            .env(WORKERS, workers.to_string())
            .env(HOSTFILE, &hostfile)
            .env(SECRET, &secret)
            .env(DATA, &data.root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("a copy of this test binary starts");
        others.0.push((p, child));
    }
    let layout = Layout {
        workers,
        processes,
        process: 0,
        hostfile: (processes > 1).then_some(hostfile),
        start_timeout: 60,
        silence: 120,
        secret_file: Some(secret),
    };
    let answer = shared::testing::within_for(id, CLUSTER_DEADLINE, move || job(&layout))
        .expect("process 0 collects");
    // Process 0 has its answer, so every process has finished its part: each exits now.
    while !others.0.is_empty() {
        let (p, child) = others.0.remove(0);
        let name = format!("process {p} of {processes}");
        let output = shared::testing::wait_bounded(child, &name, CLUSTER_DEADLINE);
        assert!(
            output.status.success(),
            "exercise {id}: process {p} of {processes} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Some(answer)
}

/// Damages line `line` (from 1) of `file`: a price no parser can read.
pub fn corrupt(file: &Path, line: usize) {
    let text = std::fs::read_to_string(file).expect("the file reads");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let fields: Vec<&str> = lines[line - 1].split(',').collect();
    lines[line - 1] = format!(
        "{},{},12x.5,{}",
        fields[0],
        fields[1],
        fields[3..].join(",")
    );
    std::fs::write(file, lines.join("\n") + "\n").expect("the file is written");
}

/// The answer of a job, or a failure that names the exercise. A worker's panic comes
/// through with its own text, so that a `todo!()` reads as "not done yet".
pub fn answer_of<T>(id: &str, result: Result<Option<T>, JobError>) -> Option<T> {
    match result {
        Ok(answer) => answer,
        Err(JobError::Run(RunError::Worker(message))) => panic!("{message}"),
        Err(error) => panic!("exercise {id}: the job failed: {error}"),
    }
}

/// Lesson 3's search as two plain loops, the definition the cluster's search must match bit
/// for bit: each candidate's scores in year order and their mean (summed in year order),
/// then for each held-out year the first candidate with the highest mean over the others.
pub fn naive_search(
    candidates: &[market::strategy::Window],
    years: usize,
    score: impl Fn(market::strategy::Window, usize) -> f64,
) -> market::strategy::Search {
    use market::strategy::{Fold, Scored, Search};
    let mut found = Search::default();
    for &window in candidates {
        let per_year: Vec<f64> = (0..years).map(|y| score(window, y)).collect();
        let mut sum = 0.0;
        for s in &per_year {
            sum += s;
        }
        let mean = sum / years as f64;
        found.scored.push(Scored {
            window,
            per_year,
            mean,
        });
    }
    for held_out in (0..years).filter(|_| years >= 2) {
        let mut best: Option<Fold> = None;
        for s in &found.scored {
            let mut sum = 0.0;
            for (y, v) in s.per_year.iter().enumerate() {
                if y != held_out {
                    sum += v;
                }
            }
            let train = sum / (years - 1) as f64;
            if best.is_none_or(|b| train > b.train) {
                best = Some(Fold {
                    held_out,
                    chosen: s.window,
                    train,
                    validation: s.per_year[held_out],
                });
            }
        }
        found.folds.extend(best);
    }
    found
}
