//! `cargo run --release -p lesson-05-distributed --bin worker-05 -- --help`: the worker of a
//! deployment. It runs your answers, or the reference's when built with `--features solution`.

fn main() -> std::process::ExitCode {
    lesson_05_distributed::program::worker_main(lesson_05_distributed::answers::Answers::TESTED)
}
