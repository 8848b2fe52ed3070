//! `cargo run --release -p lesson-06-cluster --bin solution-06`: lesson 6's jobs on local
//! clusters, with the reference answers (`src/solution.rs`). See `--help`. With `process …` it is
//! one process of a cluster; with `launch …`, a local cluster of its own copies.

fn main() -> std::process::ExitCode {
    lesson_06_cluster::program::main(lesson_06_cluster::answers::Answers::SOLUTION)
}
