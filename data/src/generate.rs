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

use rayon::prelude::*;
use shared::atomic::{AtomicFile, write_atomic};
use shared::dataset::{Dataset, FileRecord, LAYOUT_VERSION, MANIFEST, Manifest, Spec, Unfinished};
use shared::progress;

pub use crate::error::{GenerateError, SpecError};
pub use crate::plan::Plan;
use crate::plan::{json_rel, minute_rel, render_symbol};
use crate::spec::SYMBOLS;

/// How [`generate`] should behave.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Rewrite every file even if the dataset looks complete.
    pub force: bool,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Write a dataset above [`LARGE`] bytes.
    pub allow_large: bool,
}

/// Datasets above this size (5 GB) need [`Options::allow_large`]: a typo in a date should not
/// fill a disk.
pub const LARGE: u64 = 5_000_000_000;

/// Written (with the spec) before the first file and deleted after the manifest: if a run is
/// killed, the next one knows which files it may have left.
pub use shared::dataset::GENERATING;

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
    check_size(root, &plan, options)?;
    remove_temporaries(root, &plan);
    let mut removed_unfinished = remove_unfinished(root, &plan)?;
    // Files of a spec whose records are gone (a killed run of spec B over a dataset of spec
    // A loses A's manifest, then B's record is replaced by C's): `minute/` and `json/` are
    // the generator's own folders, so whatever there is not in this plan goes.
    for stray in strays(root, &plan) {
        removed_unfinished += u64::from(fs::remove_file(&stray).is_ok());
        if let Some(folder) = stray
            .parent()
            .filter(|f| f.parent() == Some(&root.join("minute")))
        {
            let _ = fs::remove_dir(folder); // only succeeds once empty
        }
    }
    // Only now: cleaning up removes the empty folders of an interrupted run, which may be
    // ones this plan writes in too.
    make_folders(root, &plan)?;

    let old = Dataset::open(root).ok().map(|d| d.manifest().clone());
    let same_spec = old.as_ref().is_some_and(|m| m.spec == plan.spec) && !options.force;
    if !same_spec {
        let manifest = root.join(MANIFEST);
        // A folder in its place: an empty one goes, anyone's files are kept and named.
        if manifest.is_dir() && fs::remove_dir(&manifest).is_err() {
            return Err(GenerateError::FolderInTheWay { path: manifest });
        }
        remove_file(&manifest).map_err(write_error(&manifest))?;
    }
    let known = old.as_ref().filter(|_| same_spec);
    let generating = root.join(GENERATING);
    let record = Unfinished {
        spec: plan.spec.clone(),
        generator_args: crate::spec::generator_args(&plan.spec),
    };
    write_json(&generating, &record)?;
    let (rendered, written_files, written_bytes) = write_files(root, &plan, known, options)?;
    let files = file_records(&plan, rendered, old.as_ref());
    let removed_files = removed_unfinished
        + match old.as_ref().filter(|_| !same_spec) {
            Some(old) => remove_stale(root, old, &files),
            None => 0,
        };

    let manifest = Manifest {
        layout_version: LAYOUT_VERSION,
        spec: plan.spec.clone(),
        total_bytes: files.iter().map(|f| f.bytes).sum(),
        total_rows: files.iter().map(|f| f.rows).sum(),
        files,
        generator_args: Some(crate::spec::generator_args(&plan.spec)),
    };
    let args_changed = old.as_ref().map(|m| &m.generator_args) != Some(&manifest.generator_args);
    if written_files > 0 || removed_files > 0 || !same_spec || args_changed {
        write_manifest(root, &manifest)?;
    }
    remove_file(&generating).map_err(write_error(&generating))?;
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
    move |error| GenerateError::Write { path, error }
}

/// Refuses, before anything is written, a spec above [`LARGE`] without `--allow-large`, and
/// one that would not fit in the free space of `root`'s disk.
fn check_size(root: &Path, plan: &Plan, options: Options) -> Result<(), GenerateError> {
    let bytes = plan.estimated_bytes();
    if bytes > LARGE && !options.allow_large {
        return Err(GenerateError::TooLarge {
            bytes,
            files: plan.file_count(),
        });
    }
    // What a previous run of the same spec already wrote does not need space again.
    let existing = Dataset::open(root)
        .ok()
        .filter(|d| d.manifest().spec == plan.spec)
        .map_or(0, |d| d.manifest().total_bytes);
    let needed = bytes.saturating_sub(existing);
    // A folder no one may write in (/proc) shows no free space: say what is wrong with it.
    let probe = root.join(".parallel-rust-can-write");
    let writable = fs::create_dir_all(root)
        .and_then(|()| fs::write(&probe, b""))
        .and_then(|()| fs::remove_file(&probe));
    writable.map_err(|error| GenerateError::NotWritable {
        root: root.into(),
        error,
    })?;
    match free_space(root) {
        Some(free) if needed > free => Err(GenerateError::NoSpace {
            root: root.into(),
            free,
            needed,
        }),
        _ => Ok(()),
    }
}

/// Free bytes on the disk that holds `path` (or its nearest existing parent), if known.
fn free_space(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    fs4::available_space(existing).ok()
}

/// Files under `minute/` and `json/` that look like dataset files (`minute/SYM/*.csv`,
/// `json/*.json`) but are not part of `plan`.
pub(crate) fn strays(root: &Path, plan: &Plan) -> Vec<PathBuf> {
    let wanted: std::collections::HashSet<String> = all_paths(plan).collect();
    let list = |dir: &Path| -> Vec<PathBuf> {
        fs::read_dir(dir)
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    let minute = list(&root.join("minute"))
        .into_iter()
        .filter(|p| p.is_dir())
        .flat_map(|dir| list(&dir))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"));
    let json = list(&root.join("json"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"));
    let mut found: Vec<PathBuf> = minute
        .chain(json)
        .filter(|p| {
            let rel = p.strip_prefix(root).unwrap_or(p);
            let rel = rel
                .to_string_lossy()
                .replace(std::path::MAIN_SEPARATOR, "/");
            !wanted.contains(&rel)
        })
        .collect();
    found.sort();
    found
}

/// If a run of another spec was killed (its [`GENERATING`] record is still there), deletes
/// the files it may have written that `plan` does not have. Returns how many went.
fn remove_unfinished(root: &Path, plan: &Plan) -> Result<u64, GenerateError> {
    let record = root.join(GENERATING);
    let Ok(text) = fs::read_to_string(&record) else {
        return Ok(0);
    };
    let unfinished = serde_json::from_str::<Unfinished>(&text)
        .map(|record| record.spec)
        .or_else(|_| serde_json::from_str::<Spec>(&text)) // the record of older generators
        .ok()
        .and_then(|spec| Plan::new(&spec).ok());
    let Some(unfinished) = unfinished.filter(|u| u.spec != plan.spec) else {
        return Ok(0);
    };
    remove_temporaries(root, &unfinished);
    let keep: std::collections::HashSet<String> = all_paths(plan).collect();
    let mut removed = 0;
    for rel in all_paths(&unfinished).filter(|rel| !keep.contains(rel)) {
        removed += u64::from(fs::remove_file(root.join(&rel)).is_ok());
    }
    for &symbol in &unfinished.symbols {
        let _ = fs::remove_dir(root.join("minute").join(SYMBOLS[symbol].ticker));
    }
    remove_file(&record).map_err(write_error(&record))?;
    Ok(removed)
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
        // A rename cannot replace a folder. An empty one goes; one with contents may be
        // somebody's, so it is theirs to remove.
        if path.is_dir() && fs::remove_dir(&path).is_err() {
            return Err(GenerateError::FolderInTheWay { path });
        }
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
    write_json(&root.join(MANIFEST), manifest)
}

/// Writes `value` as pretty JSON to `path`, atomically.
fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), GenerateError> {
    let io = |error| GenerateError::Write {
        path: path.into(),
        error,
    };
    let mut file = AtomicFile::create(path).map_err(io)?;
    serde_json::to_writer_pretty(&mut file, value).map_err(|e| io(e.into()))?;
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
