//! `cargo run --release -p lesson-05-distributed --bin exercise-05`: lesson 5's cluster at
//! work, with the answers in `src/exercise.rs`. See `--help`. With `worker …` or
//! `scheduler …`, it is one of the cluster's processes instead.

fn main() -> std::process::ExitCode {
    lesson_05_distributed::program::main(lesson_05_distributed::answers::Answers::EXERCISE)
}
