//! Empty on purpose: this package exists for its `Cargo.toml`, which turns on one feature
//! set for every third-party crate (see that file, and the book's setup chapter).
