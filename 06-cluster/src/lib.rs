//! # Lesson 6: cluster computing on timely-dataflow (work in progress)
//!
//! [`engine`] (given): a small layer over timely so that the exercises stay on the logic.

pub mod engine;
