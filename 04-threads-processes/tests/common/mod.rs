//! What the test files share: a small generated dataset, its bars as records, and an
//! aggregate that records which thread added what. Given code only; nothing here calls an
//! exercise.
#![allow(dead_code)] // each test file uses part of it

use std::collections::HashSet;
use std::path::PathBuf;
use std::thread::ThreadId;

use chrono::NaiveDate;
use lesson_04_threads_processes::aggregate::{Aggregate, Record, load_records};
use shared::testing::Rendezvous;

/// A dataset of 3 symbols over two weeks of 2016: about 500 kB, made in well under a
/// second. Keep the `TempDir`: the files go when it is dropped.
pub fn dataset() -> (tempfile::TempDir, data::Dataset) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    let spec = data::Spec {
        seed: 4,
        symbols: vec!["AIG".into(), "JPM".into(), "AAPL".into()],
        start: date(2016, 3, 7),
        end: date(2016, 3, 18),
        json_days: 5,
    };
    let dataset = data::make_spec(dir.path(), &spec).expect("a small dataset");
    (dir, dataset)
}

/// Every minute file of `dataset` and its symbol's index.
pub fn files(dataset: &data::Dataset) -> (Vec<PathBuf>, Vec<u16>) {
    let mut files = Vec::new();
    let mut symbols = Vec::new();
    for (i, symbol) in dataset.symbols().iter().enumerate() {
        for file in dataset.minute_files(symbol) {
            files.push(file);
            symbols.push(i as u16);
        }
    }
    (files, symbols)
}

/// Every bar of the small dataset as a record (about 10,000), and the number of symbols.
pub fn records() -> (Vec<Record>, usize) {
    let (_dir, dataset) = dataset();
    let (files, symbols) = files(&dataset);
    let records = load_records(&files, |i| symbols[i]).expect("readable test files");
    (records, dataset.symbols().len())
}

/// Where a test's [`Traced`] aggregates meet: the first record each partial receives
/// arrives here, and waits for a second thread (see [`Rendezvous`]).
#[derive(Default)]
pub struct Meeting {
    pub rendezvous: Rendezvous,
}

/// A record for [`Traced`]: a number, and the meeting point of its test.
pub struct Tagged {
    pub value: u32,
    pub meeting: &'static Meeting,
}

/// `n` tagged records 0..n, sharing a new meeting point (leaked: a few bytes per test).
pub fn tagged(n: u32) -> Vec<Tagged> {
    let meeting: &'static Meeting = Box::leak(Box::default());
    (0..n).map(|value| Tagged { value, meeting }).collect()
}

/// One `A::default()` and what was added to it directly.
#[derive(Debug, Default, Clone)]
pub struct Part {
    pub adds: usize,
    pub threads: HashSet<ThreadId>,
}

/// An aggregate that remembers every value, and, for each `Traced::default()` that went
/// into it, which threads added to it.
#[derive(Debug, Default)]
pub struct Traced {
    pub values: Vec<u32>,
    own: Part,
    merged: Vec<Part>,
}

impl Traced {
    /// Every part with at least one add: this one's own, and those merged into it.
    pub fn parts(&self) -> Vec<Part> {
        std::iter::once(&self.own)
            .chain(&self.merged)
            .filter(|p| p.adds > 0)
            .cloned()
            .collect()
    }
}

impl Aggregate for Traced {
    type Record = Tagged;

    fn add(&mut self, record: &Tagged) {
        if self.own.adds == 0 {
            record.meeting.rendezvous.arrive();
        }
        self.own.adds += 1;
        self.own.threads.insert(std::thread::current().id());
        self.values.push(record.value);
    }

    fn merge(&mut self, other: Traced) {
        self.values.extend(other.values);
        self.merged.push(other.own);
        self.merged.extend(other.merged);
    }
}

/// An aggregate that keeps every record (a `u32`), for exactly-once checks.
#[derive(Debug, Default)]
pub struct Collect(pub Vec<u32>);

impl Aggregate for Collect {
    type Record = u32;

    fn add(&mut self, record: &u32) {
        self.0.push(*record);
    }

    fn merge(&mut self, other: Collect) {
        self.0.extend(other.0);
    }
}

/// Which values of 0..n are missing from `values` or appear more than once, described.
pub fn exactly_once(values: &[u32], n: u32) -> Result<(), String> {
    let mut seen = vec![0usize; n as usize];
    let mut strangers = Vec::new();
    for &v in values {
        match seen.get_mut(v as usize) {
            Some(count) => *count += 1,
            None => strangers.push(v),
        }
    }
    let missing: Vec<_> = (0..n).filter(|&v| seen[v as usize] == 0).collect();
    let twice: Vec<_> = (0..n).filter(|&v| seen[v as usize] > 1).collect();
    if missing.is_empty() && twice.is_empty() && strangers.is_empty() {
        return Ok(());
    }
    let few = |v: &[u32]| {
        format!(
            "{:?}{}",
            &v[..v.len().min(8)],
            if v.len() > 8 { " …" } else { "" }
        )
    };
    Err(format!(
        "{} of {n} records missing {}, {} more than once {}, {} never sent {}",
        missing.len(),
        few(&missing),
        twice.len(),
        few(&twice),
        strangers.len(),
        few(&strangers)
    ))
}
