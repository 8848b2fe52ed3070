//! The course's dataset: fake minute-level stock prices, as in the 2016 "Parallel Python"
//! tutorial, generated in seconds.
//!
//! ```text
//! data/minute/{SYM}/{YYYY-MM-DD}.csv   one file per symbol per trading day, 240 bars
//! data/json/{SYM}.json                 JSON Lines, the last 365 trading days of each symbol
//! data/manifest.json                   the spec and every file's size, written last
//! ```
//!
//! Tests make a dataset in a temporary folder in one call:
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let dataset = data::make(dir.path(), data::Size::Tiny)?;
//! assert_eq!(dataset.json_files().len(), 4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The model (a factor model for daily bars, a bridged random walk inside each day) is in
//! [`model`]; the presets, symbols and calendar in [`spec`]; writing, repairing and checking in
//! [`generate`](mod@generate).

pub mod check;
mod error;
pub mod format;
pub mod generate;
pub mod model;
pub mod plan;
pub mod spec;

use std::path::Path;

pub use check::{CheckReport, Problem, check};
pub use generate::{GenerateError, Options, Plan, SpecError, Summary, generate};
pub use shared::dataset::Dataset;
pub use spec::{SYMBOLS, Sector, Size, Spec};

/// Generates the preset `size` into `root` (no progress bar) and opens it.
pub fn make(root: &Path, size: Size) -> Result<Dataset, GenerateError> {
    make_spec(root, &size.spec())
}

/// Generates `spec` into `root` (no progress bar) and opens it.
pub fn make_spec(root: &Path, spec: &Spec) -> Result<Dataset, GenerateError> {
    generate(spec, root, Options::default())?;
    Ok(Dataset::open(root)?)
}
