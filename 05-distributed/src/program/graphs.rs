//! Task graphs (section 5.4): the 2016 tutorial's futures examples, and lesson 3's yearly
//! statistics merged by a tree of tasks whose inputs stay on the workers, against the flat
//! map with the merge done here.

use std::path::PathBuf;

use shared::Dataset;
use shared::report::{Comparison, fmt_bytes, fmt_count};

use super::RunArgs;
use super::processes::ProcessCluster;
use super::workloads::{groups_of, map_merge, year_files};
use crate::answers::Answers;
use crate::client::{Client, ClientError, Handle};
use crate::tasks::{Add, Inc, MergeYearly, Node, SumRange, Yearly, YearlyStats, summarise_yearly};

// ANCHOR: inc_add
/// The 2016 tutorial's first graph: `x = inc(1)`, `y = add(x, 10)`; `x` stays on its
/// worker, and `y` runs once it is there.
pub async fn inc_add(client: &Client) -> Result<i64, ClientError> {
    let x = client.keep_node::<Inc>(&1, &[]).await;
    client.submit_node::<Add>(&10, &[&x]).await.await
}
// ANCHOR_END: inc_add

// ANCHOR: reduce
/// Reduces `level` to one result with a tree of node `N` (each taking `fan_in` inputs,
/// with `args`), the inner results kept on the workers, and brings the root here. Each
/// level's handles are dropped once the next level is submitted: the scheduler frees a
/// result as soon as the task that takes it has run.
pub async fn reduce<N, T>(
    client: &Client,
    args: &N::Args,
    fan_in: usize,
    mut level: Vec<Handle<T>>,
) -> Result<T, ClientError>
where
    N: Node<Input = T, Output = T>,
    T: serde::de::DeserializeOwned,
{
    let fan_in = fan_in.max(2);
    while level.len() > fan_in {
        let mut next = Vec::with_capacity(level.len().div_ceil(fan_in));
        for group in level.chunks(fan_in) {
            let inputs: Vec<&Handle<T>> = group.iter().collect();
            next.push(client.keep_node::<N>(args, &inputs).await);
        }
        level = next;
    }
    let inputs: Vec<&Handle<T>> = level.iter().collect();
    client.submit_node::<N>(args, &inputs).await.await
}
// ANCHOR_END: reduce

/// The sum of `0..n` as a tree: `leaves` `sum_range` tasks, added up two by two.
pub async fn tree_sum(client: &Client, n: i64, leaves: i64) -> Result<i64, ClientError> {
    let leaves = leaves.clamp(1, n.max(1));
    let slices: Vec<(i64, i64)> = (0..leaves)
        .map(|i| (i * n / leaves, (i + 1) * n / leaves))
        .collect();
    let handles = client.keep_map::<SumRange>(&slices).await;
    reduce::<Add, i64>(client, &0, 2, handles).await
}

/// Lesson 3's yearly statistics: one kept [`YearlyStats`] task per group of files, merged
/// by a tree of [`MergeYearly`] tasks of two inputs each, on the workers.
pub async fn yearly_tree(client: &Client, groups: &[Vec<PathBuf>]) -> Result<Yearly, ClientError> {
    let leaves = client.keep_map::<YearlyStats>(groups).await;
    reduce::<MergeYearly, Yearly>(client, &(), 2, leaves).await
}

/// The table of section 5.4: the graph examples' answers, and the yearly statistics merged
/// here after a flat map against merged by a tree of tasks on the workers, same run.
pub(super) fn graphs(
    answers: Answers,
    args: &RunArgs,
    dataset: Option<&Dataset>,
    cluster: &ProcessCluster,
) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let y = cluster.run(inc_add);
    let n = 1_000_000i64;
    let sum = cluster.run(|c| tree_sum(c, n, 1024));
    println!(
        "Task graphs on {} worker processes: y = add(inc(1), 10) = {}; the sum of 0..{} by a \
         tree of 1,023 adds over 1,024 leaves = {} (exact: {})\n",
        cluster.workers(),
        y.as_ref()
            .map_or_else(ToString::to_string, ToString::to_string),
        fmt_count(n as u64),
        sum.as_ref()
            .map_or_else(ToString::to_string, ToString::to_string),
        n * (n - 1) / 2
    );
    if y != Ok(12) || sum != Ok(n * (n - 1) / 2) {
        problems.push("a task graph example gave a wrong answer".to_string());
    }
    let Some(dataset) = dataset else {
        return Ok(problems);
    };
    let files = year_files(dataset, args.year, args.years)?;
    let groups = groups_of(&files, args.files_per_task);
    let mut table = Comparison::new(
        format!(
            "Lesson 3's yearly statistics, {}–{}, {} tasks on {} worker processes: merged here \
             or by a tree of merges on the workers",
            args.year,
            args.year + args.years - 1,
            groups.len(),
            cluster.workers()
        ),
        args.runs,
    )
    .check_output(|stats: &Result<Yearly, String>| match stats {
        Ok(stats) => summarise_yearly(stats),
        Err(err) => err.clone(),
    });
    let (moved_before, bytes_before) = cluster.moved();
    let variants: Vec<shared::report::Variant<'_, Result<Yearly, String>>> = vec![
        (
            "map, gather, merge here".into(),
            "5.2".into(),
            Box::new(|| map_merge(answers, cluster, &groups)),
        ),
        (
            "tree of merges on the workers".into(),
            "5.4".into(),
            Box::new(|| {
                cluster
                    .run(|c| yearly_tree(c, &groups))
                    .map_err(|err| err.to_string())
            }),
        ),
    ];
    table.interleaved(variants);
    let (moved, bytes) = cluster.moved();
    let runs = args.runs.max(1) as u64;
    table.note(format!(
        "The tree moved {} results between workers per run ({} each run), through the \
         scheduler; the flat map sends all {} results to this process.",
        (moved - moved_before) / runs,
        fmt_bytes((bytes - bytes_before) / runs),
        groups.len()
    ));
    println!("{}", table.finish());
    problems.extend(table.problems().iter().cloned());
    Ok(problems)
}
