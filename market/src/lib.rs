//! The workloads the lessons share, and no lesson asks you to write.
//!
//! Lesson 3 asks its questions of the stock-market dataset; lessons 5 and 6 run the same
//! jobs on a cluster, and lesson 4 aggregates the same stats with threads. What they have in
//! common lives here, given, so that no lesson's code calls another lesson's crate (and a
//! lesson-3 exercise half-written cannot stop lesson 5 from building):
//!
//! - [`files`]: minute files by symbol and year, and the read-and-parse limit;
//! - [`Stats`]: count, sum, min and max of some prices, with one `merge`;
//! - [`strategy`]: the moving-average crossover of the parameter search, its score, the
//!   grid and the random sample of windows, and the types of a search's answer.

pub mod files;
mod stats;
pub mod strategy;

pub use stats::Stats;
