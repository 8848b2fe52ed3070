//! `cargo run --release -p lesson-03-datasets --bin solution-03`: lesson 3 on the full
//! dataset, with the answers in `src/solution.rs`. See `--help`.

fn main() -> std::process::ExitCode {
    lesson_03_datasets::program::main(lesson_03_datasets::answers::Answers::SOLUTION)
}
