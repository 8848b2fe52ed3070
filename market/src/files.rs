//! The minute files by symbol and year, and what reading them costs.
//!
//! The minute CSVs are one file per symbol per day (`minute/{SYM}/{YYYY-MM-DD}.csv`).

use std::path::{Path, PathBuf};

use chrono::Datelike;
use rayon::prelude::*;
use shared::Bar;

/// The symbol a minute file belongs to: the name of its folder (`minute/AIG/…` → `AIG`).
/// `None` for a path without a parent folder.
pub fn symbol_of(path: &Path) -> Option<&str> {
    path.parent()?.file_name()?.to_str()
}

/// The files among `files` whose name starts with `{year}-`: 2016's `2012-*.csv`. Years
/// are four digits in the file names, as the generator writes them (`0001-01-02.csv`).
pub fn files_of_year(files: &[PathBuf], year: i32) -> Vec<PathBuf> {
    let prefix = format!("{year:04}-");
    files
        .iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .cloned()
        .collect()
}

/// The year of a bar.
pub fn year(bar: &Bar) -> i32 {
    bar.timestamp.date().year()
}

/// The same with every field parsed into a [`Bar`] and checked ([`shared::read::read_csv`]):
/// what an answer that reads whole bars pays.
pub fn read_and_parse_bars(files: &[PathBuf]) -> usize {
    files
        .par_iter()
        .map(|path| shared::read::read_csv(path).map_or(0, |bars| bars.len()))
        .sum()
}

/// Runs `work` on a rayon pool of `threads` threads (its own, not the global one): the
/// programs time an answer on one thread against the same answer on all cores, and the
/// tests check that a group-by gives the same result on 1, 2 and 4 threads.
pub fn on_threads<R: Send>(
    threads: usize,
    work: impl FnOnce() -> R + Send,
) -> Result<R, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(move |i| format!("pool{threads}-{i}"))
        .build()?;
    Ok(pool.install(work))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_is_matched_on_its_four_digits() {
        let files: Vec<PathBuf> = [
            "AIG/0001-01-02.csv",
            "AIG/2012-01-03.csv",
            "AIG/0012-05-01.csv",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(
            files_of_year(&files, 1),
            [PathBuf::from("AIG/0001-01-02.csv")]
        );
        assert_eq!(
            files_of_year(&files, 12),
            [PathBuf::from("AIG/0012-05-01.csv")]
        );
        assert_eq!(
            files_of_year(&files, 2012),
            [PathBuf::from("AIG/2012-01-03.csv")]
        );
    }
}
