//! `cargo run --release -p lesson-02-futures --bin exercise-02`: lesson 2 on the full
//! dataset, with the answers in `src/exercise.rs`. See `--help`.

fn main() -> std::process::ExitCode {
    lesson_02_futures::program::main(lesson_02_futures::answers::Answers::EXERCISE)
}
