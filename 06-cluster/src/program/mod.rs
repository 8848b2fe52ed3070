//! What `exercise-06` and `solution-06` run.
//!
//! - No subcommand: the lesson's tour. Each job on local clusters of 1×1, 1×2 and 2×1
//!   (processes × workers), timed, with the same answer checked on each; the limit of the
//!   group-by (reading and parsing the bytes); then the debugging exercise's corrupted copy.
//! - `launch JOB -n P -w W`: one job on a local cluster of this program's processes.
//! - `process JOB -w W -n P -p I -h HOSTFILE`: one process of a cluster, what each machine
//!   of a real cluster runs.

//!
//! One file per role: `cli`, `process`, `tour` (and `launch`), `corruption`, `probe`.

mod cli;
mod corruption;
mod probe;
mod process;
mod tour;

use std::process::ExitCode;

use crate::answers::Answers;
use crate::launcher::PROGRESS_LINES;

pub use cli::{Cli, Command, JobArgs, JobName, LaunchArgs, ProcessArgs, Tour};
pub use corruption::plant_corruption;
pub use probe::probe;
pub use process::{minute_files, run_process};
use tour::{run_launch, run_tour};

/// Parses the command line, runs it with `answers` (or the reference's, for an exercise
/// still at `todo!`), and reports errors without a backtrace.
pub fn main(answers: Answers) -> ExitCode {
    let (mut cli, given) = shared::defaults::parse::<Cli>();
    match &mut cli.command {
        Some(Command::Process(process)) => process.args.given = given,
        Some(Command::Launch(launch)) => launch.args.given = given,
        None => cli.tour.job.given = given,
    }
    let outcome = match &cli.command {
        Some(Command::Process(process)) => {
            // One note is enough: the launcher (or process 0, started by hand) prints it.
            let launched = std::env::var_os(PROGRESS_LINES).is_some();
            let answers = probe(answers, launched || process.layout.process != 0);
            run_process(answers, process)
        }
        Some(Command::Launch(args)) => {
            let answers = probe(answers, false);
            run_launch(answers, args)
        }
        None => {
            let answers = probe(answers, false);
            run_tour(answers, &cli.tour)
        }
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
