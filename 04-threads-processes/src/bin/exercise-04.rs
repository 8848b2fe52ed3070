//! `cargo run --release -p lesson-04-threads-processes --bin exercise-04`: lesson 4 on the full
//! dataset, with the answers in `src/exercise.rs`. See `--help`. With `--worker`, it is a
//! worker of exercise 4.4's process pool instead.

fn main() -> std::process::ExitCode {
    lesson_04_threads_processes::program::main(
        lesson_04_threads_processes::answers::Answers::EXERCISE,
    )
}
