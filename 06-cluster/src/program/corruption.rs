//! Exercise 6.3's demonstration: a copy of a few files with one damaged line, and what the
//! group-by says about it.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use shared::dataset::Dataset;

use crate::launcher::{self};

use super::cli::{JobArgs, JobName};
use super::tour::launch_of;

/// Exercise 6.3's demonstration: a copy of a few symbols' files with one damaged line,
/// grouped on 2 processes with the tour's other options (`job`).
pub(super) fn debugging(dataset: &Dataset, files: &[PathBuf], job: &JobArgs) -> anyhow::Result<()> {
    let out = dataset
        .root()
        .join("output")
        .join("06-cluster")
        .join("corrupted");
    let (minute, copied, bad, line) = plant_corruption(files, &out)?;
    println!(
        "Debugging (6.3): a copy of {copied} files in {}, with line {line} of {} damaged; \
         the group-by on 2 processes × 1 worker:",
        minute.display(),
        bad.display()
    );
    let args = JobArgs {
        minute: Some(minute),
        ..job.clone()
    };
    match launcher::launch(&launch_of(JobName::Groupby, &args, (2, 1))?) {
        Ok(launched) => {
            let answer = launched
                .output
                .lines()
                .filter(|l| !l.starts_with("timing:"));
            println!("{}\n", answer.collect::<Vec<_>>().join("\n"));
        }
        Err(error) => println!("The launcher reports: {error}\n"),
    }
    Ok(())
}

/// Copies one month of the first three symbols' files under `out/minute/` and damages
/// one line of one of them; returns the folder, the number of files, the damaged file and
/// its line.
pub fn plant_corruption(
    files: &[PathBuf],
    out: &Path,
) -> anyhow::Result<(PathBuf, usize, PathBuf, usize)> {
    let minute = out.join("minute");
    if minute.exists() {
        std::fs::remove_dir_all(&minute)
            .with_context(|| format!("cannot clear {}", minute.display()))?;
    }
    let symbols: Vec<&str> = {
        let mut s: Vec<&str> = files
            .iter()
            .filter_map(|f| market::files::symbol_of(f))
            .collect();
        s.dedup();
        s.into_iter().take(3).collect()
    };
    let mut copied = Vec::new();
    for symbol in &symbols {
        let theirs = files
            .iter()
            .filter(|f| market::files::symbol_of(f) == Some(symbol))
            .take(21);
        for file in theirs {
            let name = file.file_name().context("a file name")?;
            let target = minute.join(symbol).join(name);
            std::fs::create_dir_all(minute.join(symbol))?;
            std::fs::copy(file, &target).with_context(|| {
                format!("cannot copy {} to {}", file.display(), target.display())
            })?;
            copied.push(target);
        }
    }
    copied.sort();
    let bad = copied
        .get(copied.len() / 2)
        .context("no files to copy")?
        .clone();
    let line = 101;
    let text = std::fs::read_to_string(&bad)?;
    let damaged: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == line {
                l.replacen('.', "..", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    shared::atomic::write_atomic(&bad, (damaged.join("\n") + "\n").as_bytes())?;
    Ok((minute, copied.len(), bad, line))
}
