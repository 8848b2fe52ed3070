//! Writing a dataset to disk, repairing one, and checking one.
//!
//! Every file is rendered in memory and written under a temporary name, then renamed, so a
//! killed run leaves only complete files (and `.*.tmp` leftovers that the next run deletes).
//! The manifest is written last: if it is there and names the same spec, the dataset was
//! complete, and a rerun only rewrites files that went missing or changed size.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rayon::prelude::*;
use shared::atomic::{AtomicFile, write_atomic};
use shared::dataset::{
    Dataset, DatasetError, FileRecord, LAYOUT_VERSION, MANIFEST, Manifest, Spec,
};
use shared::progress;

use crate::format;
use crate::model::{BARS_PER_DAY, MinuteBar, daily_bars, minute_bars};
use crate::spec::{SYMBOLS, symbol_index, trading_days};

/// A spec that cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("unknown symbol {0:?}; choose among {tickers}", tickers = SYMBOLS.map(|s| s.ticker).join(", "))]
    UnknownSymbol(String),
    #[error("symbol {0} is listed twice")]
    DuplicateSymbol(String),
    #[error("no symbols chosen")]
    NoSymbols,
    #[error(
        "there are no trading days from {0} to {1}; is the start after the end, or both on a weekend?"
    )]
    NoTradingDays(NaiveDate, NaiveDate),
    #[error("--json-days must be at least 1")]
    NoJsonDays,
}

/// Generating or checking failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    #[error(
        "cannot write {path}: {source}. Is there space on the disk, and may you write there? (choose another folder with --out)"
    )]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A checked spec, with its symbols as indexes into [`SYMBOLS`] and its trading days.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub spec: Spec,
    pub symbols: Vec<usize>,
    pub days: Vec<NaiveDate>,
}

impl Plan {
    pub fn new(spec: &Spec) -> Result<Plan, SpecError> {
        let mut symbols = Vec::with_capacity(spec.symbols.len());
        for ticker in &spec.symbols {
            let index =
                symbol_index(ticker).ok_or_else(|| SpecError::UnknownSymbol(ticker.clone()))?;
            if symbols.contains(&index) {
                return Err(SpecError::DuplicateSymbol(ticker.clone()));
            }
            symbols.push(index);
        }
        if symbols.is_empty() {
            return Err(SpecError::NoSymbols);
        }
        if spec.json_days == 0 {
            return Err(SpecError::NoJsonDays);
        }
        let days = trading_days(spec.start, spec.end);
        if days.is_empty() {
            return Err(SpecError::NoTradingDays(spec.start, spec.end));
        }
        // Store canonical tickers so `aapl` and `AAPL` make the same manifest.
        let spec = Spec {
            symbols: symbols
                .iter()
                .map(|&i| SYMBOLS[i].ticker.to_string())
                .collect(),
            ..spec.clone()
        };
        Ok(Plan {
            spec,
            symbols,
            days,
        })
    }

    /// Number of files in the dataset: one JSON file per symbol, one CSV per symbol-day.
    pub fn file_count(&self) -> u64 {
        (self.symbols.len() * (1 + self.days.len())) as u64
    }

    fn first_json_day(&self) -> usize {
        self.days.len().saturating_sub(self.spec.json_days)
    }
}

fn json_rel(ticker: &str) -> String {
    format!("json/{ticker}.json")
}

fn minute_rel(ticker: &str, date: NaiveDate) -> String {
    format!("minute/{ticker}/{date}.csv")
}

/// Receives each rendered file: its path relative to the dataset root, and its bytes.
type Emit<'a> = &'a (dyn Fn(&str, &[u8]) -> Result<(), GenerateError> + Sync);

/// Renders the files of the symbol at `position` in the plan that `wanted` asks for, and hands
/// each to `emit` with its bytes. Returns the records of the files it rendered, JSON first.
fn render_symbol(
    plan: &Plan,
    position: usize,
    wanted: &(dyn Fn(&str) -> bool + Sync),
    emit: Emit,
) -> Result<Vec<FileRecord>, GenerateError> {
    let (seed, symbol) = (plan.spec.seed, plan.symbols[position]);
    let ticker = SYMBOLS[symbol].ticker;
    let json_path = json_rel(ticker);
    let json_wanted = wanted(&json_path);
    let first_json_day = plan.first_json_day();

    let days = daily_bars(seed, symbol, &plan.days);
    let per_day: Vec<(Option<FileRecord>, Vec<u8>)> = days
        .par_iter()
        .enumerate()
        // A day is ~50 µs of work: hand rayon a few at a time so splitting costs nothing.
        .with_min_len(8)
        .map_init(
            || {
                (
                    [MinuteBar::default(); BARS_PER_DAY],
                    Vec::with_capacity(16 << 10),
                )
            },
            |(bars, csv), (d, day)| {
                let path = minute_rel(ticker, day.date);
                let csv_wanted = wanted(&path);
                let json_day = json_wanted && d >= first_json_day;
                if !csv_wanted && !json_day {
                    return Ok((None, Vec::new()));
                }
                minute_bars(seed, symbol, day, bars);
                let mut json = Vec::new();
                if json_day {
                    json.reserve(BARS_PER_DAY * 110);
                    format::json_lines(day.date, &bars[..], &mut json);
                }
                let mut record = None;
                if csv_wanted {
                    csv.clear();
                    format::csv_file(day.date, &bars[..], csv);
                    emit(&path, csv)?;
                    record = Some(FileRecord {
                        path,
                        bytes: csv.len() as u64,
                        rows: BARS_PER_DAY as u64,
                    });
                }
                Ok((record, json))
            },
        )
        .collect::<Result<_, GenerateError>>()?;

    let mut records = Vec::with_capacity(per_day.len() + 1);
    if json_wanted {
        let mut json = Vec::with_capacity(per_day.iter().map(|(_, chunk)| chunk.len()).sum());
        per_day
            .iter()
            .for_each(|(_, chunk)| json.extend_from_slice(chunk));
        emit(&json_path, &json)?;
        let rows = (plan.days.len() - first_json_day) * BARS_PER_DAY;
        records.push(FileRecord {
            path: json_path,
            bytes: json.len() as u64,
            rows: rows as u64,
        });
    }
    records.extend(per_day.into_iter().filter_map(|(record, _)| record));
    Ok(records)
}

/// How [`generate`] should behave.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Rewrite every file even if the dataset looks complete.
    pub force: bool,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

/// What a [`generate`] run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Files in the dataset.
    pub files: u64,
    /// Bytes in the dataset.
    pub bytes: u64,
    /// Rows (bars) in the dataset, CSV and JSON together.
    pub rows: u64,
    /// Files this run wrote; 0 when the dataset was already complete.
    pub written_files: u64,
    pub written_bytes: u64,
    /// Files of an earlier, different spec that this run deleted.
    pub removed_files: u64,
    pub elapsed: Duration,
}

/// Writes the dataset `spec` describes under `root`, or completes it if it is partly there.
pub fn generate(spec: &Spec, root: &Path, options: Options) -> Result<Summary, GenerateError> {
    let start = Instant::now();
    let plan = Plan::new(spec)?;
    make_folders(root, &plan)?;
    remove_temporaries(root, &plan);

    let old = Dataset::open(root).ok().map(|d| d.manifest().clone());
    let same_spec = old.as_ref().is_some_and(|m| m.spec == plan.spec) && !options.force;
    if !same_spec {
        let manifest = root.join(MANIFEST);
        remove_file(&manifest).map_err(write_error(&manifest))?;
    }
    let known = old.as_ref().filter(|_| same_spec);
    let (rendered, written_files, written_bytes) = write_files(root, &plan, known, options)?;
    let files = file_records(&plan, rendered, old.as_ref());
    let removed_files = match old.as_ref().filter(|_| !same_spec) {
        Some(old) => remove_stale(root, old, &files),
        None => 0,
    };

    let manifest = Manifest {
        layout_version: LAYOUT_VERSION,
        spec: plan.spec.clone(),
        total_bytes: files.iter().map(|f| f.bytes).sum(),
        total_rows: files.iter().map(|f| f.rows).sum(),
        files,
    };
    if written_files > 0 || removed_files > 0 || !same_spec {
        write_manifest(root, &manifest)?;
    }
    Ok(Summary {
        files: manifest.files.len() as u64,
        bytes: manifest.total_bytes,
        rows: manifest.total_rows,
        written_files,
        written_bytes,
        removed_files,
        elapsed: start.elapsed(),
    })
}

/// Turns an I/O error about `path` into a [`GenerateError::Write`].
fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> GenerateError {
    let path = path.to_path_buf();
    move |source| GenerateError::Write { path, source }
}

/// `minute/{SYM}/` for every symbol, and `json/`.
fn make_folders(root: &Path, plan: &Plan) -> Result<(), GenerateError> {
    let symbol_dirs = plan
        .symbols
        .iter()
        .map(|&symbol| root.join("minute").join(SYMBOLS[symbol].ticker));
    for dir in symbol_dirs.chain([root.join("json")]) {
        fs::create_dir_all(&dir).map_err(write_error(&dir))?;
    }
    Ok(())
}

/// Renders and writes, in parallel over symbols, every file that is not already intact
/// under `known` (the manifest of a previous run of the same spec). Only sizes are compared:
/// a same-size corruption is `--check`'s job, and `--force` fixes it. Returns the records
/// of the files written, and how many files and bytes that was.
fn write_files(
    root: &Path,
    plan: &Plan,
    known: Option<&Manifest>,
    options: Options,
) -> Result<(Vec<FileRecord>, u64, u64), GenerateError> {
    let known: HashMap<&str, u64> = known
        .iter()
        .flat_map(|m| &m.files)
        .map(|f| (f.path.as_str(), f.bytes))
        .collect();
    let wanted = |rel: &str| {
        let intact = known
            .get(rel)
            .is_some_and(|&bytes| fs::metadata(root.join(rel)).is_ok_and(|m| m.len() == bytes));
        !intact
    };
    let bar = options
        .progress
        .then(|| progress::items(plan.file_count(), "generating"));
    let written = Mutex::new((0u64, 0u64));
    let emit = |rel: &str, bytes: &[u8]| {
        let path = root.join(rel);
        write_atomic(&path, bytes).map_err(write_error(&path))?;
        let mut w = written.lock().expect("no panics while held");
        *w = (w.0 + 1, w.1 + bytes.len() as u64);
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        Ok(())
    };
    let rendered: Vec<Vec<FileRecord>> = (0..plan.symbols.len())
        .into_par_iter()
        .map(|p| render_symbol(plan, p, &wanted, &emit))
        .collect::<Result<_, _>>()?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (files, bytes) = written.into_inner().expect("no panics while held");
    Ok((rendered.into_iter().flatten().collect(), files, bytes))
}

/// The record of every file of the plan, in manifest order: fresh ones from this run,
/// skipped (intact) ones from the previous manifest.
fn file_records(plan: &Plan, fresh: Vec<FileRecord>, old: Option<&Manifest>) -> Vec<FileRecord> {
    let old_records: HashMap<&str, &FileRecord> = old
        .iter()
        .flat_map(|m| &m.files)
        .map(|f| (f.path.as_str(), f))
        .collect();
    let mut fresh: HashMap<String, FileRecord> =
        fresh.into_iter().map(|f| (f.path.clone(), f)).collect();
    all_paths(plan)
        .map(|rel| match fresh.remove(&rel) {
            Some(record) => record,
            None => (*old_records
                .get(rel.as_str())
                .expect("a skipped file is in the old manifest"))
            .clone(),
        })
        .collect()
}

/// Deletes the files of an old dataset (another spec) that the new one does not have, and
/// the symbol folders left empty. Returns how many files went.
fn remove_stale(root: &Path, old: &Manifest, files: &[FileRecord]) -> u64 {
    let keep: std::collections::HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut removed = 0;
    for stale in old.files.iter().filter(|f| !keep.contains(f.path.as_str())) {
        removed += u64::from(fs::remove_file(root.join(&stale.path)).is_ok());
    }
    for ticker in &old.spec.symbols {
        let _ = fs::remove_dir(root.join("minute").join(ticker)); // only succeeds if empty
    }
    removed
}

fn all_paths(plan: &Plan) -> impl Iterator<Item = String> + '_ {
    let tickers = || plan.symbols.iter().map(|&s| SYMBOLS[s].ticker);
    tickers()
        .map(json_rel)
        .chain(tickers().flat_map(|t| plan.days.iter().map(move |&d| minute_rel(t, d))))
}

fn write_manifest(root: &Path, manifest: &Manifest) -> Result<(), GenerateError> {
    let path = root.join(MANIFEST);
    let io = |source| GenerateError::Write {
        path: path.clone(),
        source,
    };
    let mut file = AtomicFile::create(&path).map_err(io)?;
    serde_json::to_writer_pretty(&mut file, manifest).map_err(|e| io(e.into()))?;
    file.write_all(b"\n").map_err(io)?;
    file.commit().map_err(io)
}

fn remove_file(path: &Path) -> std::io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Deletes `.NAME.PID.tmp` files a killed run left in the folders this plan writes to.
fn remove_temporaries(root: &Path, plan: &Plan) {
    let dirs = plan
        .symbols
        .iter()
        .map(|&s| root.join("minute").join(SYMBOLS[s].ticker))
        .chain([root.join("json"), root.into()]);
    for dir in dirs {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

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
        let problem = match fs::read(&path) {
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
