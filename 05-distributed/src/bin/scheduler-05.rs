//! `cargo run --release -p lesson-05-distributed --bin scheduler-05 -- --help`: the scheduler of a
//! deployment. It runs your answers, or the reference's when built with `--features solution`.

fn main() -> std::process::ExitCode {
    lesson_05_distributed::program::scheduler_main(lesson_05_distributed::answers::Answers::TESTED)
}
