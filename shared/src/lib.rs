//! What every lesson needs and no lesson teaches.
//!
//! - [`bar`]: the [`Bar`] record and its [`Timestamp`];
//! - [`dataset`]: finding the generated dataset and listing its files;
//! - [`read`]: JSON Lines and CSV readers whose errors name the file and line;
//! - [`columnar`]: the Parquet file of columns that lesson 1 writes and later lessons read;
//! - [`stats`]: Pearson correlation;
//! - [`machine`]: how many cores, and how busy they are;
//! - [`report`]: timing runs, comparing variants, printing aligned tables;
//! - [`progress`]: progress bars;
//! - [`chart`]: line charts and heatmaps as PNG or SVG;
//! - [`atomic`]: writing files so that no one ever sees half of one;
//! - [`answers`]: which answers a lesson's program runs, the learner's or the reference's;
//! - [`testing`]: for the lessons' tests: running an answer with a time bound and a clear
//!   failure message.

pub mod answers;
pub mod atomic;
pub mod bar;
pub mod chart;
pub mod columnar;
pub mod dataset;
pub mod defaults;
pub mod machine;
pub mod panic;
pub mod progress;
pub mod read;
pub mod regular;
pub mod report;
pub mod secret;
pub mod stats;
pub mod testing;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod read_tests;

pub use bar::{Bar, Timestamp};
pub use columnar::Columns;
pub use dataset::Dataset;
