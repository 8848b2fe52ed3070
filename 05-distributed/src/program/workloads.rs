//! Tables 2 and 3: lesson 3's workloads on the cluster, against the same work done in this
//! process: the per-symbol yearly statistics (one task per group of files) and the
//! parameter search (the closes scattered once, one small task per window pair).

use std::path::PathBuf;

use market::files::files_of_year;
use market::strategy::{closes_by_year, grid, log_spaced};
use shared::Dataset;
use shared::report::{Comparison, fmt_count};

use super::RunArgs;
use super::processes::{ProcessCluster, here_and_on, map_gather};
use crate::answers::Answers;
use crate::tasks::{
    ScoreArgs, ScoreWindows, Yearly, YearlyStats, merge_yearly, score_windows, summarise_yearly,
    yearly_stats,
};

/// The minute files of `years` years from `year` on, or an error that says which years the
/// dataset has to pick from.
pub(super) fn year_files(dataset: &Dataset, year: i32, years: i32) -> anyhow::Result<Vec<PathBuf>> {
    let all = dataset.all_minute_files();
    let files: Vec<PathBuf> = (year..year + years)
        .flat_map(|year| files_of_year(&all, year))
        .collect();
    anyhow::ensure!(
        !files.is_empty(),
        "the dataset in {} has no minute files for {}–{}; pick years it covers with --year",
        dataset.root().display(),
        year,
        year + years - 1
    );
    Ok(files)
}

/// Reads the yearly statistics' files once here, before their tables (which also warms the
/// page cache): a damaged file is the dataset's problem, and must not show as a cluster
/// variant's "wrong output" (its error says "task … failed: …", and this one the file and
/// line). Returns the problem to list when one cannot be read.
pub(super) fn check_year_files(
    dataset: &Dataset,
    args: &RunArgs,
) -> anyhow::Result<Option<String>> {
    let files = year_files(dataset, args.year, args.years)?;
    Ok(yearly_stats(&files)
        .err()
        .map(|error| skipped("the yearly statistics (here, and as a task graph)", &error)))
}

/// Says that the table of `what` is skipped because the dataset could not be read, and
/// returns the problem to list at the end: the dataset's, not an exercise's.
fn skipped(what: &str, error: &dyn std::fmt::Display) -> String {
    println!("Skipped, because the dataset could not be read: {what}.\n{error}\n");
    format!("the dataset, not your answers: {error}")
}

/// `files` in groups of `per_task`: one task's arguments each.
pub(super) fn groups_of(files: &[PathBuf], per_task: usize) -> Vec<Vec<PathBuf>> {
    files
        .chunks(per_task.max(1))
        .map(<[PathBuf]>::to_vec)
        .collect()
}

/// Table 2: lesson 3's per-symbol, per-year statistics over `args.years` years, one task per
/// `args.files_per_task` files, here and on `one` and `many` worker processes.
pub(super) fn yearly(
    answers: Answers,
    args: &RunArgs,
    dataset: &Dataset,
    [one, many]: [&ProcessCluster; 2],
) -> anyhow::Result<Vec<String>> {
    let files = year_files(dataset, args.year, args.years)?;
    let groups = groups_of(&files, args.files_per_task);
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let summarise = |stats: &Result<Yearly, String>| match stats {
        Ok(stats) => summarise_yearly(stats),
        Err(err) => err.clone(),
    };
    let mut yearly = Comparison::new(
        format!(
            "Lesson 3's per-symbol yearly statistics, {}–{}: {} files in {} tasks",
            args.year,
            args.year + args.years - 1,
            fmt_count(files.len() as u64),
            groups.len()
        ),
        args.runs,
    )
    .with_bytes(bytes)
    .check_output(summarise);
    let on_cluster = |cluster: &ProcessCluster| map_merge(answers, cluster, &groups);
    let variants = here_and_on(Box::new(|| yearly_stats(&files)), &on_cluster, [one, many]);
    yearly.interleaved(variants);
    println!("{}", yearly.finish());
    Ok(yearly.problems().to_vec())
}

/// The yearly statistics of `groups` on `cluster`: one task per group, mapped and gathered
/// (exercise 5.2), the parts merged here.
pub(super) fn map_merge(
    answers: Answers,
    cluster: &ProcessCluster,
    groups: &[Vec<PathBuf>],
) -> Result<Yearly, String> {
    let parts = cluster
        .run(|c| map_gather::<YearlyStats>(answers, c, groups, None))
        .map_err(|err| err.to_string())?;
    let mut total = Yearly::new();
    for part in parts {
        merge_yearly(&mut total, part);
    }
    Ok(total)
}

/// Table 3: lesson 3's parameter search on `args.symbol`, a grid of `args.grid`² window
/// pairs, the closes scattered once to each cluster and one task per pair.
pub(super) fn search(
    answers: Answers,
    args: &RunArgs,
    dataset: &Dataset,
    [one, many]: [&ProcessCluster; 2],
) -> anyhow::Result<Vec<String>> {
    let symbol_files = dataset.minute_files(&args.symbol);
    anyhow::ensure!(
        !symbol_files.is_empty(),
        "the dataset in {} has no symbol {:?}; it has {}. Pick one with --symbol",
        dataset.root().display(),
        args.symbol,
        dataset.symbols().join(", ")
    );
    let years: Vec<Vec<f64>> = match closes_by_year(&symbol_files) {
        Ok(years) => years.into_iter().map(|(_, closes)| closes).collect(),
        Err(error) => return Ok(vec![skipped("the parameter search", &error)]),
    };
    let windows: Vec<(usize, usize)> = grid(
        &log_spaced(2, 240, args.grid),
        &log_spaced(10, 2400, args.grid),
    )
    .into_iter()
    .map(|w| (w.fast, w.slow))
    .collect();
    let key = format!("closes-{}", args.symbol);
    for cluster in [one, many] {
        cluster.run(|c| c.scatter(&key, &years))?;
    }
    let task_args: Vec<ScoreArgs> = windows
        .iter()
        .map(|&window| ScoreArgs {
            closes: key.clone(),
            windows: vec![window],
        })
        .collect();
    let mut search = Comparison::new(
        format!(
            "Lesson 3's parameter search on {}: {} window pairs × {} years, one task per pair",
            args.symbol,
            windows.len(),
            years.len()
        ),
        args.runs,
    )
    .with_items(windows.len() as u64, "tasks/s")
    .check_output(|scores: &Result<Vec<Vec<f64>>, String>| match scores {
        Ok(scores) => {
            let best = scores
                .iter()
                .map(|s| s.iter().sum::<f64>() / s.len().max(1) as f64)
                .fold(f64::NEG_INFINITY, f64::max);
            format!("{} pairs, best mean score {best:.4}", scores.len())
        }
        Err(err) => err.clone(),
    });
    let on_cluster = |cluster: &ProcessCluster| {
        cluster
            .run(|c| map_gather::<ScoreWindows>(answers, c, &task_args, Some(&key)))
            .map(|per_task| per_task.into_iter().flatten().collect())
            .map_err(|err| err.to_string())
    };
    let here = Box::new(|| Ok(score_windows(&years, &windows)));
    let variants = here_and_on(here, &on_cluster, [one, many]);
    search.interleaved(variants);
    println!("{}", search.finish());
    Ok(search.problems().to_vec())
}
