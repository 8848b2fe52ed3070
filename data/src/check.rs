//! `--check`: regenerate every file of a dataset in memory and compare it with the disk.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use shared::dataset::{Dataset, FileRecord};
use shared::progress;

use crate::generate::{GenerateError, strays};
use crate::plan::{Plan, render_symbol};

/// One way an existing dataset differs from what its spec should produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// What is wrong, e.g. `line 17 differs: expected "…", found "…"`.
    pub what: String,
}

/// What [`check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub files: u64,
    pub bytes: u64,
    pub problems: Vec<Problem>,
}

/// Regenerates every file of the dataset in `root` in memory and compares it with the disk.
pub fn check(root: &Path, show_progress: bool) -> Result<CheckReport, GenerateError> {
    let dataset = Dataset::open(root)?;
    let plan = Plan::new(&dataset.manifest().spec)?;
    let recorded: HashMap<&str, u64> = dataset
        .manifest()
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.bytes))
        .collect();
    let problems = Mutex::new(Vec::new());
    let bar = show_progress.then(|| progress::items(plan.file_count(), "checking"));
    let compare = |rel: &str, expected: &[u8]| {
        let path = root.join(rel);
        let read = shared::read::check_regular(&path, expected.len() as u64 + (1 << 20))
            .and_then(|()| fs::read(&path));
        let problem = match read {
            Err(e) => Some(format!("cannot be read: {e}")),
            Ok(found) if found != expected => Some(first_difference(expected, &found)),
            Ok(_) if recorded.get(rel) != Some(&(expected.len() as u64)) => {
                Some("the manifest records another size for it".to_string())
            }
            Ok(_) => None,
        };
        if let Some(what) = problem {
            problems
                .lock()
                .expect("no panics while held")
                .push(Problem { path, what });
        }
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        Ok(())
    };
    let records: Vec<Vec<FileRecord>> = (0..plan.symbols.len())
        .into_par_iter()
        .map(|p| render_symbol(&plan, p, &|_| true, &compare))
        .collect::<Result<_, _>>()?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut problems = problems.into_inner().expect("no panics while held");
    problems.extend(strays(root, &plan).into_iter().map(|path| Problem {
        path,
        what: "is not part of this dataset (left by an interrupted run of another spec?)".into(),
    }));
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    let records = records.into_iter().flatten();
    let (files, bytes) = records.fold((0, 0), |(n, b), r| (n + 1, b + r.bytes));
    Ok(CheckReport {
        files,
        bytes,
        problems,
    })
}

/// Describes where `found` first departs from `expected`: the line, and both versions of it.
fn first_difference(expected: &[u8], found: &[u8]) -> String {
    let at = expected
        .iter()
        .zip(found)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(found.len()));
    let line = expected[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let line_of = |bytes: &[u8]| -> String {
        let start = bytes[..at.min(bytes.len())]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| start + i);
        String::from_utf8_lossy(&bytes[start..end])
            .chars()
            .take(120)
            .collect()
    };
    if found.len() < expected.len() && at == found.len() {
        return format!(
            "cut short at line {line}: {} of {} bytes",
            found.len(),
            expected.len()
        );
    }
    format!(
        "line {line} differs: expected {:?}, found {:?}",
        line_of(expected),
        line_of(found)
    )
}
