//! The tour and `launch`: local clusters of this program's processes, timed layout by
//! layout with the same answer checked on each.

use std::ffi::OsString;
use std::path::PathBuf;

use std::time::Duration;

use anyhow::Context as _;
use clap::ValueEnum;
use shared::dataset::Dataset;
use shared::report::{Table, Timing, debug_build_warning, fmt_duration, fmt_speedup};

use crate::answers::Answers;
use crate::launcher::{self, Launch};

use super::cli::{JobArgs, JobName, LaunchArgs, Tour};
use super::corruption::debugging;

/// `launch`: one job on a local cluster.
pub(super) fn run_launch(answers: Answers, args: &LaunchArgs) -> anyhow::Result<bool> {
    warn_if_debug(answers);
    // Every process finds the dataset the same way: they inherit this one's folder and
    // environment.
    match &args.args.minute {
        Some(minute) => println!("Reads:  {}\n", minute.display()),
        None => println!(
            "{}\n",
            shared::dataset::location_lines(&shared::dataset::default_folder(), None)
        ),
    }
    // The search's symbol is fitted here, once, and passed to every process.
    let job = match args.job {
        JobName::Search => args.args.fitted(&Dataset::locate()?),
        JobName::Groupby => args.args.clone(),
    };
    let launched = launcher::launch(&launch_of(args.job, &job, (args.processes, args.workers))?)?;
    print!("{}", launched.output);
    println!(
        "{} processes × {} workers: {}",
        args.processes,
        args.workers,
        fmt_duration(launched.elapsed)
    );
    Ok(true)
}

fn warn_if_debug(answers: Answers) {
    let command = format!(
        "cargo run --release -p lesson-06-cluster --bin {}",
        answers.binary()
    );
    if let Some(warning) = debug_build_warning(&command) {
        eprintln!("{warning}\n");
    }
}

/// A launch of this very binary (so that process i of exercise-06 is exercise-06).
pub(super) fn launch_of(
    job: JobName,
    args: &JobArgs,
    (processes, workers): (usize, usize),
) -> anyhow::Result<Launch> {
    let program = std::env::current_exe().context("cannot find this program's own binary")?;
    let name = job
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    let mut argv: Vec<OsString> = vec!["process".into(), name.clone().into()];
    argv.extend(args.to_args());
    Ok(Launch {
        program,
        args: argv,
        processes,
        workers,
        label: Some(format!("{name} {processes}×{workers}")),
        silence: launcher::SILENCE,
    })
}

/// The tour: both jobs on 1×1, 1×2 and 2×1, then the corrupted copy.
pub(super) fn run_tour(answers: Answers, tour: &Tour) -> anyhow::Result<bool> {
    warn_if_debug(answers);
    let dataset = Dataset::locate()?;
    let tour = &Tour {
        job: tour.job.fitted(&dataset),
        ..tour.clone()
    };
    let out = dataset.root().join("output").join("06-cluster");
    println!(
        "{}\n",
        shared::dataset::location_lines(dataset.root(), Some(&out))
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("Lesson 6 ({}): {cores} cores.\n", answers.name());
    let mut ok = true;
    let files = dataset.all_minute_files();
    let bytes = dataset.bytes_under("minute/");
    ok &= time_layouts(
        JobName::Groupby,
        tour,
        &format!(
            "Group-by (6.1): daily bars of every symbol, {} files, {}",
            files.len(),
            shared::report::fmt_bytes(bytes)
        ),
        Some(&files),
    )?;
    ok &= time_layouts(
        JobName::Search,
        tour,
        &format!(
            "Parameter search (6.2) on {}: a grid of {}×{} windows",
            tour.job.symbol, tour.job.grid, tour.job.grid
        ),
        None,
    )?;
    debugging(&dataset, &files, &tour.job)?;
    Ok(ok)
}

/// The layouts of the tour: (processes, workers).
const LAYOUTS: [(usize, usize); 3] = [(1, 1), (1, 2), (2, 1)];

/// What the runs of one layout measured: the launches' wall times, process 0's setup,
/// start-up and dataflow times, and the last run's output.
#[derive(Default)]
struct Measured {
    wall: Timing,
    parts: [Vec<Duration>; 3],
    output: String,
}

impl Measured {
    /// The line of process 0's output that states the answer.
    fn answer(&self) -> &str {
        let line = self.output.lines().find(|l| l.starts_with("answer:"));
        line.unwrap_or("(no answer)")
    }
}

/// Launches `job` `tour.runs` times on every layout of [`LAYOUTS`], interleaved (1×1, 1×2,
/// 2×1, 1×1, …) so that a noisy moment hits every layout.
fn measure(job: JobName, tour: &Tour) -> anyhow::Result<Vec<Measured>> {
    let mut measured: Vec<Measured> = LAYOUTS.iter().map(|_| Measured::default()).collect();
    for _ in 0..tour.runs.max(1) {
        for (m, &layout) in measured.iter_mut().zip(&LAYOUTS) {
            let launched = launcher::launch(&launch_of(job, &tour.job, layout)?)?;
            let parts = parse_timing(&launched.output).unwrap_or_default();
            m.wall.runs.push(launched.elapsed);
            for (runs, time) in m.parts.iter_mut().zip(parts) {
                runs.push(time);
            }
            m.output = launched.output;
        }
    }
    Ok(measured)
}

/// Times `job` on every layout of [`LAYOUTS`] (`runs` launches each) and prints a table.
/// `files`: the group-by's files, for the limit row. Returns whether every layout gave
/// the same answer.
fn time_layouts(
    job: JobName,
    tour: &Tour,
    title: &str,
    files: Option<&[PathBuf]>,
) -> anyhow::Result<bool> {
    let runs = tour.runs.max(1);
    let measured = measure(job, tour)?;
    let median = |runs: &[Duration]| {
        Timing {
            runs: runs.to_vec(),
        }
        .median()
    };
    let baseline = measured[0].wall.median();
    let mut table = Table::new([
        "processes × workers",
        "median",
        "min–max",
        "speedup",
        "setup",
        "start-up",
        "dataflow",
        "answer",
    ])
    .with_title(format!("{title}: median of {runs} runs"));
    let names: Vec<String> = LAYOUTS.iter().map(|(p, w)| format!("{p} × {w}")).collect();
    for (name, m) in names.iter().zip(&measured) {
        let wall = m.wall.median();
        let digest = m.answer().rsplit(' ').next().unwrap_or_default();
        let [setup, start_up, dataflow] = &m.parts;
        table.row([
            name.clone(),
            fmt_duration(wall),
            m.wall.fmt_spread(),
            fmt_speedup(baseline, wall),
            fmt_duration(median(setup)),
            fmt_duration(median(start_up)),
            fmt_duration(median(dataflow)),
            format!("digest {digest}"),
        ]);
    }
    let limit = match files {
        Some(files) => Some(limit_row(&mut table, files, runs, baseline)?),
        None => None,
    };
    let same = measured.iter().all(|m| m.answer() == measured[0].answer());
    table.note(
        "median: from starting the processes to the last one's exit (the launcher's clock). \
         Process 0's parts of it: setup, before the dataflow (listing files, reading what the \
         job needs); start-up, connecting to the other processes (a hello each way, retried \
         every 50 ms until the peer listens) and building the dataflow; dataflow, from its \
         first round to the answer at worker 0.",
    );
    table.note(if same {
        "Every layout gave the same answer (same digest)."
    } else {
        "The layouts gave DIFFERENT answers: see the digests."
    });
    let walls: Vec<(&str, &Timing)> = names
        .iter()
        .map(String::as_str)
        .zip(measured.iter().map(|m| &m.wall))
        .collect();
    let limits: Vec<_> = limit.iter().map(|l| ("the limit", l)).collect();
    if let Some(warning) = shared::report::doubts_note(&walls, &limits) {
        table.note(warning);
    }
    println!("{table}");
    for line in measured[0]
        .output
        .lines()
        .filter(|l| !l.starts_with("timing:"))
    {
        println!("{line}");
    }
    println!();
    Ok(same)
}

/// Times the limit (reading and parsing `files`) and adds its row to `table`.
fn limit_row(
    table: &mut Table,
    files: &[PathBuf],
    runs: usize,
    baseline: Duration,
) -> anyhow::Result<Timing> {
    let limit = limit_read_parse(files, runs)?;
    let mut row = vec![String::new(); 8];
    row[0] = "limit: read + parse, 2 threads".to_string();
    row[1] = fmt_duration(limit);
    row[3] = fmt_speedup(baseline, limit);
    table.row(row);
    Ok(Timing { runs: vec![limit] })
}

/// `timing: setup S start-up U dataflow D` (seconds) → the three durations.
fn parse_timing(output: &str) -> Option<[Duration; 3]> {
    let line = output
        .lines()
        .find_map(|l| l.strip_prefix("timing: setup "))?;
    let (setup, rest) = line.split_once(" start-up ")?;
    let (start_up, dataflow) = rest.split_once(" dataflow ")?;
    let seconds = |s: &str| s.trim().parse::<f64>().ok().map(Duration::from_secs_f64);
    Some([seconds(setup)?, seconds(start_up)?, seconds(dataflow)?])
}

/// The median time to read and parse every file into bars on two threads, in this
/// process (lesson 3's limit): what the group-by cannot beat on two cores.
fn limit_read_parse(files: &[PathBuf], runs: usize) -> anyhow::Result<Duration> {
    let (timing, bars) = shared::report::time_runs(runs, || {
        market::files::on_threads(2, || market::files::read_and_parse_bars(files))
    });
    bars.context("cannot start two threads")?;
    Ok(timing.median())
}
