//! # Lesson 1: parallel map on files
//!
//! Convert every JSON Lines file of the dataset into a columnar Parquet file: the same work
//! on many independent inputs, the "embarrassingly parallel" map. Read the book's chapter 1
//! alongside; exercise 1.M is in its section 1.M.
//!
//! - [`convert`] (given): one file's conversion, the generic `Value` parser, the sequential
//!   baseline and its profile.
//! - [`exercise`] (**yours**): 1.1 a parallel map with rayon, 1.2 the same map by hand with
//!   scoped threads, 1.3 a typed parser. Checked by `tests/ex1_1.rs` … `tests/ex1_3.rs`.
//! - [`solution`]: the reference answers, same signatures.
//! - [`answers`] (given): the one switch between the two: an [`Answers`](answers::Answers)
//!   value says which exercises run yours and which the reference's.
//! - [`naps`] and [`granularity`] (given): what a thread pool does, and when `par_iter`
//!   does not pay.
//! - `simd` (given, with `--features simd`): the typed parser on sonic-rs, a SIMD JSON
//!   library: going further.
//! - [`rosetta`] (given): the same job in std threads, crossbeam, rayon, futures and tokio.
//! - [`program`] (given): what the `exercise-01` and `solution-01` binaries run.
//!
//! [`answer`] is [`exercise`], or [`solution`] with `--features solution`: the tests check
//! `answer`, so `cargo test -p lesson-01-map --test ex1_1` checks your exercise 1.1.

pub mod answers;
pub mod convert;
pub mod exercise;
pub mod granularity;
pub mod naps;
pub mod program;
pub mod rosetta;
#[cfg(feature = "simd")]
pub mod simd;
pub mod solution;

#[cfg(not(feature = "solution"))]
pub use exercise as answer;
#[cfg(feature = "solution")]
pub use solution as answer;
