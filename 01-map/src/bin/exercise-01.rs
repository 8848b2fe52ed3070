//! `cargo run --release -p lesson-01-map --bin exercise-01`: lesson 1 on the full dataset, with
//! the answers in `src/exercise.rs`. See `--help`.

fn main() -> std::process::ExitCode {
    lesson_01_map::program::main(lesson_01_map::answers::Answers::EXERCISE)
}
