//! The records of the lesson's jobs: what travels between workers and what the answers
//! return. Their own module, below both the jobs ([`crate::job`]) and the answers, so that
//! neither has to import the other for them.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use market::strategy::Window;
use serde::{Deserialize, Serialize};
use shared::Bar;

// ANCHOR: types
/// One symbol's bars of one date, summarised: the open of its first bar, the highest high,
/// the lowest low, the close of its last bar, and the volume of all its bars.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Day {
    pub date: NaiveDate,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: u64,
}

/// One file, as the worker that read it saw it: its bars, or why they could not be read.
#[derive(Debug, Clone)]
pub struct Read {
    pub path: PathBuf,
    pub bars: Result<Vec<Bar>, Unreadable>,
}

/// Why a file could not be read: the line (from 1) where reading stopped, when there is
/// one, and what was wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub line: Option<u64>,
    pub error: String,
}

/// A file the group-by could not use, and where that was found: which worker, which file,
/// which line. It travels to worker 0 like any other record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub worker: usize,
    pub file: PathBuf,
    pub line: Option<u64>,
    pub error: String,
}

/// The group-by's answer: every symbol's days in date order, and the files it left out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupBy {
    pub symbols: BTreeMap<String, Vec<Day>>,
    pub skipped: Vec<Problem>,
}

/// The group-by refused to answer: these files could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct BadInput(pub Vec<Problem>);

/// How exercise 6.2 scores a window on a year (the index of the year, from 0). Every
/// process builds its own from the data it reads: a closure cannot travel over a network.
pub type Score = Arc<dyn Fn(Window, usize) -> f64 + Send + Sync>;
// ANCHOR_END: types

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "worker {}: {}", self.worker, self.file.display())?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        write!(f, ": {}", self.error)
    }
}

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let files = if self.0.len() == 1 { "file" } else { "files" };
        write!(f, "{} {files} could not be read:", self.0.len())?;
        for problem in &self.0 {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}
