//! What can go wrong making a dataset: a spec that cannot be generated, and the disk.

use std::path::PathBuf;

use chrono::NaiveDate;
use shared::dataset::DatasetError;

use crate::spec::SYMBOLS;

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
    #[error(
        "{0} is outside the years 0000 to 9999 that the files' timestamps (YYYY-MM-DD) can hold"
    )]
    DateOutOfRange(NaiveDate),
}

/// Generating or checking failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    // `error`, not `source`: the message quotes it, and a source would print twice.
    #[error("cannot write {path}: {error}. {hint}", hint = write_hint(error))]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{path} is a folder where the dataset needs a file: remove it (rm -r '{path}') and run \
         the generator again",
        path = .path.display()
    )]
    FolderInTheWay { path: PathBuf },
    #[error(
        "cannot write in {root}: {error}. Choose a folder you may write in with --out DIR",
        root = .root.display()
    )]
    NotWritable {
        root: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "this spec would write about {estimate} ({files} files). If you mean it, add \
         --allow-large; the course's full dataset is about 1 GB",
        estimate = shared::report::fmt_bytes(*.bytes),
        files = shared::report::fmt_count(*.files)
    )]
    TooLarge { bytes: u64, files: u64 },
    #[error(
        "{root} has {free} free, and this spec needs about {needed} more: free some space, or \
         choose a folder on another disk with --out",
        free = shared::report::fmt_bytes(*.free),
        needed = shared::report::fmt_bytes(*.needed)
    )]
    NoSpace {
        root: PathBuf,
        free: u64,
        needed: u64,
    },
}

/// What to check after a failed write, by what the system said.
fn write_hint(error: &std::io::Error) -> &'static str {
    match error.kind() {
        std::io::ErrorKind::NotFound => {
            "Its folder is gone: did something else remove it during the run? Run the \
             generator again"
        }
        std::io::ErrorKind::IsADirectory => {
            "A folder stands where the generator writes this file: move it away or remove it \
             (the generator never deletes a folder it did not make), then run the generator \
             again"
        }
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            "May you write there? (choose another folder with --out)"
        }
        _ => {
            "Is there space on the disk, and may you write there? (choose another folder with --out)"
        }
    }
}
