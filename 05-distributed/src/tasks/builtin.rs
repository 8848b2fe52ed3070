//! The tasks of the registry: the small ones that measure the system, and lesson 3's two
//! workloads (the per-symbol yearly statistics and the parameter search's scores).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use market::Stats;
use market::files::{symbol_of, year};
use market::strategy::{Window, score};
use serde::{Deserialize, Serialize};

use crate::protocol::Key;

use super::{Context, Node, Task};

/// Does nothing: what a task costs when the work is nil, the scheduler's overhead alone.
pub struct Noop;

impl Task for Noop {
    const NAME: &'static str = "noop";
    type Args = ();
    type Output = ();
    fn run((): (), _: &Context) -> Result<(), String> {
        Ok(())
    }
}

/// `x²`: a task whose answer is easy to check.
pub struct Square;

impl Task for Square {
    const NAME: &'static str = "square";
    type Args = i64;
    type Output = i64;
    fn run(x: i64, _: &Context) -> Result<i64, String> {
        x.checked_mul(x)
            .ok_or_else(|| format!("{x}² does not fit in an i64"))
    }
}

/// Waits this many microseconds: stands for a task that waits on something (a database, a
/// remote file), and keeps a worker busy in the tests of a lost worker.
pub struct Sleep;

impl Task for Sleep {
    const NAME: &'static str = "sleep";
    type Args = u64;
    type Output = ();
    fn run(micros: u64, _: &Context) -> Result<(), String> {
        std::thread::sleep(Duration::from_micros(micros));
        Ok(())
    }
}

/// Fails with the given message, as a task that meets bad data does.
pub struct Fail;

impl Task for Fail {
    const NAME: &'static str = "fail";
    type Args = String;
    type Output = ();
    fn run(message: String, _: &Context) -> Result<(), String> {
        Err(message)
    }
}

/// Panics with the given message, as a task with a bug does.
pub struct Panic;

impl Task for Panic {
    const NAME: &'static str = "panic";
    type Args = String;
    type Output = ();
    fn run(message: String, _: &Context) -> Result<(), String> {
        panic!("{message}")
    }
}

/// A worker's answer to "who are you?", the task of
/// [`run_on_all`](crate::client::Client::run_on_all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerReport {
    pub worker: String,
    pub pid: u32,
    /// The keys of the data scattered to it.
    pub keys: Vec<Key>,
}

/// Reports on the worker it runs on.
pub struct WhoAmI;

impl Task for WhoAmI {
    const NAME: &'static str = "whoami";
    type Args = ();
    type Output = WorkerReport;
    fn run((): (), worker: &Context) -> Result<WorkerReport, String> {
        Ok(WorkerReport {
            worker: worker.worker.clone(),
            pid: std::process::id(),
            keys: worker.keys(),
        })
    }
}

/// The sum of a scattered `Vec<f64>`: the smallest task that reads data by key.
pub struct SumData;

impl Task for SumData {
    const NAME: &'static str = "sum_data";
    type Args = Key;
    type Output = f64;
    fn run(key: Key, worker: &Context) -> Result<f64, String> {
        Ok(worker.data::<Vec<f64>>(&key)?.iter().sum())
    }
}

/// Per symbol and year, count, sum, min and max of the close: lesson 3's exercise 3.6.
pub type Yearly = BTreeMap<(String, i32), Stats>;

// ANCHOR: yearly_stats
/// Lesson 3's per-symbol, per-year statistics over a group of minute files, read where the
/// worker runs: the files are on a disk (or network file system) every worker can see, and
/// only their paths travel. The error of a file that cannot be read names its path and line.
pub struct YearlyStats;

impl Task for YearlyStats {
    const NAME: &'static str = "yearly_stats";
    type Args = Vec<PathBuf>;
    type Output = Yearly;
    fn run(files: Vec<PathBuf>, worker: &Context) -> Result<Yearly, String> {
        let mut stats = Yearly::new();
        for path in &files {
            let file = worker.data_file(path)?;
            let symbol = symbol_of(&file)
                .ok_or_else(|| format!("{} is not in a symbol's folder", path.display()))?;
            // The reader's own error quotes what it found in the file: a client gets only
            // the place.
            let bars = shared::read::read_csv(&file).map_err(|err| match err.line() {
                Some(line) => format!("{}, line {line}: not a minute bar", path.display()),
                None => format!("{}: not a minute CSV file", path.display()),
            })?;
            add_bars(&mut stats, symbol, &bars);
        }
        Ok(stats)
    }
}

/// Adds `bars` of `symbol` into `stats`.
fn add_bars(stats: &mut Yearly, symbol: &str, bars: &[shared::Bar]) {
    for bar in bars {
        stats
            .entry((symbol.to_string(), year(bar)))
            .or_insert(Stats::EMPTY)
            .push(bar.close);
    }
}

/// What [`YearlyStats`] computes, callable locally.
pub fn yearly_stats(files: &[PathBuf]) -> Result<Yearly, String> {
    let mut stats = Yearly::new();
    for path in files {
        let symbol = symbol_of(path)
            .ok_or_else(|| format!("{} is not in a symbol's folder", path.display()))?;
        let bars = shared::read::read_csv(path).map_err(|err| err.to_string())?;
        add_bars(&mut stats, symbol, &bars);
    }
    Ok(stats)
}
// ANCHOR_END: yearly_stats

/// What a [`Yearly`] found, to compare two answers: symbol-years, bars, and the sum of
/// every close (its last digits depend on the order of the additions: six are shown).
pub fn summarise_yearly(stats: &Yearly) -> String {
    let bars: u64 = stats.values().map(|s| s.count).sum();
    let sum: f64 = stats.values().map(|s| s.sum).sum();
    format!(
        "{} symbol-years, {} bars, Σclose {sum:.6e}",
        stats.len(),
        shared::report::fmt_count(bars)
    )
}

/// Adds `part` into `total`.
pub fn merge_yearly(total: &mut Yearly, part: Yearly) {
    for (key, part) in part {
        total.entry(key).or_insert(Stats::EMPTY).merge(&part);
    }
}

/// The arguments of [`ScoreWindows`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreArgs {
    /// Scattered data: one symbol's closes, one `Vec<f64>` per year.
    pub closes: Key,
    /// `(fast, slow)` window pairs to score.
    pub windows: Vec<(usize, usize)>,
}

// ANCHOR: score_windows
/// Lesson 3's parameter search, one small piece: the scores of some window pairs on every
/// year of a symbol's closes. The closes are scattered once; each task carries only its
/// window pairs and the key, so the work goes to the data instead of the data to the work.
pub struct ScoreWindows;

impl Task for ScoreWindows {
    const NAME: &'static str = "score_windows";
    type Args = ScoreArgs;
    /// Per window pair, its score on each year.
    type Output = Vec<Vec<f64>>;
    fn run(args: ScoreArgs, worker: &Context) -> Result<Vec<Vec<f64>>, String> {
        let years = worker.data::<Vec<Vec<f64>>>(&args.closes)?;
        Ok(score_windows(&years, &args.windows))
    }
}
// ANCHOR_END: score_windows

/// What [`ScoreWindows`] computes, callable locally.
pub fn score_windows(years: &[Vec<f64>], windows: &[(usize, usize)]) -> Vec<Vec<f64>> {
    windows
        .iter()
        .map(|&(fast, slow)| {
            years
                .iter()
                .map(|closes| score(closes, Window { fast, slow }))
                .collect()
        })
        .collect()
}

// ANCHOR: graph_tasks
/// The 2016 tutorial's `inc`: one more than its argument plus its inputs, so `inc(1)` is
/// a node with no inputs and argument 1, and `inc(x)` one with input `x` and argument 0.
pub struct Inc;

impl Node for Inc {
    const NAME: &'static str = "inc";
    type Input = i64;
    type Args = i64;
    type Output = i64;
    fn run(inputs: Vec<i64>, args: i64, _: &Context) -> Result<i64, String> {
        (inputs.into_iter())
            .try_fold(args, i64::checked_add)
            .and_then(|sum| sum.checked_add(1))
            .ok_or_else(|| "inc overflows an i64".to_string())
    }
}

/// The 2016 tutorial's `add`: its argument plus its inputs: `add(x, 10)` is input `x` and
/// argument 10, `add(x, y)` inputs `x` and `y` and argument 0.
pub struct Add;

impl Node for Add {
    const NAME: &'static str = "add";
    type Input = i64;
    type Args = i64;
    type Output = i64;
    fn run(inputs: Vec<i64>, args: i64, _: &Context) -> Result<i64, String> {
        inputs
            .into_iter()
            .try_fold(args, i64::checked_add)
            .ok_or_else(|| "add overflows an i64".to_string())
    }
}

/// The sum of the whole numbers `start..end`: a leaf of the tree reduction, one slice of
/// the million numbers each.
pub struct SumRange;

impl Task for SumRange {
    const NAME: &'static str = "sum_range";
    type Args = (i64, i64);
    type Output = i64;
    fn run((start, end): (i64, i64), _: &Context) -> Result<i64, String> {
        (start..end)
            .try_fold(0i64, i64::checked_add)
            .ok_or_else(|| format!("the sum of {start}..{end} overflows an i64"))
    }
}

/// Lesson 3's yearly statistics of several groups of files merged into one: an inner node
/// of the tree of merges, whose inputs are [`YearlyStats`] results (or other merges).
pub struct MergeYearly;

impl Node for MergeYearly {
    const NAME: &'static str = "merge_yearly";
    type Input = Yearly;
    type Args = ();
    type Output = Yearly;
    fn run(inputs: Vec<Yearly>, (): (), _: &Context) -> Result<Yearly, String> {
        let mut total = Yearly::new();
        for part in inputs {
            merge_yearly(&mut total, part);
        }
        Ok(total)
    }
}
// ANCHOR_END: graph_tasks
