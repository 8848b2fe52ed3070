//! The command line of `exercise-06` and `solution-06`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::engine::Layout;

/// Lesson 6: cluster computing on timely-dataflow.
#[derive(Debug, Parser)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub tour: Tour,
}

/// The tour's options.
#[derive(Debug, Clone, clap::Args)]
pub struct Tour {
    /// Timed runs of each layout; the table shows the median and the spread (min–max).
    #[arg(long, default_value_t = 3, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
    pub runs: usize,
    #[command(flatten)]
    pub job: JobArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One job on a local cluster: P processes of this program on 127.0.0.1, W workers
    /// each.
    Launch(LaunchArgs),
    /// One process of a cluster: run the same command on every machine, with its own -p.
    #[command(disable_help_flag = true)]
    Process(ProcessArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct LaunchArgs {
    /// The job to run.
    pub job: JobName,
    /// Processes (1 to 64).
    #[arg(short = 'n', long = "processes", default_value_t = 2, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=crate::engine::MAX_PROCESSES as u64))]
    pub processes: usize,
    /// Worker threads in each process (1 to 64).
    #[arg(short = 'w', long = "workers", default_value_t = 1, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=crate::engine::MAX_WORKERS as u64))]
    pub workers: usize,
    #[command(flatten)]
    pub args: JobArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ProcessArgs {
    /// The job to run.
    pub job: JobName,
    #[command(flatten)]
    pub layout: Layout,
    #[command(flatten)]
    pub args: JobArgs,
    /// Print help (-h is timely's hostfile here).
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

/// The lesson's jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JobName {
    /// Exercises 6.1 and 6.3: every symbol's daily bars, over the whole minute tree.
    Groupby,
    /// Exercise 6.2: lesson 3's parameter search.
    Search,
}

/// What a job reads, the same in every process.
#[derive(Debug, Clone, clap::Args)]
pub struct JobArgs {
    /// The group-by's folder of minute files (`SYMBOL/DATE.csv`). Default: the dataset's
    /// `minute/` folder. Every process must see the same files at the same path.
    #[arg(long, value_name = "DIR")]
    pub minute: Option<PathBuf>,
    /// The symbol of the search (lesson 3's default; the dataset's first symbol when it has
    /// no AIG).
    #[arg(long, default_value = shared::defaults::SYMBOL)]
    pub symbol: String,
    /// Windows per axis of the search's grid (lesson 3's default).
    #[arg(long, default_value_t = 16, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(2..=256))]
    pub grid: usize,
    /// Which options were typed: only defaults adapt to a dataset that lacks them.
    #[arg(skip)]
    pub given: shared::defaults::Given,
}

impl JobArgs {
    /// These options with the search's symbol fitted to `dataset` (`Dataset::fit_symbol`):
    /// what every process then gets, as if typed.
    pub(super) fn fitted(&self, dataset: &shared::dataset::Dataset) -> JobArgs {
        let mut args = self.clone();
        dataset.fit_symbol(&mut args.symbol, self.given.has("symbol"));
        args.given = shared::defaults::Given::default();
        args
    }

    /// The options as a command line, for the processes a launcher starts.
    pub(super) fn to_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        if let Some(minute) = &self.minute {
            args.extend(["--minute".into(), minute.clone().into_os_string()]);
        }
        args.extend(["--symbol".into(), self.symbol.clone().into()]);
        args.extend(["--grid".into(), self.grid.to_string().into()]);
        args
    }
}
